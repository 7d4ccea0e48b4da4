import Testing
import LedgerCore

/// Fungible tokens through signed transactions: every success and every refusal.
@Suite struct TokenTests {
    let alice = Fixture.alice, bob = Fixture.bob, carol = Fixture.carol, dmt = Fixture.dmt

    @Test func transferMovesBalanceAndEmitsTransfer() throws {
        let chain = try Fixture.chain()
        let receipt = try chain.send(.transfer(token: dmt, to: carol.address, amount: 250), to: LedgerModule.self, from: bob)
        #expect(receipt.events == [Event(module: "ledger", kind: "Transfer", accounts: [bob.address, carol.address], fields: [
            .init("token", "DMT"), .init("amount", "250"),
        ])])
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 750)
        #expect(chain.state.ledger.balance(of: carol.address, in: dmt) == 250)
        #expect(try chain.state.ledger.token(dmt).totalSupply == 1_001_000)
        expectSupplyConserved(chain)
    }

    @Test func transferOfMoreThanTheBalanceIsRefused() throws {
        let chain = try Fixture.chain()
        try expectRefused(LedgerError.insufficientBalance(token: dmt, account: bob.address, balance: 1000, needed: 1001), on: chain) {
            try chain.send(.transfer(token: dmt, to: carol.address, amount: 1001), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.unknownToken(token("NOPE")), on: chain) {
            try chain.send(.transfer(token: token("NOPE"), to: carol.address, amount: 1), to: LedgerModule.self, from: bob)
        }
    }

    @Test func transferFromSpendsTheAllowanceAndRefusesMore() throws {
        let chain = try Fixture.chain()
        try chain.send(.approve(token: dmt, spender: carol.address, amount: 300), to: LedgerModule.self, from: bob)
        #expect(chain.state.ledger.allowance(token: dmt, owner: bob.address, spender: carol.address) == 300)
        try chain.send(.transferFrom(token: dmt, owner: bob.address, to: carol.address, amount: 200), to: LedgerModule.self, from: carol)
        #expect(chain.state.ledger.allowance(token: dmt, owner: bob.address, spender: carol.address) == 100)
        #expect(chain.state.ledger.balance(of: carol.address, in: dmt) == 200)
        try expectRefused(LedgerError.allowanceExceeded(token: dmt, owner: bob.address, spender: carol.address, allowance: 100, needed: 101), on: chain) {
            try chain.send(.transferFrom(token: dmt, owner: bob.address, to: carol.address, amount: 101), to: LedgerModule.self, from: carol)
        }
        // Nobody else may spend carol's allowance.
        try expectRefused(LedgerError.allowanceExceeded(token: dmt, owner: bob.address, spender: alice.address, allowance: 0, needed: 1), on: chain) {
            try chain.send(.transferFrom(token: dmt, owner: bob.address, to: alice.address, amount: 1), to: LedgerModule.self, from: alice)
        }
        // Approving zero removes the allowance.
        try chain.send(.approve(token: dmt, spender: carol.address, amount: 0), to: LedgerModule.self, from: bob)
        #expect(chain.state.ledger.allowances.isEmpty)
    }

    @Test func allowanceAboveTheBalanceStillNeedsTheBalance() throws {
        let chain = try Fixture.chain()
        try chain.send(.approve(token: dmt, spender: carol.address, amount: 5000), to: LedgerModule.self, from: bob)
        try expectRefused(LedgerError.insufficientBalance(token: dmt, account: bob.address, balance: 1000, needed: 2000), on: chain) {
            try chain.send(.transferFrom(token: dmt, owner: bob.address, to: carol.address, amount: 2000), to: LedgerModule.self, from: carol)
        }
    }

    @Test func onlyTheMinterMintsAndBurns() throws {
        let chain = try Fixture.chain()
        try chain.send(.mint(token: dmt, to: carol.address, amount: 5), to: LedgerModule.self, from: alice)
        try chain.send(.burn(token: dmt, amount: 7), to: LedgerModule.self, from: alice)
        #expect(try chain.state.ledger.token(dmt).totalSupply == 1_000_998)
        try expectRefused(LedgerError.notMinter(token: dmt, caller: .account(bob.address), minter: .account(alice.address)), on: chain) {
            try chain.send(.mint(token: dmt, to: bob.address, amount: 1), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.notMinter(token: dmt, caller: .account(bob.address), minter: .account(alice.address)), on: chain) {
            try chain.send(.burn(token: dmt, amount: 1), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.insufficientBalance(token: dmt, account: alice.address, balance: 999_993, needed: 999_994), on: chain) {
            try chain.send(.burn(token: dmt, amount: 999_994), to: LedgerModule.self, from: alice)
        }
        expectSupplyConserved(chain)
    }

    @Test func aFixedSupplyTokenCanNeverBeMinted() throws {
        let fixed = token("FIX")
        let chain = try Fixture.chain(Fixture.genesis(extra: [.init(symbol: fixed, name: "Fixed", balances: [.init(account: alice.address, amount: 10)])]))
        try expectRefused(LedgerError.notMinter(token: fixed, caller: .account(alice.address), minter: .module("genesis:fixed-supply")), on: chain) {
            try chain.send(.mint(token: fixed, to: alice.address, amount: 1), to: LedgerModule.self, from: alice)
        }
    }

    @Test func zeroMintAndBurnAreRefused() throws {
        let chain = try Fixture.chain()
        try expectRefused(LedgerError.zeroAmount(field: "amount"), on: chain) {
            try chain.send(.mint(token: dmt, to: bob.address, amount: 0), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.zeroAmount(field: "amount"), on: chain) {
            try chain.send(.burn(token: dmt, amount: 0), to: LedgerModule.self, from: alice)
        }
    }

    @Test func createTokenMakesTheSignerMinterAndRefusesDuplicatesAndBadFields() throws {
        let chain = try Fixture.chain()
        let new = token("NEW.1")
        try chain.send(.createToken(symbol: new, name: "New", decimals: 6), to: LedgerModule.self, from: carol)
        #expect(try chain.state.ledger.token(new).minter == .account(carol.address))
        #expect(try chain.state.ledger.token(new).totalSupply == .zero)
        try expectRefused(LedgerError.tokenExists(new), on: chain) {
            try chain.send(.createToken(symbol: new, name: "Again", decimals: 6), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.tokenExists(dmt), on: chain) {
            try chain.send(.createToken(symbol: dmt, name: "Again", decimals: 18), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.invalidArgument(field: "name", reason: "expected 1-64 bytes of text, got 0"), on: chain) {
            try chain.send(.createToken(symbol: token("X"), name: "", decimals: 6), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.invalidArgument(field: "decimals", reason: "expected 0...36, got 37"), on: chain) {
            try chain.send(.createToken(symbol: token("X"), name: "X", decimals: 37), to: LedgerModule.self, from: bob)
        }
    }

    @Test(arguments: ["", "dmt", "1AB", "A B", "ABCDEFGHIJKLMNOPQRSTUVWXY", "Ä", "A/B"])
    func invalidSymbolsAreRefused(symbol: String) throws {
        #expect(throws: LedgerError.invalidSymbol(symbol)) { try TokenID(symbol) }
        // And a signed call naming one is refused before it runs, with the symbol in the reason.
        let chain = try Fixture.chain()
        let json = #"{"createToken":{"decimals":6,"name":"X","symbol":"\#(symbol)"}}"#
        let tx = try signRaw(module: "ledger", call: Array(json.utf8), nonce: 0, key: bob)
        try expectRefused(on: chain) { try chain.submit(tx) } where: { error in
            guard case .malformedCall(let field, let reason) = error as? TransactionError else { return false }
            return field == "ledger call" && reason.contains("token symbol")
        }
    }

    @Test func validSymbolsAreAccepted() throws {
        for symbol in ["A", "DMT", "ABCDEFGHIJKLMNOPQRSTUVWX", "M-1_X.Y"] {
            #expect(try TokenID(symbol).symbol == symbol)
        }
    }

    @Test func mintBeyondTwoToThe256IsRefusedAsOverflow() throws {
        let big = token("BIG")
        let chain = try Fixture.chain(Fixture.genesis(extra: [
            .init(symbol: big, name: "Big", minter: alice.address, balances: [
                .init(account: alice.address, amount: .max - 1), .init(account: bob.address, amount: 1),
            ]),
        ]))
        #expect(try chain.state.ledger.token(big).totalSupply == .max)
        try expectRefused(on: chain) {
            try chain.send(.mint(token: big, to: carol.address, amount: 1), to: LedgerModule.self, from: alice)
        } where: { error in
            guard case .arithmetic(.overflow) = error as? LedgerError else { return false }
            return true
        }
        // A transfer of everything to one account cannot overflow: balances never exceed supply.
        try chain.send(.transfer(token: big, to: bob.address, amount: .max - 1), to: LedgerModule.self, from: alice)
        #expect(chain.state.ledger.balance(of: bob.address, in: big) == .max)
        expectSupplyConserved(chain)
    }

    @Test func aMintRefusedForOverflowLeavesNoTraceEvenIfTheModuleIgnoresTheError() throws {
        // A module may try an operation and go on without it; the ledger operation itself must
        // then be all or nothing, or the balance is credited without the supply.
        let chain = try Fixture.chain()
        let vlt = token("VLT")
        try chain.send(.createToken(symbol: vlt), to: VaultModule.self, from: alice)
        try chain.send(.mint(token: vlt, to: alice.address, amount: .max), to: VaultModule.self, from: alice)
        try chain.send(.tryMint(token: vlt, to: bob.address, amount: 1), to: VaultModule.self, from: alice)
        #expect(chain.state.ledger.balance(of: bob.address, in: vlt) == .zero)
        #expect(try chain.state.ledger.token(vlt).totalSupply == .max)
        expectSupplyConserved(chain)
    }
}

