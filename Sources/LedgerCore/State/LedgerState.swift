/// The built-in state every chain has: fungible tokens, NFTs, escrows and payment streams.
///
/// A value type: the chain runs each transaction against a copy and keeps the copy only if
/// the whole transaction succeeds. Each mutating operation is also all-or-nothing on its own
/// (every check comes before the first change), because a module may catch a refusal and go on. The mutating methods here check amounts and existence;
/// who may call them (signer, minter, owning module) is checked by ``ExecutionContext``.
///
/// Invariant, for every token: `totalSupply == Σ balances + Σ escrow.held + Σ stream.locked`.
public struct LedgerState: Sendable, Codable, Equatable {
    /// Every token, by symbol.
    public internal(set) var tokens: StateMap<TokenID, Token> = [:]
    /// Balances by (token, account); absent means zero.
    public internal(set) var balances: StateMap<BalanceKey, UInt256> = [:]
    /// Allowances by (token, owner, spender); absent means zero.
    public internal(set) var allowances: StateMap<AllowanceKey, UInt256> = [:]
    /// Every NFT, by id.
    public internal(set) var nfts: StateMap<UInt64, NFT> = [:]
    /// Every escrow, by id.
    public internal(set) var escrows: StateMap<UInt64, Escrow> = [:]
    /// Every payment stream, by id.
    public internal(set) var streams: StateMap<UInt64, PaymentStream> = [:]
    /// The id the next NFT gets.
    public internal(set) var nextNFTID: UInt64 = 1
    /// The id the next escrow gets.
    public internal(set) var nextEscrowID: UInt64 = 1
    /// The id the next stream gets.
    public internal(set) var nextStreamID: UInt64 = 1

    /// An empty ledger.
    public init() {}

    // MARK: - Queries

    /// The balance of `account` in `token` (zero if none).
    public func balance(of account: Address, in token: TokenID) -> UInt256 {
        balances[BalanceKey(token: token, account: account)] ?? .zero
    }

    /// How much `spender` may move from `owner`'s `token` balance.
    public func allowance(token: TokenID, owner: Address, spender: Address) -> UInt256 {
        allowances[AllowanceKey(token: token, owner: owner, spender: spender)] ?? .zero
    }

    /// The token called `id`, or an error naming it.
    public func token(_ id: TokenID) throws(LedgerError) -> Token {
        guard let t = tokens[id] else { throw .unknownToken(id) }
        return t
    }

    /// NFTs owned by `owner`, ascending by id.
    public func nfts(ownedBy owner: Address) -> [NFT] {
        nfts.filter { _, nft in nft.owner == owner }.map(\.value)
    }

    // MARK: - Fungible tokens

    mutating func createToken(
        _ id: TokenID, name: String, decimals: UInt8, minter: Authority, moduleBound: Bool = false, events: inout [Event]
    ) throws(LedgerError) {
        guard tokens[id] == nil else { throw .tokenExists(id) }
        guard !name.isEmpty, name.utf8.count <= 64 else {
            throw .invalidArgument(field: "name", reason: "expected 1-64 bytes of text, got \(name.utf8.count)")
        }
        guard decimals <= 36 else { throw .invalidArgument(field: "decimals", reason: "expected 0...36, got \(decimals)") }
        tokens[id] = Token(id: id, name: name, decimals: decimals, minter: minter, totalSupply: .zero, moduleBound: moduleBound ? true : nil)
        events.append(Event(module: "ledger", kind: "TokenCreated", fields: [
            .init("token", id.symbol), .init("name", name), .init("decimals", "\(decimals)"),
            .init("minter", minter.description),
        ]))
    }

    mutating func mint(_ id: TokenID, to account: Address, amount: UInt256, by caller: Authority, events: inout [Event]) throws(LedgerError) {
        var token = try token(id)
        guard caller == token.minter else { throw .notMinter(token: id, caller: caller, minter: token.minter) }
        // Every check before the first change: a module may catch this error and go on, so a
        // refused mint must leave nothing behind (no balance credited without the supply).
        token.totalSupply = try checked { () throws(ArithmeticError) in try token.totalSupply + amount }
        try credit(id, account, amount)
        tokens[id] = token
        events.append(Event(module: "ledger", kind: "Mint", accounts: [account], fields: [
            .init("token", id.symbol), .init("amount", amount.description),
        ]))
    }

