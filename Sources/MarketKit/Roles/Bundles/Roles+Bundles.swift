import LedgerCore

// MARK: - $Model: prepaid bundles of uses, reported by a host

extension RolesModule.State {
    /// The bundle `id`.
    public func bundle(_ id: UInt64) throws(RolesError) -> UseBundle {
        guard let b = bundles[id] else { throw .unknownBundle(id) }
        return b
    }

    /// The signer prepays `uses` uses of model `id` into escrow, reportable by `host` until
    /// `expiresAt`.
    mutating func buyUseBundle(
        _ id: UInt64, host: Address, uses: UInt64, maxPrice: UInt256, expiresAt: UInt64, context: inout ExecutionContext
    ) throws(RolesError) {
        let m = try model(id)
        let price = m.pricePerUse
        guard !price.isZero else { throw .modelNotPriced(model: id) }
        guard price <= maxPrice else { throw .priceAboveMaximum(model: id, price: price, maxPrice: maxPrice) }
        guard uses > 0 else { throw .zeroAmount(field: "uses") }
        guard expiresAt > context.timestamp else {
            throw .invalidBundle(reason: "expiresAt \(expiresAt) is not after now \(context.timestamp)")
        }
        let total = try RolesArith.mul(price, UInt256(uses), "bundle price")
        try requireBalance(m.paymentToken, total, context: context)
        let bundleID = nextBundleID
        let escrow: UInt64
        do {
            escrow = try context.openEscrow(token: m.paymentToken, label: "roles use bundle \(bundleID)")
            try context.depositFromSender(into: escrow, amount: total)
        } catch { throw .ledger(error) }
        bundles[bundleID] = UseBundle(
            id: bundleID, model: id, buyer: context.sender, host: host, pricePerUse: price, token: m.paymentToken,
            bought: uses, escrow: escrow, boughtAt: context.timestamp, expiresAt: expiresAt)
        nextBundleID = bundleID + 1
        context.emit("BundleBought", accounts: [context.sender, host], fields: [
            .init("bundle", "\(bundleID)"), .init("model", "\(id)"), .init("uses", "\(uses)"),
            .init("pricePerUse", price.description), .init("paid", total.description), .init("expiresAt", "\(expiresAt)"),
        ])
    }

    /// The host reports `count` served uses; each pays the bundle's price split as one paid use
    /// (``UseSplit``), out of the escrow.
    mutating func reportBundleUses(_ id: UInt64, count: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var b = try bundle(id)
        guard b.host == context.sender else { throw .notBundleHost(bundle: id, caller: context.sender, host: b.host) }
        guard !b.closed else { throw .bundleClosed(bundle: id) }
        guard context.timestamp <= b.expiresAt else { throw .bundleExpired(bundle: id, expiresAt: b.expiresAt, now: context.timestamp) }
        guard count > 0 else { throw .zeroAmount(field: "count") }
        guard count <= b.remaining else { throw .bundleExhausted(bundle: id, remaining: b.remaining, requested: count) }
        var m = try model(b.model)
        let (split, modelOwner, curator, dataOwners) = try useSplit(b.model, price: b.pricePerUse, ledger: context.ledger)
        let n = UInt256(count)
        func release(_ perUse: UInt256, to recipient: Address, _ context: inout ExecutionContext) throws(RolesError) {
            let amount = try RolesArith.mul(perUse, n, "bundle payout")
            guard !amount.isZero else { return }
            do { try context.release(from: b.escrow, to: recipient, amount: amount) } catch { throw .ledger(error) }
        }
        try release(split.modelOwner, to: modelOwner, &context)
        if let curator { try release(split.curator, to: curator, &context) }
        var dataTotal = UInt256.zero
        for (i, part) in split.dataOwners.enumerated() {
            try release(part.amount, to: dataOwners[i], &context)
            dataTotal = try RolesArith.add(dataTotal, try RolesArith.mul(part.amount, n, "data owners' total"), "data owners' total")
            if var d = data[part.data] {
                d.modelUses = try RolesArith.add(d.modelUses, count, "data model uses")
                data[part.data] = d
            }
        }
        if case .portfolio(let p) = m.trainedOn, var portfolio = portfolios[p] {
            portfolio.modelUses = try RolesArith.add(portfolio.modelUses, count, "portfolio model uses")
            portfolios[p] = portfolio
        }
        let paid = try RolesArith.mul(b.pricePerUse, n, "bundle payout")
        m.uses = try RolesArith.add(m.uses, count, "model uses")
        m.revenue = try RolesArith.add(m.revenue, paid, "model revenue")
        models[b.model] = m
        let key = AccountKey(b.model, b.buyer)
        paidUses[key] = try RolesArith.add(paidUses[key] ?? 0, count, "paid uses")
        b.reported += count
        bundles[id] = b
        let toOwner = try RolesArith.mul(split.modelOwner, n, "model owner")
        let toCurator = try RolesArith.mul(split.curator, n, "curator")
        context.emit("BundleUsesReported", accounts: [context.sender, b.buyer, modelOwner] + (curator.map { [$0] } ?? []), fields: [
            .init("bundle", "\(id)"), .init("model", "\(b.model)"), .init("count", "\(count)"), .init("paid", paid.description),
            .init("toModelOwner", toOwner.description), .init("toCurator", toCurator.description),
            .init("toDataOwners", dataTotal.description), .init("remaining", "\(b.remaining)"),
        ])
    }

    /// Returns the unreported uses' payment to the buyer and closes the bundle: the host at any
    /// time, the buyer once it expired.
    mutating func refundBundle(_ id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var b = try bundle(id)
        guard !b.closed else { throw .bundleClosed(bundle: id) }
        if context.sender == b.host {
            // The host may give up a bundle at any time.
        } else if context.sender == b.buyer {
            guard context.timestamp > b.expiresAt else {
                throw .bundleNotExpired(bundle: id, expiresAt: b.expiresAt, now: context.timestamp)
            }
        } else {
            throw .notBundleParty(bundle: id, caller: context.sender, buyer: b.buyer, host: b.host)
        }
        let refund = try RolesArith.mul(b.pricePerUse, UInt256(b.remaining), "bundle refund")
        if !refund.isZero {
            do { try context.release(from: b.escrow, to: b.buyer, amount: refund) } catch { throw .ledger(error) }
        }
        b.closed = true
        bundles[id] = b
        context.emit("BundleRefunded", accounts: [context.sender, b.buyer], fields: [
            .init("bundle", "\(id)"), .init("refunded", refund.description), .init("reported", "\(b.reported)"),
        ])
    }
}
