import LedgerCore

// MARK: - Reparameterization

extension Market {
    /// Proposes `parameter = value`, checked against its bounds now, staking `challengeStake`.
    mutating func proposeReparam(_ parameter: MarketParameter, value: UInt256, context: inout ExecutionContext) throws(MarketError) {
        try parameter.check(value)
        switch parameter {
        case .makerPayment: try Parameters.checkShares(maker: value, backend: parameters.backendPayment)
        case .backendPayment: try Parameters.checkShares(maker: parameters.makerPayment, backend: value)
        default: break
        }
        let stake = parameters.challengeStake
        try deposit(into: stakeEscrow, amount: stake, context: &context)
        _ = try openPoll(.reparameterization(parameter: parameter, value: value), stake: stake, context: &context)
    }

    /// Applies a passed proposal (refunding its stake) or forfeits a rejected one's stake to the
    /// reserve. A passed payment-share change that another change has since pushed past 100 %
    /// is not applied, and its stake is refunded.
    mutating func settleReparameterization(
        _ parameter: MarketParameter, value: UInt256, poll: Poll, passed: Bool, context: inout ExecutionContext
    ) throws(MarketError) {
        guard passed else {
            try transfer(from: stakeEscrow, to: reserveEscrow, amount: poll.stake, context: &context)
            emit("ReparamRejected", accounts: [poll.proposer], [
                .init("parameter", parameter.rawValue), .init("value", value.description), .init("toReserve", poll.stake.description),
            ], context: &context)
            return
        }
        try pay(from: stakeEscrow, to: poll.proposer, amount: poll.stake, context: &context)
        var next = parameters
        next[parameter] = value
        guard (try? Parameters.checkShares(maker: next.makerPayment, backend: next.backendPayment)) != nil else {
            emit("ReparamVoid", accounts: [poll.proposer], [
                .init("parameter", parameter.rawValue), .init("value", value.description),
                .init("reason", "makerPayment + backendPayment would exceed 100"),
            ], context: &context)
            return
        }
        let old = parameters[parameter]
        parameters = next
        if parameter == .councilThreshold { rebuildCouncil(context: context) }
        emit("Reparameterized", [
            .init("parameter", parameter.rawValue), .init("old", old.description), .init("new", value.description),
        ], context: &context)
    }
}
