// Chain fixtures shared by the LedgerCore chain suites: keys, a genesis, temporary folders,
// a state snapshot helper, the supply invariant, and two small protocol modules that use
// escrow the way MarketKit will (one owns escrows, the other tries to touch them).

import DataMarketTesting
import Foundation
import Testing
@testable import LedgerCore

/// A deterministic key from `seed` (``TestKeys/spread(_:)``).
func testKey(_ seed: UInt64) -> PrivateKey { TestKeys.spread(seed) }

/// A token symbol known to be valid.
func token(_ symbol: String) -> TokenID { TokenID(unchecked: symbol) }

/// A 20-byte address made of one repeated byte.
func address(_ byte: UInt8) -> Address { (try? Address(bytes: [UInt8](repeating: byte, count: 20))) ?? .zero }

enum Fixture {
    static let chainID: UInt64 = 7
    static let start: UInt64 = 1_700_000_000
    static let alice = testKey(1)
    static let bob = testKey(2)
    static let carol = testKey(3)
    static let dmt = token("DMT")

    /// The test chain: DMT minted by alice: alice 1,000,000, bob 1,000.
    static func builder() -> TestChain {
        var builder = TestChain(chainID: chainID, start: start)
        builder.fund(dmt, minter: alice.address, [(alice.address, 1_000_000), (bob.address, 1_000)])
        return builder
    }

    /// The test chain's genesis, with `extra` tokens.
    static func genesis(extra: [GenesisConfig.TokenAllocation] = []) -> GenesisConfig {
        var genesis = builder().genesis()
        genesis.tokens += extra
        return genesis
    }

    /// A fresh in-memory chain hosting the test modules.
    static func chain(_ genesis: GenesisConfig = genesis(), clock: ManualClock? = nil) throws -> Chain {
        try Chain.create(genesis: genesis, modules: testModules, clock: clock ?? ManualClock(start))
    }

    /// The modules every chain of these suites hosts.
    static let testModules: [any ChainModule.Type] = [VaultModule.self, IntruderModule.self]
}

/// What a refused transaction must leave untouched.
struct Observed: Equatable {
    let height: UInt64
    let stateHash: Hash32
    let blockCount: Int

    init(_ chain: Chain) throws {
        height = chain.height
        stateHash = try chain.stateHash()
        blockCount = try chain.blocks().count
    }
}

/// Σ balances + Σ escrow.held + Σ stream.locked for `token`, or nil on overflow.
func accountedSupply(of token: TokenID, in ledger: LedgerState) -> UInt256? {
    var sum = UInt256.zero
    for (key, value) in ledger.balances.sorted where key.token == token {
        guard let s = try? sum + value else { return nil }
        sum = s
    }
    for escrow in ledger.escrows.values where escrow.token == token {
        guard let s = try? sum + escrow.held else { return nil }
        sum = s
    }
    for stream in ledger.streams.values where stream.token == token {
        guard let s = try? sum + stream.locked else { return nil }
        sum = s
    }
    return sum
}

// MARK: - Test modules

/// Why the vault module refused a call.
enum VaultError: Error, Equatable, Sendable {
    /// The call was told to fail after doing its work (to test the revert).
    case failedOnPurpose
}

/// A protocol module that owns escrows: open, deposit from the signer, release, mint into and
/// burn from its escrows, and mint a token it created.
enum VaultModule: ChainModule {
    struct State: ModuleState {
        var opened: StateMap<UInt64, Address> = [:]
        var calls: UInt64 = 0
    }

    enum Call: Codable, Sendable {
        case open(token: TokenID)
        case deposit(escrow: UInt64, amount: UInt256)
        case release(escrow: UInt64, to: Address, amount: UInt256)
        case createToken(symbol: TokenID)
        case mint(token: TokenID, to: Address, amount: UInt256)
        case mintInto(escrow: UInt64, amount: UInt256)
        case burnFrom(escrow: UInt64, amount: UInt256)
        /// Deposits, then throws: nothing may remain.
        case depositThenFail(escrow: UInt64, amount: UInt256)
        /// Mints but ignores a refusal, as a module that "tries" a payment would.
        case tryMint(token: TokenID, to: Address, amount: UInt256)
        /// Deposits but ignores a refusal.
        case tryDeposit(escrow: UInt64, amount: UInt256)
    }

