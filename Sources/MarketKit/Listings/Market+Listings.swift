import LedgerCore

// MARK: - Listings: apply, attest, challenge, exit, access costs

extension Market {
    /// The listing `id`.
    func listing(_ id: Hash32) throws(MarketError) -> Listing {
        guard let l = listings[id] else { throw .unknownListing(listing: id) }
        return l
    }

    /// Applies for a listing bound to the signer, depositing `applicationDeposit`.
    mutating func apply(dataHash: Hash32, context: inout ExecutionContext) throws(MarketError) {
        let applicant = context.sender
        if holders[applicant]?.holderClass == .investor { throw .investorCannotOwnListings(account: applicant) }
        let id = Listing.id(applicant: applicant, dataHash: dataHash)
        guard listings[id] == nil else { throw .listingExists(listing: id) }
        let deposit = parameters.applicationDeposit
        try self.deposit(into: stakeEscrow, amount: deposit, context: &context)
        let poll = try openPoll(.application(listing: id), stake: deposit, context: &context)
        listings[id] = Listing(
            id: id, dataHash: dataHash, owner: applicant, listed: false, deposit: deposit, rewards: .zero, poll: poll,
            attestedBy: nil, accessCost: parameters.defaultAccessCost, accessCount: 0, appliedAt: context.timestamp)
        var holder = holders[applicant] ?? Holder(holderClass: .dataOwner, listings: [])
        holder.listings.append(id)
        holders[applicant] = holder
        dataHashes[dataHash, default: []].append(id)
        emit("Applied", accounts: [applicant], [
            .init("listing", id.hex), .init("dataHash", dataHash.hex), .init("deposit", deposit.description), .init("poll", "\(poll)"),
        ], context: &context)
    }

    /// An authorised backend attests that it holds the listing's data.
    mutating func attest(_ id: Hash32, context: inout ExecutionContext) throws(MarketError) {
        let backend = context.sender
        guard backends[backend] != nil else { throw .notAuthorisedBackend(address: backend) }
        var l = try listing(id)
        l.attestedBy = backend
        listings[id] = l
        emit("Attested", accounts: [backend], [.init("listing", id.hex), .init("dataHash", l.dataHash.hex)], context: &context)
    }

    /// Challenges a listed listing, staking `challengeStake`.
    mutating func challenge(_ id: Hash32, context: inout ExecutionContext) throws(MarketError) {
        var l = try listing(id)
        guard l.listed else { throw .listingNotListed(listing: id) }
        if let p = l.poll { throw .listingUnderPoll(listing: id, poll: p) }
        guard l.owner != context.sender else { throw .cannotChallengeOwnListing(listing: id) }
        let stake = parameters.challengeStake
        try deposit(into: stakeEscrow, amount: stake, context: &context)
        l.poll = try openPoll(.challenge(listing: id), stake: stake, context: &context)
        listings[id] = l
        emit("Challenged", accounts: [context.sender], [.init("listing", id.hex), .init("stake", stake.description)], context: &context)
    }

    /// The owner removes a listed listing: rewards burned, deposit returned.
    mutating func exit(_ id: Hash32, context: inout ExecutionContext) throws(MarketError) {
        let l = try listing(id)
        guard l.owner == context.sender else { throw .notListingOwner(listing: id, caller: context.sender, owner: l.owner) }
        guard l.listed else { throw .listingNotListed(listing: id) }
        if let p = l.poll { throw .listingUnderPoll(listing: id, poll: p) }
        try pay(from: stakeEscrow, to: context.sender, amount: l.deposit, context: &context)
        try removeListing(l, context: &context)
        emit("Exited", accounts: [context.sender], [
            .init("listing", id.hex), .init("burned", l.rewards.description), .init("refunded", l.deposit.description),
        ], context: &context)
    }

    /// The owner sets a listing's access cost (0...10^30 NetworkToken wei, the bounds of `defaultAccessCost`).
    mutating func setAccessCost(_ id: Hash32, cost: UInt256, context: inout ExecutionContext) throws(MarketError) {
        var l = try listing(id)
        guard l.owner == context.sender else { throw .notListingOwner(listing: id, caller: context.sender, owner: l.owner) }
        try MarketParameter.defaultAccessCost.check(cost)
        if l.listed {
            ownedAccessCostSum = try Arith.add(try Arith.sub(ownedAccessCostSum, l.accessCost, "access cost sum"), cost, "access cost sum")
        }
        l.accessCost = cost
        listings[id] = l
        emit("AccessCostSet", accounts: [context.sender], [.init("listing", id.hex), .init("cost", cost.description)], context: &context)
    }

