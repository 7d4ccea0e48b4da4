import LedgerCore

// MARK: - Reward pools: create, fund, admit, claim, close

extension RolesModule.State {
    /// The reward pool `id`.
    public func pool(_ id: UInt64) throws(RolesError) -> RewardPool {
        guard let p = pools[id] else { throw .unknownPool(id) }
        return p
    }

    /// Creates a pool in `token` accruing from now until `endsAt`, funded with `funding`.
    mutating func createPool(
        token: TokenID, market: MarketID?, dataRate: UInt256, portfolioRate: UInt256, endsAt: UInt64, funding: UInt256,
        context: inout ExecutionContext
    ) throws(RolesError) {
        let now = context.timestamp
        guard !dataRate.isZero || !portfolioRate.isZero else {
            throw .invalidPool(reason: "dataRatePerSecond and portfolioRatePerSecond are both 0, expected at least one positive")
        }
        guard endsAt > now else { throw .invalidPool(reason: "endsAt \(endsAt) is not after now \(now)") }
        if let market {
            do { _ = try context.state(of: MarketModule.self).market(market) } catch { throw .market(error) }
        }
        let (closableAt, overflow) = endsAt.addingReportingOverflow(parameters.claimGrace)
        guard !overflow else { throw .invalidPool(reason: "endsAt \(endsAt) + claimGrace \(parameters.claimGrace) exceeds 2^64 - 1") }
        try requireBalance(token, funding, context: context)
        let id = nextPoolID
        let escrow: UInt64
        do {
            escrow = try context.openEscrow(token: token, label: "roles reward pool \(id)")
            if !funding.isZero { try context.depositFromSender(into: escrow, amount: funding) }
        } catch { throw .ledger(error) }
        pools[id] = RewardPool(
            id: id, creator: context.sender, token: token, escrow: escrow, market: market, dataRatePerSecond: dataRate,
            portfolioRatePerSecond: portfolioRate, startsAt: now, endsAt: endsAt, closableAt: closableAt, funded: funding)
        nextPoolID = id + 1
        context.emit("PoolCreated", accounts: [context.sender], fields: [
            .init("pool", "\(id)"), .init("token", token.symbol), .init("market", market?.slug ?? "any"),
            .init("dataRatePerSecond", dataRate.description), .init("portfolioRatePerSecond", portfolioRate.description),
            .init("endsAt", "\(endsAt)"), .init("funding", funding.description),
        ])
    }

    /// Anyone adds `amount` to an open pool before it ends.
    mutating func fundPool(_ id: UInt64, amount: UInt256, context: inout ExecutionContext) throws(RolesError) {
        var p = try pool(id)
        guard !p.closed else { throw .poolClosed(pool: id) }
        guard context.timestamp < p.endsAt else { throw .poolEnded(pool: id, endsAt: p.endsAt, now: context.timestamp) }
        guard !amount.isZero else { throw .zeroAmount(field: "amount") }
        try requireBalance(p.token, amount, context: context)
        do { try context.depositFromSender(into: p.escrow, amount: amount) } catch { throw .ledger(error) }
        p.funded = try RolesArith.add(p.funded, amount, "pool funded")
        pools[id] = p
        context.emit("PoolFunded", accounts: [context.sender], fields: [.init("pool", "\(id)"), .init("amount", amount.description)])
    }

    /// The pool's creator admits an active portfolio; it accrues from now.
    mutating func admitPortfolio(_ portfolioID: UInt64, to id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        let p = try pool(id)
        guard p.creator == context.sender else { throw .notPoolCreator(pool: id, caller: context.sender, creator: p.creator) }
        guard !p.closed else { throw .poolClosed(pool: id) }
        guard context.timestamp < p.endsAt else { throw .poolEnded(pool: id, endsAt: p.endsAt, now: context.timestamp) }
        guard !p.portfolioRatePerSecond.isZero else { throw .invalidPool(reason: "pool \(id) pays portfolios 0 per second") }
        let f = try portfolio(portfolioID)
        if let at = f.retiredAt { throw .portfolioRetired(portfolio: portfolioID, retiredAt: at) }
        let key = PairKey(id, portfolioID)
        guard admissions[key] == nil else { throw .alreadyAdmitted(pool: id, portfolio: portfolioID) }
        admissions[key] = context.timestamp
        context.emit("PortfolioAdmitted", accounts: [context.sender], fields: [.init("pool", "\(id)"), .init("portfolio", "\(portfolioID)")])
    }

