import LedgerCore

// MARK: - $Portfolio: create, use, retire

extension RolesModule.State {
    /// The `$Portfolio` record `id`.
    public func portfolio(_ id: UInt64) throws(RolesError) -> Portfolio {
        guard let p = portfolios[id] else { throw .unknownPortfolio(id) }
        return p
    }

    /// Refuses unless `account` may reference `$Data` `id`: the token exists and `account`
    /// owns it now, or its owner disclosed it as referenceable.
    func requireReferenceable(_ id: UInt64, by account: Address, context: ExecutionContext) throws(RolesError) {
        let d = try dataToken(id)
        let owner = try owner(of: id, context: context)
        guard owner == account || d.isReferenceable else { throw .notReferenceable(data: id, caller: account, owner: owner) }
    }

    /// Checks a portfolio's entries: 1...maxPortfolioEntries distinct `$Data` tokens the
    /// curator may reference, each weight ≥ 1, weights summing to exactly 10,000. Returns them
    /// sorted by `$Data` id.
    func checkEntries(_ entries: [PortfolioEntry], curator: Address, context: ExecutionContext) throws(RolesError) -> [PortfolioEntry] {
        let max = Int(clamping: parameters.maxPortfolioEntries)
        guard (1...max).contains(entries.count) else { throw .portfolioSize(count: entries.count, min: 1, max: max) }
        let sorted = entries.sorted { $0.data < $1.data }
        var sum: UInt64 = 0
        for (i, e) in sorted.enumerated() {
            if i > 0, sorted[i - 1].data == e.data { throw .duplicateEntry(data: e.data) }
            guard e.weight > 0 else { throw .zeroWeight(data: e.data) }
            sum = sum.addingReportingOverflow(e.weight).overflow ? .max : sum + e.weight
        }
        guard sum == 10_000 else { throw .weightsNotTenThousand(sum: sum) }
        for e in sorted { try requireReferenceable(e.data, by: curator, context: context) }
        return sorted
    }

    /// Mints a `$Portfolio` NFT to the signer.
    mutating func createPortfolio(
        entries: [PortfolioEntry], bonusToken: TokenID, bonusPerUse: UInt256, name: String?, context: inout ExecutionContext
    ) throws(RolesError) {
        try checkName(name)
        let sorted = try checkEntries(entries, curator: context.sender, context: context)
        do { _ = try context.ledger.token(bonusToken) } catch { throw .ledger(error) }
        var metadata = name.map { ["name": $0] } ?? [:]
        metadata["weights"] = sorted.map { "\($0.data):\($0.weight)" }.joined(separator: ",")
        let id = try mintNFT(
            NFTDraft(kind: .portfolio, contentHash: Portfolio.contentHash(entries: sorted), metadata: metadata, links: sorted.map(\.data)),
            context: &context)
        portfolios[id] = Portfolio(
            id: id, creator: context.sender, entries: sorted, bonusToken: bonusToken, bonusPerUse: bonusPerUse, createdAt: context.timestamp)
        context.emit("PortfolioCreated", accounts: [context.sender], fields: [
            .init("portfolio", "\(id)"), .init("entries", "\(sorted.count)"), .init("bonusPerUse", bonusPerUse.description),
        ])
    }

    /// A trainer records `count` uses, paying the curator `count · bonusPerUse`.
    mutating func usePortfolio(_ id: UInt64, count: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var p = try portfolio(id)
        if let at = p.retiredAt { throw .portfolioRetired(portfolio: id, retiredAt: at) }
        guard count > 0 else { throw .zeroAmount(field: "count") }
        let curator = try owner(of: id, context: context)
        let amount = try RolesArith.mul(p.bonusPerUse, UInt256(count), "portfolio bonus")
        try requireBalance(p.bonusToken, amount, context: context)
        try pay(p.bonusToken, amount: amount, to: curator, context: &context)
        p.trainerUses = try RolesArith.add(p.trainerUses, count, "portfolio uses")
        portfolios[id] = p
        context.emit("PortfolioUsed", accounts: [context.sender, curator], fields: [
            .init("portfolio", "\(id)"), .init("count", "\(count)"), .init("paid", amount.description),
        ])
    }

    /// The curator retires the portfolio.
    mutating func retirePortfolio(_ id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var p = try portfolio(id)
        try requireOwner(id, context: context)
        if let at = p.retiredAt { throw .portfolioRetired(portfolio: id, retiredAt: at) }
        p.retiredAt = context.timestamp
        portfolios[id] = p
        context.emit("PortfolioRetired", accounts: [context.sender], fields: [.init("portfolio", "\(id)")])
    }
}
