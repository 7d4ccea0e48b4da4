import Testing
import LedgerCore

/// Escrow through a protocol module (``VaultModule``) and a module that does not own it
/// (``IntruderModule``).
@Suite struct EscrowTests {
    let alice = Fixture.alice, bob = Fixture.bob, carol = Fixture.carol, dmt = Fixture.dmt

    /// A chain where bob opened escrow 1 (DMT) through the vault and deposited 600.
    func fundedEscrow() throws -> Chain {
        let chain = try Fixture.chain()
        let open = try chain.send(.open(token: dmt), to: VaultModule.self, from: bob)
        #expect(open.events.map(\.kind) == ["EscrowOpen"])
        try chain.send(.deposit(escrow: 1, amount: 600), to: VaultModule.self, from: bob)
        return chain
    }

    @Test func depositAndReleaseMoveTokensAndKeepTheBooks() throws {
        let chain = try fundedEscrow()
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 400)
        try chain.send(.release(escrow: 1, to: carol.address, amount: 250), to: VaultModule.self, from: alice)
        let escrow = try #require(chain.state.ledger.escrows[1])
        #expect(escrow.owner == "vault")
        #expect(escrow.deposited == 600)
        #expect(escrow.released == 250)
        #expect(escrow.held == 350)
        #expect(chain.state.ledger.balance(of: carol.address, in: dmt) == 250)
        #expect(chain.state(of: VaultModule.self).opened[1] == bob.address)
        expectSupplyConserved(chain)
    }

    @Test func releaseOfMoreThanHeldIsRefused() throws {
        let chain = try fundedEscrow()
        try expectRefused(LedgerError.escrowInsufficient(id: 1, held: 600, requested: 601), on: chain) {
            try chain.send(.release(escrow: 1, to: carol.address, amount: 601), to: VaultModule.self, from: alice)
        }
        try chain.send(.release(escrow: 1, to: carol.address, amount: 600), to: VaultModule.self, from: alice)
        try expectRefused(LedgerError.escrowInsufficient(id: 1, held: 0, requested: 1), on: chain) {
            try chain.send(.release(escrow: 1, to: carol.address, amount: 1), to: VaultModule.self, from: alice)
        }
    }

    @Test func anotherModuleCannotTouchTheEscrow() throws {
        let chain = try fundedEscrow()
        let refusal = LedgerError.escrowNotOwned(id: 1, owner: "vault", caller: "intruder")
        let calls: [IntruderModule.Call] = [
            .release(escrow: 1, to: carol.address, amount: 1), .deposit(escrow: 1, amount: 1),
            .mintInto(escrow: 1, amount: 1), .burnFrom(escrow: 1, amount: 1), .read(escrow: 1),
        ]
        for call in calls {
            try expectRefused(refusal, on: chain) { try chain.send(call, to: IntruderModule.self, from: carol) }
        }
    }

    @Test func unknownEscrowIsRefused() throws {
        let chain = try fundedEscrow()
        try expectRefused(LedgerError.unknownEscrow(9), on: chain) {
            try chain.send(.deposit(escrow: 9, amount: 1), to: VaultModule.self, from: bob)
        }
        try expectRefused(LedgerError.unknownToken(token("NOPE")), on: chain) {
            try chain.send(.open(token: token("NOPE")), to: VaultModule.self, from: bob)
        }
    }

    @Test func depositNeedsTheSignersBalance() throws {
        let chain = try fundedEscrow()
        try expectRefused(LedgerError.insufficientBalance(token: dmt, account: bob.address, balance: 400, needed: 401), on: chain) {
            try chain.send(.deposit(escrow: 1, amount: 401), to: VaultModule.self, from: bob)
        }
    }

    @Test func mintIntoAndBurnFromNeedTheModuleToBeMinter() throws {
        let chain = try fundedEscrow()
        // DMT's minter is alice, not the vault module.
        let refusal = LedgerError.notMinter(token: dmt, caller: .module("vault"), minter: .account(alice.address))
        try expectRefused(refusal, on: chain) { try chain.send(.mintInto(escrow: 1, amount: 1), to: VaultModule.self, from: alice) }
        try expectRefused(refusal, on: chain) { try chain.send(.burnFrom(escrow: 1, amount: 1), to: VaultModule.self, from: alice) }
        try expectRefused(refusal, on: chain) { try chain.send(.mint(token: dmt, to: bob.address, amount: 1), to: VaultModule.self, from: alice) }
    }

    @Test func aModuleMintsIntoAndBurnsFromItsOwnEscrowOfItsOwnToken() throws {
        let chain = try Fixture.chain()
        let vlt = token("VLT")
        try chain.send(.createToken(symbol: vlt), to: VaultModule.self, from: carol)
        #expect(try chain.state.ledger.token(vlt).minter == .module("vault"))
        try chain.send(.open(token: vlt), to: VaultModule.self, from: carol)
        try chain.send(.mintInto(escrow: 1, amount: 100), to: VaultModule.self, from: carol)
        try chain.send(.burnFrom(escrow: 1, amount: 40), to: VaultModule.self, from: carol)
        try expectRefused(LedgerError.escrowInsufficient(id: 1, held: 60, requested: 61), on: chain) {
            try chain.send(.burnFrom(escrow: 1, amount: 61), to: VaultModule.self, from: carol)
        }
        try chain.send(.release(escrow: 1, to: bob.address, amount: 60), to: VaultModule.self, from: carol)
        let escrow = try #require(chain.state.ledger.escrows[1])
        #expect((escrow.held, escrow.deposited, escrow.released) == (0, 100, 100))
        #expect(try chain.state.ledger.token(vlt).totalSupply == 60)
        expectSupplyConserved(chain)
    }

    @Test func aFailingCallRevertsItsDeposit() throws {
        let chain = try fundedEscrow()
        try expectRefused(VaultError.failedOnPurpose, on: chain) {
            try chain.send(.depositThenFail(escrow: 1, amount: 100), to: VaultModule.self, from: bob)
        }
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 400)
        #expect(chain.state.ledger.escrows[1]?.held == 600)
    }

    @Test func aDepositRefusedForOverflowLeavesNoTraceEvenIfTheModuleIgnoresTheError() throws {
        // `deposited` counts every deposit ever made; once it is at 2^256 − 1 a further deposit
        // must be refused whole, not debit the depositor and then give up.
        let chain = try Fixture.chain()
        let vlt = token("VLT")
        try chain.send(.createToken(symbol: vlt), to: VaultModule.self, from: carol)
        try chain.send(.open(token: vlt), to: VaultModule.self, from: carol)
        try chain.send(.mintInto(escrow: 1, amount: .max), to: VaultModule.self, from: carol)
        try chain.send(.burnFrom(escrow: 1, amount: .max), to: VaultModule.self, from: carol)
        try chain.send(.mint(token: vlt, to: carol.address, amount: 5), to: VaultModule.self, from: carol)
        try chain.send(.tryDeposit(escrow: 1, amount: 5), to: VaultModule.self, from: carol)
        #expect(chain.state.ledger.balance(of: carol.address, in: vlt) == 5)
        #expect(chain.state.ledger.escrows[1]?.held == .zero)
        expectSupplyConserved(chain)
    }
}
