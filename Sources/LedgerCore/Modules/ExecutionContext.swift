/// What a module sees and may do while it runs one transaction.
///
/// It carries the signer, the block's height and time, and the ledger operations a protocol
/// needs: move the signer's tokens, mint and burn tokens the module is minter of, open and pay
/// out of its own escrows, mint NFTs. Each operation checks its authority here, so a module
/// can never debit an account that did not sign, nor touch another module's escrow.
public struct ExecutionContext: Sendable {
    /// The account that signed the transaction.
    public let sender: Address
    /// The module being executed.
    public let module: String
    /// The height of the block being built.
    public let height: UInt64
    /// The block's timestamp: protocol time, in seconds.
    public let timestamp: UInt64
    /// The hash of the transaction being executed.
    public let transactionHash: Hash32
    /// The events emitted so far by this transaction.
    public internal(set) var events: [Event] = []
    /// The chain state as this transaction has changed it so far.
    var world: ChainState

    init(world: ChainState, sender: Address, module: String, height: UInt64, timestamp: UInt64, transactionHash: Hash32) {
        self.world = world
        self.sender = sender
        self.module = module
        self.height = height
        self.timestamp = timestamp
        self.transactionHash = transactionHash
    }

    // MARK: - Reading

    /// The ledger as this transaction sees it (read-only).
    public var ledger: LedgerState { world.ledger }

    /// Another module's state (read-only), or its initial state.
    public func state<M: ChainModule>(of module: M.Type) -> M.State { world.state(of: module) }

    /// The balance of `account` in `token`.
    public func balance(of account: Address, in token: TokenID) -> UInt256 { world.ledger.balance(of: account, in: token) }

    /// The module's own authority, for tokens it mints.
    public var authority: Authority { .module(module) }

    // MARK: - Events

    /// Records an event of this module.
    public mutating func emit(_ kind: String, accounts: [Address] = [], fields: [Event.Field] = []) {
        events.append(Event(module: module, kind: kind, accounts: accounts, fields: fields))
    }

    // MARK: - Tokens

    /// Creates a token whose minter is this module.
    ///
    /// - Parameters:
    ///   - id: the new token's id; ``LedgerError/tokenExists(_:)`` when it is taken.
    ///   - name: the token's human-readable name, 1-64 bytes of UTF-8.
    ///   - decimals: the decimals a display uses, 0-36 (18, like ether, unless told).
    ///   - moduleBound: when true the token moves only through this module (mint,
    ///     burn, its escrows): ledger transfers, allowances, streams and other modules' escrows
    ///     refuse it with ``LedgerError/moduleBoundToken(token:minter:operation:)``.
    public mutating func createToken(_ id: TokenID, name: String, decimals: UInt8 = 18, moduleBound: Bool = false) throws(LedgerError) {
        try world.ledger.createToken(id, name: name, decimals: decimals, minter: authority, moduleBound: moduleBound, events: &events)
    }

    /// Moves the signer's tokens to `recipient`.
    public mutating func transferFromSender(_ token: TokenID, to recipient: Address, amount: UInt256) throws(LedgerError) {
        try world.ledger.transfer(token, from: sender, to: recipient, amount: amount, events: &events)
    }

    /// Mints a token this module is minter of.
    public mutating func mint(_ token: TokenID, to account: Address, amount: UInt256) throws(LedgerError) {
        try world.ledger.mint(token, to: account, amount: amount, by: authority, events: &events)
    }

    /// Burns the signer's tokens of a token this module is minter of.
    public mutating func burnFromSender(_ token: TokenID, amount: UInt256) throws(LedgerError) {
        try world.ledger.burn(token, from: sender, amount: amount, by: authority, events: &events)
    }

    // MARK: - Escrow

    /// Opens an escrow owned by this module.
    public mutating func openEscrow(token: TokenID, label: String) throws(LedgerError) -> UInt64 {
        try world.ledger.openEscrow(owner: module, token: token, label: label, events: &events)
    }

    /// Moves `amount` of the signer's tokens into one of this module's escrows.
    public mutating func depositFromSender(into escrow: UInt64, amount: UInt256) throws(LedgerError) {
        try world.ledger.depositToEscrow(escrow, from: sender, amount: amount, caller: module, events: &events)
    }

    /// Pays `amount` out of one of this module's escrows.
    public mutating func release(from escrow: UInt64, to recipient: Address, amount: UInt256) throws(LedgerError) {
        try world.ledger.releaseFromEscrow(escrow, to: recipient, amount: amount, caller: module, events: &events)
    }

    /// Moves `amount` between two of this module's escrows of the same token (e.g. a forfeited
    /// stake into a reserve), never more than the source holds.
    public mutating func move(from source: UInt64, to target: UInt64, amount: UInt256) throws(LedgerError) {
        try world.ledger.moveBetweenEscrows(source, to: target, amount: amount, caller: module, events: &events)
    }

    /// Mints a token this module is minter of straight into one of its escrows.
    public mutating func mint(into escrow: UInt64, amount: UInt256) throws(LedgerError) {
        try world.ledger.mintIntoEscrow(escrow, amount: amount, caller: module, events: &events)
    }

    /// Burns tokens held in one of this module's escrows (the module must be the minter).
    public mutating func burn(from escrow: UInt64, amount: UInt256) throws(LedgerError) {
        try world.ledger.burnFromEscrow(escrow, amount: amount, caller: module, events: &events)
    }

    /// What one of this module's escrows holds.
    public func escrow(_ id: UInt64) throws(LedgerError) -> Escrow {
        guard let e = world.ledger.escrows[id] else { throw .unknownEscrow(id) }
        guard e.owner == module else { throw .escrowNotOwned(id: id, owner: e.owner, caller: module) }
        return e
    }

    // MARK: - NFTs

    /// Mints an NFT to `owner`, recorded as minted by this module.
    public mutating func mintNFT(_ draft: NFTDraft, to owner: Address) throws(LedgerError) -> UInt64 {
        try world.ledger.mintNFT(draft, to: owner, by: authority, at: timestamp, events: &events)
    }
}
