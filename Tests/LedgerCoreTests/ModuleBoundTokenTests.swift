import Testing
@testable import LedgerCore

/// A module that creates a module-bound token and mints it, to test the ledger's refusals.
private enum BoundMinter: ChainModule {
    struct State: ModuleState {}
    enum Call: Codable, Sendable { case create, mint(to: Address, amount: UInt256), burn(amount: UInt256) }
    static let name = "bound-minter"
    static func makeInitialState() -> State { State() }
    static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
        let id = TokenID(unchecked: "BOUND")
        switch call {
        case .create: try context.createToken(id, name: "Bound", moduleBound: true)
        case .mint(let to, let amount): try context.mint(id, to: to, amount: amount)
        case .burn(let amount): try context.burnFromSender(id, amount: amount)
        }
    }
}

@Test func moduleBoundTokenMovesOnlyThroughItsModule() throws {
    let alice = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
    let bob = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
    let chain = try Chain.create(genesis: GenesisConfig(chainID: 9, timestamp: 1_700_000_000), modules: [BoundMinter.self])
    let bound = TokenID(unchecked: "BOUND")
    try chain.send(.create, to: BoundMinter.self, from: alice)
    try chain.send(.mint(to: alice.address, amount: 100), to: BoundMinter.self, from: alice)
    #expect(chain.state.ledger.tokens[bound]?.isModuleBound == true)
    #expect(throws: LedgerError.moduleBoundToken(token: bound, minter: .module("bound-minter"), operation: "transfer")) {
        try chain.send(.transfer(token: bound, to: bob.address, amount: 1), to: LedgerModule.self, from: alice)
    }
    try chain.send(.approve(token: bound, spender: bob.address, amount: 10), to: LedgerModule.self, from: alice)
    #expect(throws: LedgerError.moduleBoundToken(token: bound, minter: .module("bound-minter"), operation: "transfer")) {
        try chain.send(.transferFrom(token: bound, owner: alice.address, to: bob.address, amount: 1), to: LedgerModule.self, from: bob)
    }
    #expect(throws: LedgerError.moduleBoundToken(token: bound, minter: .module("bound-minter"), operation: "openStream")) {
        try chain.send(.openStream(payee: bob.address, token: bound, amount: 5, start: 1_800_000_000, end: 1_800_000_100), to: LedgerModule.self, from: alice)
    }
    try chain.send(.burn(amount: 40), to: BoundMinter.self, from: alice)
    #expect(chain.state.ledger.balance(of: alice.address, in: bound) == 60)
    #expect(chain.state.ledger.tokens[bound]?.totalSupply == 60)
}

@Test func ordinaryTokensKeepTheirEncoding() throws {
    let token = Token(id: TokenID(unchecked: "DMT"), name: "D", decimals: 18, minter: .module("m"), totalSupply: 5)
    let json = String(decoding: try CanonicalJSON.encode(token), as: UTF8.self)
    #expect(!json.contains("moduleBound"))
}

/// A module with two escrows of one token, to test moving between them.
private enum TwoPots: ChainModule {
    struct State: ModuleState { var a: UInt64 = 0; var b: UInt64 = 0 }
    enum Call: Codable, Sendable { case open(TokenID), deposit(UInt256), move(UInt256), moveToForeign(UInt64) }
    static let name = "two-pots"
    static func makeInitialState() -> State { State() }
    static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
        switch call {
        case .open(let t):
            state.a = try context.openEscrow(token: t, label: "a")
            state.b = try context.openEscrow(token: t, label: "b")
        case .deposit(let x): try context.depositFromSender(into: state.a, amount: x)
        case .move(let x): try context.move(from: state.a, to: state.b, amount: x)
        case .moveToForeign(let id): try context.move(from: state.a, to: id, amount: 1)
        }
    }
}

@Test func escrowMoveNeverExceedsWhatTheSourceHolds() throws {
    let alice = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
    let dmt = try TokenID("DMT")
    let genesis = GenesisConfig(chainID: 9, timestamp: 1_700_000_000, tokens: [
        .init(symbol: dmt, name: "D", balances: [.init(account: alice.address, amount: 100)])
    ])
    let chain = try Chain.create(genesis: genesis, modules: [TwoPots.self, BoundMinter.self])
    try chain.send(.open(dmt), to: TwoPots.self, from: alice)
    try chain.send(.deposit(30), to: TwoPots.self, from: alice)
    try chain.send(.move(20), to: TwoPots.self, from: alice)
    let pots = chain.state(of: TwoPots.self)
    #expect(chain.state.ledger.escrows[pots.a]?.held == 10)
    #expect(chain.state.ledger.escrows[pots.b]?.held == 20)
    #expect(throws: LedgerError.escrowInsufficient(id: pots.a, held: 10, requested: 11)) {
        try chain.send(.move(11), to: TwoPots.self, from: alice)
    }
    #expect(throws: LedgerError.unknownEscrow(99)) { try chain.send(.moveToForeign(99), to: TwoPots.self, from: alice) }
}
