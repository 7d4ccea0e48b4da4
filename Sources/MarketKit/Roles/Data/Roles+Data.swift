import LedgerCore

// MARK: - $Data: mint, disclose, tie to a listing

extension RolesModule.State {
    /// The `$Data` record `id`.
    public func dataToken(_ id: UInt64) throws(RolesError) -> DataToken {
        guard let d = data[id] else { throw .unknownData(id) }
        return d
    }

    /// Mints a `$Data` NFT for `dataHash` to the signer.
    mutating func mintData(
        dataHash: Hash32, listing: ListingRef?, disclosure: Disclosure?, name: String?, context: inout ExecutionContext
    ) throws(RolesError) {
        try checkName(name)
        try disclosure?.validate()
        let uploaderKey = Keccak256.hash(RLP.list([.bytes(context.sender.bytes), .bytes(dataHash.bytes)]).encoded)
        if let existing = dataByUploader[uploaderKey] { throw .duplicateData(dataHash: dataHash, existing: existing) }
        let tie = try listing.map { ref throws(RolesError) in try checkTie(ref, dataHash: dataHash, context: context) }
        let id = try mintNFT(
            NFTDraft(kind: .data, contentHash: dataHash, metadata: name.map { ["name": $0] } ?? [:]), context: &context)
        data[id] = DataToken(id: id, dataHash: dataHash, uploader: context.sender, mintedAt: context.timestamp, disclosure: disclosure, tie: tie)
        dataByUploader[uploaderKey] = id
        if let listing { dataByListing[listing.key] = id }
        context.emit("DataMinted", accounts: [context.sender], fields: [
            .init("data", "\(id)"), .init("dataHash", dataHash.hex),
            .init("listing", listing.map { "\($0.market.slug)/\($0.listing.hex)" } ?? "none"),
        ])
    }

    /// The owner replaces the disclosure.
    mutating func disclose(_ id: UInt64, disclosure: Disclosure, context: inout ExecutionContext) throws(RolesError) {
        var d = try dataToken(id)
        try requireOwner(id, context: context)
        try disclosure.validate()
        d.disclosure = disclosure
        data[id] = d
        context.emit("Disclosed", accounts: [context.sender], fields: [
            .init("data", "\(id)"), .init("tags", disclosure.tags.joined(separator: ",")),
            .init("referenceable", "\(disclosure.referenceable)"),
        ])
    }

    /// The owner ties the `$Data` to a listed listing they own.
    mutating func tieListing(_ id: UInt64, to ref: ListingRef, context: inout ExecutionContext) throws(RolesError) {
        var d = try dataToken(id)
        try requireOwner(id, context: context)
        let tie = try checkTie(ref, dataHash: d.dataHash, context: context)
        if let old = d.tie { dataByListing[ListingRef(market: old.market, listing: old.listing).key] = nil }
        d.tie = tie
        data[id] = d
        dataByListing[ref.key] = id
        context.emit("ListingTied", accounts: [context.sender], fields: [
            .init("data", "\(id)"), .init("market", ref.market.slug), .init("listing", ref.listing.hex),
        ])
    }

    /// Checks that `ref` is a listed listing of `dataHash` owned by the signer and not tied to
    /// another current `$Data`, and returns the tie.
    func checkTie(_ ref: ListingRef, dataHash: Hash32, context: ExecutionContext) throws(RolesError) -> ListingTie {
        let listing = try currentListing(ref, context: context)
        guard listing.listed else { throw .listingNotListed(market: ref.market, listing: ref.listing) }
        guard listing.owner == context.sender else {
            throw .listingNotOwned(listing: ref.listing, caller: context.sender, owner: listing.owner)
        }
        guard listing.dataHash == dataHash else {
            throw .listingDataMismatch(listing: ref.listing, listingDataHash: listing.dataHash, dataHash: dataHash)
        }
        if let other = dataByListing[ref.key], let otherTie = data[other]?.tie, otherTie.appliedAt == listing.appliedAt {
            // The same incarnation is already tied (to another $Data, or to this one: re-tying
            // it would only forfeit accrual).
            throw .listingAlreadyTied(listing: ref.listing, data: other)
        }
        return ListingTie(market: ref.market, listing: ref.listing, appliedAt: listing.appliedAt, tiedAt: context.timestamp)
    }

    /// The listing `ref` names, read from the market module's state.
    func currentListing(_ ref: ListingRef, context: ExecutionContext) throws(RolesError) -> Listing {
        let market: Market
        do { market = try context.state(of: MarketModule.self).market(ref.market) } catch { throw .market(error) }
        guard let listing = market.listings[ref.listing] else { throw .unknownListing(market: ref.market, listing: ref.listing) }
        return listing
    }

    /// Whether `d` accrues base rewards now: tied, the listing still listed, and the same
    /// incarnation it was tied to; otherwise the reason it does not.
    func accrualBlocker(_ d: DataToken, context: ExecutionContext) -> String? {
        guard let tie = d.tie else { return "not tied to a market listing" }
        let ref = ListingRef(market: tie.market, listing: tie.listing)
        guard let listing = try? currentListing(ref, context: context) else {
            return "listing \(tie.listing.hex) in market '\(tie.market.slug)' was removed"
        }
        guard listing.appliedAt == tie.appliedAt else {
            return "listing \(tie.listing.hex) was removed and applied for again at \(listing.appliedAt); tie it again once listed"
        }
        guard listing.listed else { return "listing \(tie.listing.hex) is not listed" }
        return nil
    }
}
