import Testing
import LedgerCore

/// Seeded random sequences of valid and invalid operations on dozens of accounts and several
/// tokens, escrows and streams; the invariants are checked after every block.
@Suite struct LedgerPropertyTests {
    static let accounts = (100..<130).map { testKey(UInt64($0)) }  // 30 accounts
    static let tokens = [token("AAA"), token("BBB")]
    static let vlt = token("VLT")

    struct Simulation {
        var rng: SplitMix64
        let chain: Chain
        let clock: ManualClock
        var refusedSingles = 0
        var rejectedInBatches = 0

        init(seed: UInt64) throws {
            rng = SplitMix64(seed: seed)
            clock = ManualClock(Fixture.start)
            let accounts = LedgerPropertyTests.accounts
            let genesis = GenesisConfig(chainID: 7, timestamp: Fixture.start, tokens: LedgerPropertyTests.tokens.enumerated().map { i, t in
                .init(symbol: t, name: t.symbol, minter: accounts[i].address, balances: accounts.map { .init(account: $0.address, amount: 10_000) })
            })
            chain = try Chain.create(genesis: genesis, modules: [VaultModule.self], clock: clock)
            try chain.send(.createToken(symbol: LedgerPropertyTests.vlt), to: VaultModule.self, from: accounts[0])
        }

        mutating func pick<T>(_ array: [T]) -> T { array[Int.random(in: 0..<array.count, using: &rng)] }
        mutating func amount(upTo limit: UInt64) -> UInt256 { UInt256(UInt64.random(in: 0...limit, using: &rng)) }

        /// A random transaction from `key` (valid or not) at nonce `nonce`.
        mutating func randomTransaction(from key: PrivateKey, nonce: UInt64) throws -> SignedTransaction {
            let ledger = chain.state.ledger
            let token = pick(LedgerPropertyTests.tokens + [LedgerPropertyTests.vlt])
            let other = pick(LedgerPropertyTests.accounts).address
            let balance = ledger.balance(of: key.address, in: token).uint64Value ?? 0
            let escrowCount = ledger.nextEscrowID - 1
            let streamCount = ledger.nextStreamID - 1
            let now = chain.state.timestamp
            func ledgerTx(_ call: LedgerModule.Call) throws -> SignedTransaction {
                try SignedTransaction.sign(call, for: LedgerModule.self, chainID: 7, nonce: nonce, with: key)
            }
            func vaultTx(_ call: VaultModule.Call) throws -> SignedTransaction {
                try SignedTransaction.sign(call, for: VaultModule.self, chainID: 7, nonce: nonce, with: key)
            }
            // Amounts up to 120% of the balance: most succeed, some are refused.
            let spend = amount(upTo: balance + balance / 5 + 1)
            let escrow = UInt64.random(in: 1...(escrowCount + 1), using: &rng)
            let stream = UInt64.random(in: 1...(streamCount + 1), using: &rng)
            switch Int.random(in: 0..<20, using: &rng) {
            case 0...4: return try ledgerTx(.transfer(token: token, to: other, amount: spend))
            case 5: return try ledgerTx(.approve(token: token, spender: other, amount: amount(upTo: 5000)))
            case 6: return try ledgerTx(.transferFrom(token: token, owner: other, to: pick(LedgerPropertyTests.accounts).address, amount: amount(upTo: 3000)))
            case 7: return try ledgerTx(.mint(token: token, to: other, amount: amount(upTo: 5000)))  // usually not the minter
            case 8: return try ledgerTx(.burn(token: token, amount: spend))
            case 9: return try vaultTx(.open(token: token))
            case 10, 11: return try vaultTx(.deposit(escrow: escrow, amount: spend))
            case 12: return try vaultTx(.release(escrow: escrow, to: other, amount: amount(upTo: 4000)))
            case 13: return try vaultTx(Bool.random(using: &rng) ? .mintInto(escrow: escrow, amount: amount(upTo: 3000)) : .burnFrom(escrow: escrow, amount: amount(upTo: 3000)))
            case 14: return try vaultTx(Bool.random(using: &rng) ? .tryDeposit(escrow: escrow, amount: spend) : .depositThenFail(escrow: escrow, amount: spend))
            case 15: return try vaultTx(.tryMint(token: LedgerPropertyTests.vlt, to: other, amount: amount(upTo: 2000)))
            case 16:
                let start = now + UInt64.random(in: 0...50, using: &rng)
                return try ledgerTx(.openStream(payee: other, token: token, amount: spend, start: start, end: start + UInt64.random(in: 0...300, using: &rng)))
            case 17: return try ledgerTx(.claimStream(id: stream))
            case 18: return try ledgerTx(.cancelStream(id: stream))
            default:
                // A transaction that must be refused before it runs: wrong nonce or chain id.
                if Bool.random(using: &rng) {
                    return try SignedTransaction.sign(LedgerModule.Call.transfer(token: token, to: other, amount: 1), for: LedgerModule.self,
                                                      chainID: 7, nonce: nonce + UInt64.random(in: 1...3, using: &rng), with: key)
                }
                return try SignedTransaction.sign(LedgerModule.Call.transfer(token: token, to: other, amount: 1), for: LedgerModule.self,
                                                  chainID: 8, nonce: nonce, with: key)
            }
        }

