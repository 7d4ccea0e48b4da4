public import LedgerCore

// MARK: - $Model: mint, price, use

extension RolesModule.State {
    /// The `$Model` record `id`.
    public func model(_ id: UInt64) throws(RolesError) -> ModelToken {
        guard let m = models[id] else { throw .unknownModel(id) }
        return m
    }

    /// Mints a `$Model` NFT to the signer.
    mutating func mintModel(
        modelHash: Hash32, trainedOn: TrainingSource, bounty: String?, paymentToken: TokenID, pricePerUse: UInt256,
        name: String?, context: inout ExecutionContext
    ) throws(RolesError) {
        try checkName(name)
        if let bounty, !(1...128).contains(bounty.utf8.count) {
            throw .invalidText(field: "bounty", length: bounty.utf8.count, min: 1, max: 128)
        }
        let link: UInt64
        switch trainedOn {
        case .portfolio(let p):
            let portfolio = try portfolio(p)
            if let at = portfolio.retiredAt { throw .portfolioRetired(portfolio: p, retiredAt: at) }
            link = p
        case .data(let d):
            try requireReferenceable(d, by: context.sender, context: context)
            link = d
        }
        do { _ = try context.ledger.token(paymentToken) } catch { throw .ledger(error) }
        var metadata = name.map { ["name": $0] } ?? [:]
        if let bounty { metadata["bounty"] = bounty }
        let id = try mintNFT(NFTDraft(kind: .model, contentHash: modelHash, metadata: metadata, links: [link]), context: &context)
        models[id] = ModelToken(
            id: id, modelHash: modelHash, trainer: context.sender, trainedOn: trainedOn, bounty: bounty, paymentToken: paymentToken,
            pricePerUse: pricePerUse, curatorShareBP: parameters.curatorShareBP, dataShareBP: parameters.dataShareBP,
            mintedAt: context.timestamp)
        context.emit("ModelMinted", accounts: [context.sender], fields: [
            .init("model", "\(id)"), .init("modelHash", modelHash.hex), .init("trainedOn", trainedOn.label),
            .init("pricePerUse", pricePerUse.description), .init("bounty", bounty ?? "none"),
        ])
    }

    /// The owner sets the price per use.
    mutating func setPrice(_ id: UInt64, pricePerUse: UInt256, context: inout ExecutionContext) throws(RolesError) {
        var m = try model(id)
        try requireOwner(id, context: context)
        m.pricePerUse = pricePerUse
        models[id] = m
        context.emit("ModelPriced", accounts: [context.sender], fields: [.init("model", "\(id)"), .init("pricePerUse", pricePerUse.description)])
    }

    /// What one use of model `id` pays whom at `price` (nil: its current price): the split and
    /// the recipients (current NFT owners).
    public func useSplit(_ id: UInt64, price: UInt256? = nil, ledger: LedgerState) throws(RolesError) -> (split: UseSplit, modelOwner: Address, curator: Address?, dataOwners: [Address]) {
        let m = try model(id)
        guard let modelOwner = ledger.nfts[id]?.owner else { throw .ledger(.unknownNFT(id)) }
        let entries: [PortfolioEntry]
        var curator: Address?
        switch m.trainedOn {
        case .portfolio(let p):
            entries = try portfolio(p).entries
            guard let c = ledger.nfts[p]?.owner else { throw .ledger(.unknownNFT(p)) }
            curator = c
        case .data(let d):
            entries = [PortfolioEntry(data: d, weight: 10_000)]
        }
        var owners: [Address] = []
        owners.reserveCapacity(entries.count)
        for e in entries {
            guard let o = ledger.nfts[e.data]?.owner else { throw .ledger(.unknownNFT(e.data)) }
            owners.append(o)
        }
        let split = try UseSplit.split(
            price: price ?? m.pricePerUse, curatorShareBP: m.curatorShareBP, dataShareBP: m.dataShareBP, entries: entries, hasCurator: curator != nil)
        return (split, modelOwner, curator, owners)
    }

    /// Pays for one use: the split goes to the model owner, the curator and the data owners.
    mutating func useModel(_ id: UInt64, maxPrice: UInt256, context: inout ExecutionContext) throws(RolesError) {
        var m = try model(id)
        let price = m.pricePerUse
        guard !price.isZero else { throw .modelNotPriced(model: id) }
        guard price <= maxPrice else { throw .priceAboveMaximum(model: id, price: price, maxPrice: maxPrice) }
        try requireBalance(m.paymentToken, price, context: context)
        let (split, modelOwner, curator, dataOwners) = try useSplit(id, ledger: context.ledger)
        try pay(m.paymentToken, amount: split.modelOwner, to: modelOwner, context: &context)
        if let curator { try pay(m.paymentToken, amount: split.curator, to: curator, context: &context) }
        var dataTotal = UInt256.zero
        for (i, part) in split.dataOwners.enumerated() {
            try pay(m.paymentToken, amount: part.amount, to: dataOwners[i], context: &context)
            dataTotal = try RolesArith.add(dataTotal, part.amount, "data owners' total")
            if var d = data[part.data] {
                d.modelUses = try RolesArith.add(d.modelUses, 1, "data model uses")
                data[part.data] = d
            }
        }
        if case .portfolio(let p) = m.trainedOn, var portfolio = portfolios[p] {
            portfolio.modelUses = try RolesArith.add(portfolio.modelUses, 1, "portfolio model uses")
            portfolios[p] = portfolio
        }
        m.uses = try RolesArith.add(m.uses, 1, "model uses")
        m.revenue = try RolesArith.add(m.revenue, price, "model revenue")
        models[id] = m
        let key = AccountKey(id, context.sender)
        paidUses[key] = try RolesArith.add(paidUses[key] ?? 0, 1, "paid uses")
        context.emit("ModelUsed", accounts: [context.sender, modelOwner] + (curator.map { [$0] } ?? []), fields: [
            .init("model", "\(id)"), .init("price", price.description), .init("toModelOwner", split.modelOwner.description),
            .init("toCurator", split.curator.description), .init("toDataOwners", dataTotal.description),
        ])
    }
}

extension TrainingSource {
    /// `portfolio:<id>` or `data:<id>`.
    public var label: String {
        switch self {
        case .portfolio(let p): "portfolio:\(p)"
        case .data(let d): "data:\(d)"
        }
    }
}
