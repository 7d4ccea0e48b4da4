/// The configuration a chain starts from: its id, its start time, and the tokens, balances
/// and minter roles that exist before the first transaction.
public struct GenesisConfig: Sendable, Codable, Equatable {
    /// A token that exists at genesis.
    public struct TokenAllocation: Sendable, Codable, Equatable {
        /// Its symbol.
        public var symbol: TokenID
        /// Its name.
        public var name: String
        /// Display decimals.
        public var decimals: UInt8
        /// The account allowed to mint and burn it; nil for a fixed supply.
        public var minter: Address?
        /// Initial balances; the initial supply is their sum.
        public var balances: [Balance]

        /// A genesis token.
        public init(symbol: TokenID, name: String, decimals: UInt8 = 18, minter: Address? = nil, balances: [Balance] = []) {
            self.symbol = symbol
            self.name = name
            self.decimals = decimals
            self.minter = minter
            self.balances = balances
        }
    }

    /// An initial balance.
    public struct Balance: Sendable, Codable, Equatable {
        /// The holder.
        public var account: Address
        /// The amount in smallest units.
        public var amount: UInt256
        /// An initial balance.
        public init(account: Address, amount: UInt256) {
            self.account = account
            self.amount = amount
        }
    }

    /// The chain id every transaction must name.
    public var chainID: UInt64
    /// The genesis block's timestamp.
    public var timestamp: UInt64
    /// Tokens that exist at genesis.
    public var tokens: [TokenAllocation]

    /// A genesis configuration.
    public init(chainID: UInt64, timestamp: UInt64, tokens: [TokenAllocation] = []) {
        self.chainID = chainID
        self.timestamp = timestamp
        self.tokens = tokens
    }

    /// Keccak-256 of the canonical JSON of this configuration.
    public func hash() throws -> Hash32 { Keccak256.hash(try CanonicalJSON.encode(self)) }

    /// The state and genesis block this configuration defines.
    func build() throws -> (state: ChainState, block: Block) {
        var state = ChainState()
        var events: [Event] = []
        // The minter of a fixed-supply token is a module name no module can have, so nobody can
        // ever mint or burn it.
        let fixedSupply = Authority.module("genesis:fixed-supply")
        for t in tokens {
            let minter = t.minter.map(Authority.account) ?? fixedSupply
            try state.ledger.createToken(t.symbol, name: t.name, decimals: t.decimals, minter: minter, events: &events)
            for b in t.balances where !b.amount.isZero {
                try state.ledger.mint(t.symbol, to: b.account, amount: b.amount, by: minter, events: &events)
            }
        }
        let receipts = [Receipt(transactionHash: .zero, sender: .zero, module: "genesis", events: events)]
        let header = BlockHeader(
            height: 0, parentHash: .zero, timestamp: timestamp, transactionsRoot: Block.transactionsRoot([]),
            receiptsRoot: Block.receiptsRoot(receipts), extra: try hash().bytes)
        // The genesis block has no transactions; its single pseudo-receipt carries the genesis
        // events so they are committed to like any other.
        let block = Block(header: header, transactions: [], receipts: receipts)
        state.height = 0
        state.lastBlockHash = block.hash
        state.timestamp = timestamp
        return (state, block)
    }
}
