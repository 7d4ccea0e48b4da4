import LedgerCore

// MARK: - Council polls: open, vote, resolve, expire

extension Market {
    /// Opens a poll whose electorate is the current council (an O(1) persistent-map copy) and
    /// whose rules are the parameters in force now.
    mutating func openPoll(_ kind: PollKind, stake: UInt256, context: inout ExecutionContext) throws(MarketError) -> UInt64 {
        let now = context.timestamp
        let closes = try Arith.add(now, parameters.seconds(.voteBy), "poll closesAt")
        let resolveBy = try Arith.add(closes, parameters.seconds(.resolveDeadline), "poll resolveBy")
        let id = nextPollID
        nextPollID += 1
        polls[id] = Poll(
            id: id, kind: kind, proposer: context.sender, stake: stake, openedAt: now, closesAt: closes,
            resolveBy: resolveBy, quorum: parameters.percent(.quorum), plurality: parameters.percent(.plurality),
            dispensation: parameters.percent(.dispensation), electorate: council, electorateSize: UInt64(council.count),
            ballots: [:], yea: 0, nay: 0)
        emit("PollOpened", accounts: [context.sender], [
            .init("poll", "\(id)"), .init("kind", kind.label), .init("stake", stake.description),
            .init("electorate", "\(council.count)"), .init("closesAt", "\(closes)"), .init("resolveBy", "\(resolveBy)"),
        ], context: &context)
        return id
    }

    /// The open poll `id`.
    func openPoll(_ id: UInt64) throws(MarketError) -> Poll {
        guard let p = polls[id] else { throw .unknownPoll(poll: id) }
        return p
    }

    /// Casts the signer's vote: O(log electorate).
    mutating func vote(_ id: UInt64, yea: Bool, context: inout ExecutionContext) throws(MarketError) {
        var poll = try openPoll(id)
        let voter = context.sender
        let now = context.timestamp
        guard now < poll.closesAt else { throw .voteWindowClosed(poll: id, closedAt: poll.closesAt, now: now) }
        guard poll.electorate[voter] != nil else { throw .notInElectorate(poll: id, voter: voter) }
        guard poll.ballots[voter] == nil else { throw .alreadyVoted(poll: id, voter: voter) }
        poll.ballots[voter] = yea
        if yea { poll.yea += 1 } else { poll.nay += 1 }
        polls[id] = poll
        emit("Voted", accounts: [voter], [.init("poll", "\(id)"), .init("yea", "\(yea)")], context: &context)
    }

    /// Resolves a poll after its vote window and by its resolve deadline: O(log n).
    mutating func resolve(_ id: UInt64, context: inout ExecutionContext) throws(MarketError) {
        let poll = try openPoll(id)
        let now = context.timestamp
        guard now >= poll.closesAt else { throw .voteWindowOpen(poll: id, closesAt: poll.closesAt, now: now) }
        guard now <= poll.resolveBy else { throw .resolveDeadlinePassed(poll: id, deadline: poll.resolveBy, now: now) }
        let passed = poll.passes
        polls[id] = nil
        emit("PollResolved", [
            .init("poll", "\(id)"), .init("kind", poll.kind.label), .init("passed", "\(passed)"),
            .init("yea", "\(poll.yea)"), .init("nay", "\(poll.nay)"), .init("electorate", "\(poll.electorateSize)"),
        ], context: &context)
        switch poll.kind {
        case .application(let listing): try settleApplication(listing, poll: poll, passed: passed, context: &context)
        case .challenge(let listing): try settleChallenge(listing, poll: poll, passed: passed, context: &context)
        case .backendAddition(let address, let url):
            if passed {
                let cost = backends[address]?.computeCost ?? .zero
                backends[address] = Backend(address: address, url: url, computeCost: cost, authorisedAt: now)
                emit("BackendAuthorised", accounts: [address], [.init("url", url)], context: &context)
            }
        case .backendRemoval(let address):
            if passed, backends.removeValue(forKey: address) != nil {
                emit("BackendRemoved", accounts: [address], [], context: &context)
            }
        case .reparameterization(let parameter, let value):
            try settleReparameterization(parameter, value: value, poll: poll, passed: passed, context: &context)
        }
    }

    /// Expires a poll nobody resolved by its deadline, refunding every stake.
    mutating func expire(_ id: UInt64, context: inout ExecutionContext) throws(MarketError) {
        let poll = try openPoll(id)
        let now = context.timestamp
        guard now > poll.resolveBy else {
            throw .resolveDeadlineNotReached(poll: id, deadline: poll.resolveBy, now: now)
        }
        polls[id] = nil
        try pay(from: stakeEscrow, to: poll.proposer, amount: poll.stake, context: &context)
        switch poll.kind {
        case .application(let listing):
            // The deposit was the poll's stake, now refunded; the application is withdrawn.
            if let l = listings[listing] { try removeListing(l, context: &context) }
        case .challenge(let listing):
            listings[listing]?.poll = nil
        case .backendAddition, .backendRemoval, .reparameterization:
            break
        }
        emit("PollExpired", accounts: [poll.proposer], [
            .init("poll", "\(id)"), .init("kind", poll.kind.label), .init("refunded", poll.stake.description),
        ], context: &context)
    }

    /// Splits a loser's stake: the winner gets `floor(stake · dispensation / 100)`, the
    /// reserve `stake − share` (so no unit is lost). Returns the winner's share.
    func dispense(_ stake: UInt256, dispensation: UInt64) throws(MarketError) -> (winner: UInt256, reserve: UInt256) {
        let share = try Arith.mulDiv(stake, UInt256(dispensation), 100, "dispensation").quotient
        return (share, try Arith.sub(stake, share, "dispensation remainder"))
    }
}

extension PollKind {
    /// A short name for events and tables.
    public var label: String {
        switch self {
        case .application: "application"
        case .challenge: "challenge"
        case .backendAddition: "backend-addition"
        case .backendRemoval: "backend-removal"
        case .reparameterization: "reparameterization"
        }
    }
}
