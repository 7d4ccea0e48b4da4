/// Tokens held by a protocol module on behalf of others (stakes, bounties, reserves).
///
/// Only the module that opened an escrow can pay out of it, and never more than it holds:
/// `held == deposited − released`, and `held` can never go below zero.
public struct Escrow: Sendable, Codable, Equatable {
    /// Its id, unique on the chain.
    public let id: UInt64
    /// The module that owns it; only it may release funds.
    public let owner: String
    /// The token it holds.
    public let token: TokenID
    /// A label for people (e.g. `bounty 3 reward`).
    public let label: String
    /// What it holds now.
    public internal(set) var held: UInt256
    /// Everything ever deposited.
    public internal(set) var deposited: UInt256
    /// Everything ever paid out.
    public internal(set) var released: UInt256
}

extension LedgerState {
    mutating func openEscrow(owner module: String, token: TokenID, label: String, events: inout [Event]) throws(LedgerError) -> UInt64 {
        _ = try self.token(token)
        let id = nextEscrowID
        escrows[id] = Escrow(id: id, owner: module, token: token, label: label, held: .zero, deposited: .zero, released: .zero)
        nextEscrowID = id &+ 1
        events.append(Event(module: "ledger", kind: "EscrowOpen", fields: [
            .init("id", "\(id)"), .init("owner", module), .init("token", token.symbol), .init("label", label),
        ]))
        return id
    }

    /// Moves `amount` from `account` into escrow `id`.
    mutating func depositToEscrow(_ id: UInt64, from account: Address, amount: UInt256, caller module: String, events: inout [Event]) throws(LedgerError) {
        guard var escrow = escrows[id] else { throw .unknownEscrow(id) }
        guard escrow.owner == module else { throw .escrowNotOwned(id: id, owner: escrow.owner, caller: module) }
        let t = try self.token(escrow.token)
        guard !t.isModuleBound || t.minter == .module(module) else {
            throw .moduleBoundToken(token: t.id, minter: t.minter, operation: "escrow deposit by module \(module)")
        }
        // Every check before the first change (a module may catch the error and go on).
        escrow.held = try checked { () throws(ArithmeticError) in try escrow.held + amount }
        escrow.deposited = try checked { () throws(ArithmeticError) in try escrow.deposited + amount }
        try debit(escrow.token, account, amount)
        escrows[id] = escrow
        events.append(Event(module: "ledger", kind: "EscrowLock", accounts: [account], fields: [
            .init("id", "\(id)"), .init("token", escrow.token.symbol), .init("amount", amount.description),
        ]))
    }

    /// Pays `amount` out of escrow `id` to `recipient`.
    mutating func releaseFromEscrow(_ id: UInt64, to recipient: Address, amount: UInt256, caller module: String, events: inout [Event]) throws(LedgerError) {
        guard var escrow = escrows[id] else { throw .unknownEscrow(id) }
        guard escrow.owner == module else { throw .escrowNotOwned(id: id, owner: escrow.owner, caller: module) }
        guard escrow.held >= amount else { throw .escrowInsufficient(id: id, held: escrow.held, requested: amount) }
        escrow.held = try checked { () throws(ArithmeticError) in try escrow.held - amount }
        escrow.released = try checked { () throws(ArithmeticError) in try escrow.released + amount }
        try credit(escrow.token, recipient, amount)
        escrows[id] = escrow
        events.append(Event(module: "ledger", kind: "EscrowRelease", accounts: [recipient], fields: [
            .init("id", "\(id)"), .init("token", escrow.token.symbol), .init("amount", amount.description),
        ]))
    }

    /// Moves `amount` from escrow `from` to escrow `to`; both must belong to `module` and hold
    /// the same token. Counts as a release from one and a deposit into the other.
    mutating func moveBetweenEscrows(_ from: UInt64, to: UInt64, amount: UInt256, caller module: String, events: inout [Event]) throws(LedgerError) {
        guard var source = escrows[from] else { throw .unknownEscrow(from) }
        guard source.owner == module else { throw .escrowNotOwned(id: from, owner: source.owner, caller: module) }
        guard from != to else { throw .invalidArgument(field: "to", reason: "expected an escrow other than the source \(from)") }
        guard var target = escrows[to] else { throw .unknownEscrow(to) }
        guard target.owner == module else { throw .escrowNotOwned(id: to, owner: target.owner, caller: module) }
        guard target.token == source.token else { throw .escrowTokenMismatch(id: to, escrowToken: target.token, given: source.token) }
        guard source.held >= amount else { throw .escrowInsufficient(id: from, held: source.held, requested: amount) }
        source.held = try checked { () throws(ArithmeticError) in try source.held - amount }
        source.released = try checked { () throws(ArithmeticError) in try source.released + amount }
        target.held = try checked { () throws(ArithmeticError) in try target.held + amount }
        target.deposited = try checked { () throws(ArithmeticError) in try target.deposited + amount }
        escrows[from] = source
        escrows[to] = target
        events.append(Event(module: "ledger", kind: "EscrowMove", fields: [
            .init("from", "\(from)"), .init("to", "\(to)"), .init("token", source.token.symbol), .init("amount", amount.description),
        ]))
    }

    /// Burns `amount` held in escrow `id`; the owning module must be the token's minter.
    mutating func burnFromEscrow(_ id: UInt64, amount: UInt256, caller module: String, events: inout [Event]) throws(LedgerError) {
        guard var escrow = escrows[id] else { throw .unknownEscrow(id) }
        guard escrow.owner == module else { throw .escrowNotOwned(id: id, owner: escrow.owner, caller: module) }
        var token = try self.token(escrow.token)
        guard token.minter == .module(module) else { throw .notMinter(token: token.id, caller: .module(module), minter: token.minter) }
        guard escrow.held >= amount else { throw .escrowInsufficient(id: id, held: escrow.held, requested: amount) }
        escrow.held = try checked { () throws(ArithmeticError) in try escrow.held - amount }
        escrow.released = try checked { () throws(ArithmeticError) in try escrow.released + amount }
        token.totalSupply = try checked { () throws(ArithmeticError) in try token.totalSupply - amount }
        escrows[id] = escrow
        tokens[token.id] = token
        events.append(Event(module: "ledger", kind: "EscrowBurn", fields: [
            .init("id", "\(id)"), .init("token", escrow.token.symbol), .init("amount", amount.description),
        ]))
    }

    /// Mints `amount` of a module-minted token straight into escrow `id`.
    mutating func mintIntoEscrow(_ id: UInt64, amount: UInt256, caller module: String, events: inout [Event]) throws(LedgerError) {
        guard var escrow = escrows[id] else { throw .unknownEscrow(id) }
        guard escrow.owner == module else { throw .escrowNotOwned(id: id, owner: escrow.owner, caller: module) }
        var token = try self.token(escrow.token)
        guard token.minter == .module(module) else { throw .notMinter(token: token.id, caller: .module(module), minter: token.minter) }
        token.totalSupply = try checked { () throws(ArithmeticError) in try token.totalSupply + amount }
        escrow.held = try checked { () throws(ArithmeticError) in try escrow.held + amount }
        escrow.deposited = try checked { () throws(ArithmeticError) in try escrow.deposited + amount }
        escrows[id] = escrow
        tokens[token.id] = token
        events.append(Event(module: "ledger", kind: "EscrowMint", fields: [
            .init("id", "\(id)"), .init("token", escrow.token.symbol), .init("amount", amount.description),
        ]))
    }
}