        /// One block: either one transaction on its own (a refusal must change nothing at all)
        /// or a batch from distinct senders.
        mutating func step() throws {
            if Bool.random(using: &rng) { try clock.warp(by: UInt64.random(in: 0...40, using: &rng)) }
            if Int.random(in: 0..<3, using: &rng) == 0 {
                let key = pick(LedgerPropertyTests.accounts)
                let tx = try randomTransaction(from: key, nonce: chain.nonce(of: key.address))
                let before = try Observed(chain)
                let ledgerBefore = chain.state.ledger
                do {
                    try chain.submit(tx)
                } catch {
                    refusedSingles += 1
                    #expect(try Observed(chain) == before, "refused \(error) changed the chain")
                    #expect(chain.state.ledger == ledgerBefore)
                }
            } else {
                var senders = LedgerPropertyTests.accounts
                senders.shuffle(using: &rng)
                let txs = try senders.prefix(Int.random(in: 1...12, using: &rng)).map { key in
                    try randomTransaction(from: key, nonce: chain.nonce(of: key.address))
                }
                do {
                    rejectedInBatches += try chain.submit(txs).rejected.count
                } catch ChainError.noTransactionAccepted {
                    rejectedInBatches += txs.count
                } catch {
                    rejectedInBatches += 1
                }
            }
        }

        func checkInvariants() {
            let ledger = chain.state.ledger
            for token in ledger.tokens.values {
                #expect(accountedSupply(of: token.id, in: ledger) == token.totalSupply,
                        "\(token.id) at height \(chain.height): Σ balances + Σ escrow.held + Σ stream.locked ≠ totalSupply")
            }
            for escrow in ledger.escrows.values {
                #expect(escrow.released <= escrow.deposited, "escrow \(escrow.id) paid out more than was deposited")
                #expect((try? escrow.deposited - escrow.released) == escrow.held, "escrow \(escrow.id): held ≠ deposited − released")
            }
            for stream in ledger.streams.values {
                #expect((try? stream.claimed + stream.refunded).map { $0 <= stream.amount } == true)
                #expect(stream.claimed <= stream.vested(at: chain.state.timestamp))
            }
        }
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func invariantsHoldOverThousandsOfRandomOperations(seed: UInt64) throws {
        var sim = try Simulation(seed: seed)
        for _ in 0..<260 {
            try sim.step()
            sim.checkInvariants()
        }
        let ledger = sim.chain.state.ledger
        // The run exercised what it claims to: many blocks, escrows, streams, refusals.
        #expect(sim.chain.height > 150)
        #expect(ledger.escrows.count >= 5)
        #expect(ledger.streams.count >= 5)
        #expect(sim.refusedSingles > 10)
        #expect(sim.rejectedInBatches > 50)
        let txCount = try sim.chain.blocks().reduce(0) { $0 + $1.transactions.count }
        #expect(txCount + sim.refusedSingles + sim.rejectedInBatches >= 1000)
        // A replay of the blocks (which hold only the accepted transactions) reaches the same
        // state: what was refused left nothing behind.
        #expect(try sim.chain.verify().stateHash == sim.chain.stateHash())
    }
}