    mutating func burn(_ id: TokenID, from account: Address, amount: UInt256, by caller: Authority, events: inout [Event]) throws(LedgerError) {
        var token = try token(id)
        guard caller == token.minter else { throw .notMinter(token: id, caller: caller, minter: token.minter) }
        try debit(id, account, amount)
        token.totalSupply = try checked { () throws(ArithmeticError) in try token.totalSupply - amount }
        tokens[id] = token
        events.append(Event(module: "ledger", kind: "Burn", accounts: [account], fields: [
            .init("token", id.symbol), .init("amount", amount.description),
        ]))
    }

    mutating func transfer(_ id: TokenID, from: Address, to: Address, amount: UInt256, events: inout [Event]) throws(LedgerError) {
        let t = try token(id)
        guard !t.isModuleBound else { throw .moduleBoundToken(token: id, minter: t.minter, operation: "transfer") }
        try debit(id, from, amount)
        try credit(id, to, amount)
        events.append(Event(module: "ledger", kind: "Transfer", accounts: [from, to], fields: [
            .init("token", id.symbol), .init("amount", amount.description),
        ]))
    }

    mutating func approve(_ id: TokenID, owner: Address, spender: Address, amount: UInt256, events: inout [Event]) throws(LedgerError) {
        _ = try token(id)
        let key = AllowanceKey(token: id, owner: owner, spender: spender)
        allowances[key] = amount.isZero ? nil : amount
        events.append(Event(module: "ledger", kind: "Approval", accounts: [owner, spender], fields: [
            .init("token", id.symbol), .init("amount", amount.description),
        ]))
    }

    mutating func transferFrom(
        _ id: TokenID, owner: Address, spender: Address, to: Address, amount: UInt256, events: inout [Event]
    ) throws(LedgerError) {
        let key = AllowanceKey(token: id, owner: owner, spender: spender)
        let allowed = allowances[key] ?? .zero
        guard allowed >= amount else {
            throw .allowanceExceeded(token: id, owner: owner, spender: spender, allowance: allowed, needed: amount)
        }
        try transfer(id, from: owner, to: to, amount: amount, events: &events)
        let left = try checked { () throws(ArithmeticError) in try allowed - amount }
        allowances[key] = left.isZero ? nil : left
    }

    mutating func credit(_ id: TokenID, _ account: Address, _ amount: UInt256) throws(LedgerError) {
        let key = BalanceKey(token: id, account: account)
        let new = try checked { () throws(ArithmeticError) in try (balances[key] ?? .zero) + amount }
        balances[key] = new.isZero ? nil : new
    }

    mutating func debit(_ id: TokenID, _ account: Address, _ amount: UInt256) throws(LedgerError) {
        let key = BalanceKey(token: id, account: account)
        let have = balances[key] ?? .zero
        guard have >= amount else {
            throw .insufficientBalance(token: id, account: account, balance: have, needed: amount)
        }
        let left = try checked { () throws(ArithmeticError) in try have - amount }
        balances[key] = left.isZero ? nil : left
    }
}

/// Runs checked arithmetic and reports overflow as a ledger error.
@inline(__always)
func checked<T>(_ body: () throws(ArithmeticError) -> T) throws(LedgerError) -> T {
    do { return try body() } catch { throw .arithmetic(error) }
}

/// The key of a balance: which token, whose account.
public struct BalanceKey: Hashable, Comparable, Sendable, Codable {
    /// The token.
    public let token: TokenID
    /// The holder.
    public let account: Address
    /// A balance key.
    public init(token: TokenID, account: Address) {
        self.token = token
        self.account = account
    }
    /// Orders by token, then account: the order balances are listed and hashed in.
    public static func < (l: BalanceKey, r: BalanceKey) -> Bool {
        l.token != r.token ? l.token < r.token : l.account < r.account
    }
}

/// The key of an allowance: which token, whose balance, which spender.
public struct AllowanceKey: Hashable, Comparable, Sendable, Codable {
    /// The token.
    public let token: TokenID
    /// The holder who approved.
    public let owner: Address
    /// The account allowed to spend.
    public let spender: Address
    /// An allowance key.
    public init(token: TokenID, owner: Address, spender: Address) {
        self.token = token
        self.owner = owner
        self.spender = spender
    }
    /// Orders by token, then owner, then spender: the order allowances are listed and hashed in.
    public static func < (l: AllowanceKey, r: AllowanceKey) -> Bool {
        if l.token != r.token { return l.token < r.token }
        if l.owner != r.owner { return l.owner < r.owner }
        return l.spender < r.spender
    }
}