    // MARK: - Outcomes

    /// Lists an approved, attested application, or forfeits a rejected one's deposit to the reserve.
    mutating func settleApplication(_ id: Hash32, poll: Poll, passed: Bool, context: inout ExecutionContext) throws(MarketError) {
        guard var l = listings[id] else { return }
        if passed {
            guard let backend = l.attestedBy, backends[backend] != nil else {
                throw .notAttested(listing: id, dataHash: l.dataHash)
            }
            let reward = parameters.listReward
            try mintListingReward(reward, context: &context)
            l.listed = true
            l.poll = nil
            l.rewards = reward
            listings[id] = l
            listedCount += 1
            if l.owner != nil {
                ownedAccessCostSum = try Arith.add(ownedAccessCostSum, l.accessCost, "access cost sum")
            } else {
                marketOwnedListed += 1
            }
            emit("Listed", accounts: l.owner.map { [$0] } ?? [], [
                .init("listing", id.hex), .init("rewards", reward.description), .init("attestedBy", backend.checksummed),
            ], context: &context)
        } else {
            try transfer(from: stakeEscrow, to: reserveEscrow, amount: l.deposit, context: &context)
            try removeListing(l, context: &context)
            emit("ApplicationRejected", accounts: l.owner.map { [$0] } ?? [], [
                .init("listing", id.hex), .init("toReserve", l.deposit.description),
            ], context: &context)
        }
    }

    /// Settles a challenge: the winner gets their stake back plus the dispensation share of the
    /// loser's stake, the reserve the rest; a winning challenge removes the listing.
    mutating func settleChallenge(_ id: Hash32, poll: Poll, passed: Bool, context: inout ExecutionContext) throws(MarketError) {
        guard var l = listings[id] else { return }
        if passed {
            let (share, rest) = try dispense(l.deposit, dispensation: poll.dispensation)
            try pay(from: stakeEscrow, to: poll.proposer, amount: try Arith.add(poll.stake, share, "challenger payout"), context: &context)
            try transfer(from: stakeEscrow, to: reserveEscrow, amount: rest, context: &context)
            try removeListing(l, context: &context)
            emit("ChallengeSucceeded", accounts: [poll.proposer], [
                .init("listing", id.hex), .init("toChallenger", share.description), .init("toReserve", rest.description),
                .init("burned", l.rewards.description),
            ], context: &context)
        } else {
            let (share, rest) = try dispense(poll.stake, dispensation: poll.dispensation)
            if let owner = l.owner {
                try pay(from: stakeEscrow, to: owner, amount: share, context: &context)
                try transfer(from: stakeEscrow, to: reserveEscrow, amount: rest, context: &context)
            } else {
                try transfer(from: stakeEscrow, to: reserveEscrow, amount: poll.stake, context: &context)
            }
            l.poll = nil
            listings[id] = l
            emit("ChallengeFailed", accounts: l.owner.map { [$0] } ?? [], [
                .init("listing", id.hex), .init("toOwner", (l.owner == nil ? .zero : share).description),
                .init("toReserve", (l.owner == nil ? poll.stake : rest).description),
            ], context: &context)
        }
    }

    /// Deletes a listing (its deposit already settled by the caller): burns its rewards and
    /// updates the indexes and access-cost sums.
    mutating func removeListing(_ l: Listing, context: inout ExecutionContext) throws(MarketError) {
        try burnListingRewards(l.rewards, context: &context)
        if l.listed {
            listedCount -= 1
            if l.owner != nil {
                ownedAccessCostSum = try Arith.sub(ownedAccessCostSum, l.accessCost, "access cost sum")
            } else {
                marketOwnedListed -= 1
            }
        }
        if let owner = l.owner, var holder = holders[owner] {
            holder.listings.removeAll { $0 == l.id }
            holders[owner] = holder
        }
        if var ids = dataHashes[l.dataHash] {
            ids.removeAll { $0 == l.id }
            dataHashes[l.dataHash] = ids.isEmpty ? nil : ids
        }
        listings[l.id] = nil
    }
}
