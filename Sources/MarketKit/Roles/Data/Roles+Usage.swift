import LedgerCore

// MARK: - Usage bonus: offer, accept, record uses, close

extension RolesModule.State {
    /// The offer or agreement `id`.
    public func agreement(_ id: UInt64) throws(RolesError) -> UsageAgreement {
        guard let a = agreements[id] else { throw .unknownOffer(id) }
        return a
    }

    /// The data owner offers a bonus per use.
    mutating func offerUsage(_ dataID: UInt64, trainer: Address?, token: TokenID, pricePerUse: UInt256, context: inout ExecutionContext) throws(RolesError) {
        _ = try dataToken(dataID)
        try requireOwner(dataID, context: context)
        guard !pricePerUse.isZero else { throw .zeroAmount(field: "pricePerUse") }
        do { _ = try context.ledger.token(token) } catch { throw .ledger(error) }
        let id = nextOfferID
        agreements[id] = UsageAgreement(id: id, data: dataID, offeredBy: context.sender, forTrainer: trainer, token: token, pricePerUse: pricePerUse)
        nextOfferID = id + 1
        context.emit("UsageOffered", accounts: [context.sender] + (trainer.map { [$0] } ?? []), fields: [
            .init("offer", "\(id)"), .init("data", "\(dataID)"), .init("token", token.symbol), .init("pricePerUse", pricePerUse.description),
        ])
    }

    /// The offerer withdraws an open offer.
    mutating func withdrawOffer(_ id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var a = try agreement(id)
        guard a.offeredBy == context.sender else { throw .notOwner(nft: a.data, caller: context.sender, owner: a.offeredBy) }
        guard a.status == .open else { throw .offerNotOpen(offer: id, status: a.status.rawValue) }
        a.status = .withdrawn
        agreements[id] = a
        context.emit("OfferWithdrawn", accounts: [context.sender], fields: [.init("offer", "\(id)")])
    }

    /// A trainer accepts an open offer, prepaying `prepaidUses` uses.
    mutating func acceptUsage(_ id: UInt64, prepaidUses: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var a = try agreement(id)
        guard a.status == .open else { throw .offerNotOpen(offer: id, status: a.status.rawValue) }
        if let t = a.forTrainer, t != context.sender { throw .offerForAnotherTrainer(offer: id, trainer: t, caller: context.sender) }
        let prepayment = try RolesArith.mul(a.pricePerUse, UInt256(prepaidUses), "prepayment")
        try requireBalance(a.token, prepayment, context: context)
        do {
            let escrow = try context.openEscrow(token: a.token, label: "roles usage agreement \(id)")
            if !prepayment.isZero { try context.depositFromSender(into: escrow, amount: prepayment) }
            a.escrow = escrow
        } catch { throw .ledger(error) }
        a.status = .active
        a.trainer = context.sender
        a.prepaidUses = prepaidUses
        agreements[id] = a
        context.emit("UsageAccepted", accounts: [context.sender, a.offeredBy], fields: [
            .init("offer", "\(id)"), .init("prepaidUses", "\(prepaidUses)"), .init("prepayment", prepayment.description),
        ])
    }

    /// The trainer records `count` uses; the `$Data`'s current owner is paid `count · price`,
    /// from the prepayment first, then from the trainer's balance.
    mutating func recordDataUse(_ id: UInt64, count: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var a = try agreement(id)
        guard a.status == .active, let trainer = a.trainer, let escrow = a.escrow else {
            throw .offerNotOpen(offer: id, status: a.status == .open ? "not accepted yet" : a.status.rawValue)
        }
        guard trainer == context.sender else { throw .notAgreementTrainer(offer: id, caller: context.sender, trainer: trainer) }
        guard count > 0 else { throw .zeroAmount(field: "count") }
        var d = try dataToken(a.data)
        let payee = try owner(of: a.data, context: context)
        let fromPrepaid = min(count, a.prepaidUses)
        let fromPrepaidAmount = try RolesArith.mul(a.pricePerUse, UInt256(fromPrepaid), "prepaid bonus")
        let fromBalance = try RolesArith.mul(a.pricePerUse, UInt256(count - fromPrepaid), "bonus")
        try requireBalance(a.token, fromBalance, context: context)
        if !fromPrepaidAmount.isZero {
            do { try context.release(from: escrow, to: payee, amount: fromPrepaidAmount) } catch { throw .ledger(error) }
        }
        try pay(a.token, amount: fromBalance, to: payee, context: &context)
        a.prepaidUses -= fromPrepaid
        a.uses = try RolesArith.add(a.uses, count, "agreement uses")
        d.agreementUses = try RolesArith.add(d.agreementUses, count, "data uses")
        agreements[id] = a
        data[a.data] = d
        let total = try RolesArith.add(fromPrepaidAmount, fromBalance, "bonus")
        context.emit("DataUsed", accounts: [context.sender, payee], fields: [
            .init("offer", "\(id)"), .init("data", "\(a.data)"), .init("count", "\(count)"), .init("paid", total.description),
        ])
    }

    /// The trainer closes the agreement; the unused prepayment goes back to them.
    mutating func closeAgreement(_ id: UInt64, context: inout ExecutionContext) throws(RolesError) {
        var a = try agreement(id)
        guard a.status == .active, let trainer = a.trainer, let escrow = a.escrow else {
            throw .offerNotOpen(offer: id, status: a.status == .open ? "not accepted yet" : a.status.rawValue)
        }
        guard trainer == context.sender else { throw .notAgreementTrainer(offer: id, caller: context.sender, trainer: trainer) }
        let refund = try RolesArith.mul(a.pricePerUse, UInt256(a.prepaidUses), "refund")
        if !refund.isZero {
            do { try context.release(from: escrow, to: trainer, amount: refund) } catch { throw .ledger(error) }
        }
        a.prepaidUses = 0
        a.status = .closed
        agreements[id] = a
        context.emit("AgreementClosed", accounts: [trainer], fields: [.init("offer", "\(id)"), .init("refunded", refund.description)])
    }
}
