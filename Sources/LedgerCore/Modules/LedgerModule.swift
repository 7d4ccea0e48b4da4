/// The built-in module: fungible tokens (ERC-20), NFTs (ERC-721) and payment streams, called
/// directly by people. Escrow is not called directly: protocols use it through
/// ``ExecutionContext``.
public enum LedgerModule: ChainModule {
    /// The ledger keeps its data in ``ChainState/ledger``; this module has no state of its own.
    public struct State: ModuleState {
        /// The empty state.
        public init() {}
    }

    /// The calls a person can sign.
    public enum Call: Codable, Sendable, Equatable {
        /// Creates a token with the signer as minter.
        case createToken(symbol: TokenID, name: String, decimals: UInt8)
        /// Mints to `to`; signer must be the minter.
        case mint(token: TokenID, to: Address, amount: UInt256)
        /// Burns from the signer's balance; signer must be the minter.
        case burn(token: TokenID, amount: UInt256)
        /// Moves the signer's tokens.
        case transfer(token: TokenID, to: Address, amount: UInt256)
        /// Sets how much `spender` may move from the signer's balance.
        case approve(token: TokenID, spender: Address, amount: UInt256)
        /// Moves `owner`'s tokens within the allowance the owner gave the signer.
        case transferFrom(token: TokenID, owner: Address, to: Address, amount: UInt256)
        /// Mints an NFT to `to` (the signer if nil).
        case mintNFT(draft: NFTDraft, to: Address?)
        /// Moves an NFT the signer owns or is approved for.
        case transferNFT(id: UInt64, to: Address)
        /// Approves `spender` (nil clears) to move the signer's NFT once.
        case approveNFT(id: UInt64, spender: Address?)
        /// Updates metadata of an NFT the signer owns (empty value removes the key).
        case updateNFTMetadata(id: UInt64, entries: [String: String])
        /// Locks the signer's tokens in a stream to `payee` over `[start, end]`.
        case openStream(payee: Address, token: TokenID, amount: UInt256, start: UInt64, end: UInt64)
        /// Pays the payee what has vested.
        case claimStream(id: UInt64)
        /// Pays what has vested and refunds the rest to the payer.
        case cancelStream(id: UInt64)
    }

    /// The module's name on the chain, `ledger`.
    public static let name = "ledger"

    /// The state before any call.
    public static func makeInitialState() -> State { State() }

    /// Runs one call; a thrown error refuses the transaction and reverts everything it did.
    public static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
        let sender = context.sender
        let now = context.timestamp
        switch call {
        case .createToken(let symbol, let name, let decimals):
            try context.world.ledger.createToken(symbol, name: name, decimals: decimals, minter: .account(sender), events: &context.events)
        case .mint(let token, let to, let amount):
            try requirePositive(amount)
            try context.world.ledger.mint(token, to: to, amount: amount, by: .account(sender), events: &context.events)
        case .burn(let token, let amount):
            try requirePositive(amount)
            try context.world.ledger.burn(token, from: sender, amount: amount, by: .account(sender), events: &context.events)
        case .transfer(let token, let to, let amount):
            try context.world.ledger.transfer(token, from: sender, to: to, amount: amount, events: &context.events)
        case .approve(let token, let spender, let amount):
            try context.world.ledger.approve(token, owner: sender, spender: spender, amount: amount, events: &context.events)
        case .transferFrom(let token, let owner, let to, let amount):
            try context.world.ledger.transferFrom(token, owner: owner, spender: sender, to: to, amount: amount, events: &context.events)
        case .mintNFT(let draft, let to):
            _ = try context.world.ledger.mintNFT(draft, to: to ?? sender, by: .account(sender), at: now, events: &context.events)
        case .transferNFT(let id, let to):
            try context.world.ledger.transferNFT(id, caller: sender, to: to, events: &context.events)
        case .approveNFT(let id, let spender):
            try context.world.ledger.approveNFT(id, caller: sender, spender: spender, events: &context.events)
        case .updateNFTMetadata(let id, let entries):
            try context.world.ledger.updateNFTMetadata(id, caller: sender, entries: entries, events: &context.events)
        case .openStream(let payee, let token, let amount, let start, let end):
            _ = try context.world.ledger.openStream(
                payer: sender, payee: payee, token: token, amount: amount, start: start, end: end, now: now, events: &context.events)
        case .claimStream(let id):
            _ = try context.world.ledger.claimStream(id, caller: sender, now: now, events: &context.events)
        case .cancelStream(let id):
            try context.world.ledger.cancelStream(id, caller: sender, now: now, events: &context.events)
        }
    }

    private static func requirePositive(_ amount: UInt256) throws(LedgerError) {
        guard !amount.isZero else { throw .zeroAmount(field: "amount") }
    }
}