    static let name = "vault"
    static func makeInitialState() -> State { State() }

    static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
        state.calls += 1
        switch call {
        case .open(let token):
            let id = try context.openEscrow(token: token, label: "vault of \(context.sender)")
            state.opened[id] = context.sender
        case .deposit(let escrow, let amount):
            try context.depositFromSender(into: escrow, amount: amount)
        case .release(let escrow, let to, let amount):
            try context.release(from: escrow, to: to, amount: amount)
        case .createToken(let symbol):
            try context.createToken(symbol, name: "Vault \(symbol)")
        case .mint(let token, let to, let amount):
            try context.mint(token, to: to, amount: amount)
        case .mintInto(let escrow, let amount):
            try context.mint(into: escrow, amount: amount)
        case .burnFrom(let escrow, let amount):
            try context.burn(from: escrow, amount: amount)
        case .depositThenFail(let escrow, let amount):
            try context.depositFromSender(into: escrow, amount: amount)
            throw VaultError.failedOnPurpose
        case .tryMint(let token, let to, let amount):
            try? context.mint(token, to: to, amount: amount)
        case .tryDeposit(let escrow, let amount):
            try? context.depositFromSender(into: escrow, amount: amount)
        }
    }
}

/// A module that tries to use escrows it does not own.
enum IntruderModule: ChainModule {
    struct State: ModuleState {}

    enum Call: Codable, Sendable {
        case release(escrow: UInt64, to: Address, amount: UInt256)
        case deposit(escrow: UInt64, amount: UInt256)
        case mintInto(escrow: UInt64, amount: UInt256)
        case burnFrom(escrow: UInt64, amount: UInt256)
        case read(escrow: UInt64)
    }

    static let name = "intruder"
    static func makeInitialState() -> State { State() }

    static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws {
        switch call {
        case .release(let escrow, let to, let amount): try context.release(from: escrow, to: to, amount: amount)
        case .deposit(let escrow, let amount): try context.depositFromSender(into: escrow, amount: amount)
        case .mintInto(let escrow, let amount): try context.mint(into: escrow, amount: amount)
        case .burnFrom(let escrow, let amount): try context.burn(from: escrow, amount: amount)
        case .read(let escrow): _ = try context.escrow(escrow)
        }
    }
}

// MARK: - Refusals

/// Runs `body`, expects it to throw exactly `expected`, and expects the chain's height, state
/// hash and stored blocks to be what they were before.
func expectRefused<E: Error & Equatable>(
    _ expected: E, on chain: Chain, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) throws {
    let before = try Observed(chain)
    #expect(throws: expected, sourceLocation: sourceLocation) { try body() }
    #expect(try Observed(chain) == before, "a refused transaction changed the chain", sourceLocation: sourceLocation)
}

/// Like ``expectRefused(_:on:sourceLocation:_:)`` for errors matched by a predicate.
func expectRefused(
    on chain: Chain, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void,
    where matches: (any Error) -> Bool
) throws {
    let before = try Observed(chain)
    #expect(sourceLocation: sourceLocation) { try body() } throws: { matches($0) }
    #expect(try Observed(chain) == before, "a refused transaction changed the chain", sourceLocation: sourceLocation)
}

/// Checks the supply invariant for every token of `chain`.
func expectSupplyConserved(_ chain: Chain, sourceLocation: SourceLocation = #_sourceLocation) {
    let ledger = chain.state.ledger
    for token in ledger.tokens.values {
        #expect(accountedSupply(of: token.id, in: ledger) == token.totalSupply,
                "\(token.id): balances + escrow + streams differ from the total supply", sourceLocation: sourceLocation)
    }
}

/// A transaction with a raw call payload, signed by `key` (for malformed and non-canonical calls).
func signRaw(module: String, call: [UInt8], nonce: UInt64, chainID: UInt64 = Fixture.chainID, key: PrivateKey) throws -> SignedTransaction {
    let digest = SignedTransaction.digest(chainID: chainID, nonce: nonce, module: module, call: call)
    return try SignedTransaction(chainID: chainID, nonce: nonce, module: module, call: call, signature: key.sign(digest: digest))
}