    /// Where `nft` accrues in pool `p`: its rate, its accrual start and end.
    func accrualTerms(_ nft: UInt64, in p: RewardPool, context: ExecutionContext) throws(RolesError) -> (rate: UInt256, start: UInt64, end: UInt64) {
        if let d = data[nft] {
            guard !p.dataRatePerSecond.isZero else { throw .notAccruing(pool: p.id, nft: nft, reason: "the pool pays $Data 0 per second") }
            if let reason = accrualBlocker(d, context: context) { throw .notAccruing(pool: p.id, nft: nft, reason: reason) }
            guard let tie = d.tie else { throw .notAccruing(pool: p.id, nft: nft, reason: "not tied to a market listing") }
            if let market = p.market, market != tie.market {
                throw .notAccruing(pool: p.id, nft: nft, reason: "the pool pays only data listed in market '\(market.slug)', not '\(tie.market.slug)'")
            }
            return (p.dataRatePerSecond, max(p.startsAt, tie.tiedAt), p.endsAt)
        }
        if let f = portfolios[nft] {
            guard let admitted = admissions[PairKey(p.id, nft)] else {
                throw .notAccruing(pool: p.id, nft: nft, reason: "portfolio not admitted by the pool's creator")
            }
            return (p.portfolioRatePerSecond, admitted, min(p.endsAt, f.retiredAt ?? .max))
        }
        throw .notRewardable(nft)
    }

    /// The owner of `nft` claims what it accrued in pool `id` (see ``RewardAccrual``).
    mutating func claim(from id: UInt64, nft: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var p = try pool(id)
        guard !p.closed else { throw .poolClosed(pool: id) }
        let terms = try accrualTerms(nft, in: p, context: context)
        try requireOwner(nft, context: context)
        let key = PairKey(id, nft)
        let held: UInt256
        do { held = try context.escrow(p.escrow).held } catch { throw .ledger(error) }
        guard let c = try RewardAccrual.claim(
            start: terms.start, checkpoint: checkpoints[key], now: context.timestamp, endsAt: terms.end, rate: terms.rate, held: held)
        else {
            throw .nothingToClaim(pool: id, nft: nft, from: max(terms.start, checkpoints[key] ?? 0), to: min(context.timestamp, terms.end))
        }
        guard c.seconds > 0 else { throw .poolExhausted(pool: id, held: held, ratePerSecond: terms.rate) }
        do { try context.release(from: p.escrow, to: context.sender, amount: c.amount) } catch { throw .ledger(error) }
        checkpoints[key] = c.checkpoint
        p.paid = try RolesArith.add(p.paid, c.amount, "pool paid")
        pools[id] = p
        context.emit("RewardClaimed", accounts: [context.sender], fields: [
            .init("pool", "\(id)"), .init("nft", "\(nft)"), .init("seconds", "\(c.seconds)"), .init("amount", c.amount.description),
            .init("accruedUntil", "\(c.checkpoint)"),
        ])
    }

    /// The creator closes the pool after its claim grace and takes back what it holds.
    mutating func closePool(_ id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var p = try pool(id)
        guard p.creator == context.sender else { throw .notPoolCreator(pool: id, caller: context.sender, creator: p.creator) }
        guard !p.closed else { throw .poolClosed(pool: id) }
        guard context.timestamp >= p.closableAt else { throw .poolStillClaimable(pool: id, closableAt: p.closableAt, now: context.timestamp) }
        let held: UInt256
        do {
            held = try context.escrow(p.escrow).held
            if !held.isZero { try context.release(from: p.escrow, to: p.creator, amount: held) }
        } catch { throw .ledger(error) }
        p.closed = true
        pools[id] = p
        context.emit("PoolClosed", accounts: [p.creator], fields: [.init("pool", "\(id)"), .init("refunded", held.description)])
    }
}
