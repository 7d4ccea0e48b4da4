public import LedgerCore

// MARK: - Reserve: invest, divest, convert to investor

extension Market {
    /// The spot price of a whole MarketToken now, in NetworkToken wei (see ``PriceCurve``).
    public func currentPrice() throws(MarketError) -> UInt256 {
        try PriceCurve.spotPrice(supply: investorSupply, floor: parameters.priceFloor, slope: parameters.priceSlope)
    }

    /// What investing `offered` NetworkToken wei would mint now.
    public func quoteInvestment(_ offered: UInt256) throws(MarketError) -> UInt256 {
        try PriceCurve.purchase(
            offered: offered, supply: investorSupply, carry: curveCarry, floor: parameters.priceFloor,
            slope: parameters.priceSlope
        ).tokens
    }

    /// Buys MarketToken on the curve, paying `offered` NetworkToken into the reserve.
    mutating func invest(offered: UInt256, minTokensOut: UInt256, context: inout ExecutionContext) throws(MarketError) {
        let investor = context.sender
        if holders[investor]?.holderClass == .dataOwner { throw .dataOwnerCannotInvest(account: investor) }
        guard !offered.isZero else { throw .zeroAmount(field: "offered") }
        let purchase = try PriceCurve.purchase(
            offered: offered, supply: investorSupply, carry: curveCarry, floor: parameters.priceFloor,
            slope: parameters.priceSlope)
        guard !purchase.tokens.isZero else { throw .investmentTooSmall(offered: offered) }
        guard purchase.tokens >= minTokensOut else { throw .slippage(minTokensOut: minTokensOut, tokensOut: purchase.tokens) }
        try deposit(into: reserveEscrow, amount: offered, context: &context)
        if holders[investor] == nil { holders[investor] = Holder(holderClass: .investor, listings: []) }
        curveCarry = purchase.carry
        investorSupply = try Arith.add(investorSupply, purchase.tokens, "investor supply")
        try mintTokens(to: investor, amount: purchase.tokens, context: &context)
        emit("Invested", accounts: [investor], [
            .init("offered", offered.description), .init("minted", purchase.tokens.description),
            .init("investorSupply", investorSupply.description),
        ], context: &context)
    }

    /// Burns all the investor's MarketToken and pays `floor(tokens · reserve / investorSupply)`;
    /// the remainder of the division stays in the reserve.
    mutating func divest(minPayout: UInt256, context: inout ExecutionContext) throws(MarketError) {
        let investor = context.sender
        switch holders[investor]?.holderClass {
        case .investor: break
        case .dataOwner: throw .dataOwnerCannotInvest(account: investor)
        case nil: throw .notInvestor(account: investor)
        }
        let tokens = context.balance(of: investor, in: marketToken)
        guard !tokens.isZero else { throw .nothingToDivest(account: investor) }
        let reserve = try reserveHeld(context)
        // tokens ≤ investorSupply (every investor-class token counts in it), so payout ≤ reserve.
        let payout = try Arith.mulDiv(tokens, reserve, investorSupply, "divest payout").quotient
        guard payout >= minPayout else { throw .payoutBelowMinimum(minPayout: minPayout, payout: payout) }
        try burnSenderTokens(tokens, context: &context)
        investorSupply = try Arith.sub(investorSupply, tokens, "investor supply")
        try pay(from: reserveEscrow, to: investor, amount: payout, context: &context)
        emit("Divested", accounts: [investor], [
            .init("burned", tokens.description), .init("paid", payout.description), .init("reserveBefore", reserve.description),
        ], context: &context)
    }

    /// A data owner hands every listing to the market (deposits refunded) and becomes an
    /// investor; their MarketToken joins the investor supply. Irreversible.
    mutating func convertToInvestor(context: inout ExecutionContext) throws(MarketError) {
        let account = context.sender
        guard var holder = holders[account], holder.holderClass == .dataOwner else { throw .notDataOwner(account: account) }
        for id in holder.listings {
            if let p = listings[id]?.poll { throw .ownerHasOpenPoll(account: account, listing: id, poll: p) }
        }
        var refunded = UInt256.zero
        for id in holder.listings {
            guard var l = listings[id] else { continue }
            refunded = try Arith.add(refunded, l.deposit, "refunded deposits")
            if l.listed {
                ownedAccessCostSum = try Arith.sub(ownedAccessCostSum, l.accessCost, "access cost sum")
                marketOwnedListed += 1
            }
            l.owner = nil
            l.deposit = .zero
            listings[id] = l
        }
        try pay(from: stakeEscrow, to: account, amount: refunded, context: &context)
        let handed = holder.listings.count
        holder.holderClass = .investor
        holder.listings = []
        holders[account] = holder
        let balance = context.balance(of: account, in: marketToken)
        investorSupply = try Arith.add(investorSupply, balance, "investor supply")
        emit("ConvertedToInvestor", accounts: [account], [
            .init("listingsHanded", "\(handed)"), .init("depositsRefunded", refunded.description),
            .init("tokens", balance.description),
        ], context: &context)
    }
}
