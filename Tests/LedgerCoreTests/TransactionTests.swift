import Testing
import LedgerCore
import Foundation

/// Signed transactions: encoding, signer recovery, and every refusal with unchanged state.
@Suite struct TransactionTests {
    let alice = Fixture.alice, bob = Fixture.bob, dmt = Fixture.dmt

    func mintTx(nonce: UInt64 = 0, chainID: UInt64 = Fixture.chainID) throws -> SignedTransaction {
        try SignedTransaction.sign(LedgerModule.Call.mint(token: dmt, to: bob.address, amount: 5), for: LedgerModule.self,
                                   chainID: chainID, nonce: nonce, with: alice)
    }

    @Test func signerIsRecoveredAndTheEncodingIsVersioned() throws {
        let tx = try mintTx()
        #expect(try tx.recoverSender() == alice.address)
        var body: [UInt8] = [0x19, 0x44]
        RLP.list([.uint(1), .uint(7), .uint(0), .string("ledger"), .bytes(tx.call)]).append(to: &body)
        #expect(tx.signingDigest == Keccak256.hash(body))
        #expect(tx.hash == Keccak256.hash(tx.encoded))
        let items = try RLP.decode(tx.encoded).list("tx", count: 6)
        #expect(try items[0].uint64("version") == SignedTransaction.version)
        #expect(try items[5].bytes("signature") == tx.signature.bytes)
        #expect(String(decoding: tx.call, as: UTF8.self)
            == #"{"mint":{"amount":"5","to":"\#(bob.address.checksummed)","token":"DMT"}}"#)
    }

    @Test func decodingRoundTripsAndRefusesTrailingBytes() throws {
        let tx = try mintTx(nonce: 3)
        #expect(try SignedTransaction(encoded: tx.encoded) == tx)
        #expect(throws: TransactionError.malformed(RLPError.trailingBytes(count: 1).description)) {
            try SignedTransaction(encoded: tx.encoded + [0x00])
        }
        #expect(throws: TransactionError.malformed(RLPError.wrongItemCount(field: "transaction", expected: 6, actual: 5).description)) {
            try SignedTransaction(encoded: RLP.list(Array(try RLP.decode(tx.encoded).list("t").prefix(5))).encoded)
        }
    }

    /// The RLP items of `tx` with item `index` replaced.
    func reencoded(_ tx: SignedTransaction, replacing index: Int, with item: RLP) throws -> [UInt8] {
        var items = try RLP.decode(tx.encoded).list("tx")
        items[index] = item
        return RLP.list(items).encoded
    }

    @Test func otherVersionsAndBadModuleNamesAreRefused() throws {
        let tx = try mintTx()
        #expect(throws: TransactionError.unsupportedVersion(found: 3, supported: 2)) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 0, with: .uint(3)))
        }
        // Version 2 (the EIP-712 envelope) has one more item, the sender.
        #expect(throws: TransactionError.malformed(RLPError.wrongItemCount(field: "transaction", expected: 7, actual: 6).description)) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 0, with: .uint(2)))
        }
        #expect(throws: TransactionError.invalidModuleName("Ledger")) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 3, with: .string("Ledger")))
        }
        #expect(throws: TransactionError.invalidModuleName("")) {
            try signRaw(module: "", call: tx.call, nonce: 0, key: alice)
        }
    }

    @Test func highSSignaturesAreRefused() throws {
        let tx = try mintTx()
        let s = tx.signature.s
        let highS = subtract(groupOrder, s)
        let flippedV: UInt8 = 27 + (1 - tx.signature.recoveryID)  // (r, n − s, v ^ 1) is the malleated twin
        #expect(throws: TransactionError.badSignature(.highS)) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 5, with: .bytes(tx.signature.r + highS + [flippedV])))
        }
        #expect(throws: SignatureError.highS) { try Signature(r: tx.signature.r, s: highS, recoveryID: 0) }
    }

    @Test func malformedSignaturesAreRefusedWhenDecoded() throws {
        let tx = try mintTx()
        let sig = tx.signature
        #expect(throws: TransactionError.badSignature(.wrongLength(expected: 65, actual: 64))) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 5, with: .bytes(sig.r + sig.s)))
        }
        #expect(throws: TransactionError.badSignature(.zeroS)) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 5, with: .bytes(sig.r + [UInt8](repeating: 0, count: 32) + [27])))
        }
        #expect(throws: TransactionError.badSignature(.recoveryIDOutOfRange(29))) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 5, with: .bytes(sig.r + sig.s + [29])))
        }
    }

    /// A tampered signature or payload either recovers no key or recovers someone else, who is
    /// not the minter: never alice. The chain refuses it and nothing changes.
    @Test func tamperedTransactionsNeverActForTheSigner() throws {
        let chain = try Fixture.chain()
        let tx = try mintTx()
        let sig = tx.signature
        var variants: [SignedTransaction] = []
        for i in [0, 13, 31] {
            var r = sig.r
            r[i] ^= 0x01
            if let s = try? Signature(r: r, s: sig.s, recoveryID: sig.recoveryID) {
                variants.append(try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: tx.call, signature: s))
            }
            var s2 = sig.s
            s2[max(i, 1)] ^= 0x01
            if let s = try? Signature(r: sig.r, s: s2, recoveryID: sig.recoveryID) {
                variants.append(try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: tx.call, signature: s))
            }
        }
        // Wrong recovery id.
        variants.append(try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: tx.call,
                                              signature: Signature(r: sig.r, s: sig.s, recoveryID: 1 - sig.recoveryID)))
        // A tampered payload byte under the original signature: 5 becomes 6.
        var call = tx.call
        let five = try #require(call.firstIndex(of: UInt8(ascii: "5")))
        call[five] = UInt8(ascii: "6")
        variants.append(try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: call, signature: sig))
        #expect(variants.count >= 7)
        for forged in variants {
            #expect((try? forged.recoverSender()) != alice.address)
            try expectRefused(on: chain) { try chain.submit(forged) } where: { error in
                switch error {
                case TransactionError.badSignature: return true
                case LedgerError.notMinter(_, let caller, _): return caller != .account(alice.address)
                default: return false
                }
            }
        }
        // The genuine one still goes through.
        try chain.submit(tx)
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 1005)
    }

    @Test func aNonceMustBeExactlyTheNextOne() throws {
        let chain = try Fixture.chain()
        let first = try mintTx(nonce: 0)
        try chain.submit(first)
        try expectRefused(TransactionError.wrongNonce(account: alice.address, expected: 1, found: 0), on: chain) {
            try chain.submit(first)  // replay of the same transaction
        }
        try expectRefused(TransactionError.wrongNonce(account: alice.address, expected: 1, found: 0), on: chain) {
            try chain.submit(try mintTx(nonce: 0))  // reused nonce, fresh signature
        }
        try expectRefused(TransactionError.wrongNonce(account: alice.address, expected: 1, found: 2), on: chain) {
            try chain.submit(try mintTx(nonce: 2))  // skipped nonce
        }
        try chain.submit(try mintTx(nonce: 1))
        #expect(chain.nonce(of: alice.address) == 2)
    }

    @Test func aRefusedCallDoesNotConsumeTheNonce() throws {
        let chain = try Fixture.chain()
        try expectRefused(LedgerError.notMinter(token: dmt, caller: .account(bob.address), minter: .account(alice.address)), on: chain) {
            try chain.send(.mint(token: dmt, to: bob.address, amount: 1), to: LedgerModule.self, from: bob)
        }
        #expect(chain.nonce(of: bob.address) == 0)
    }

    @Test func anotherChainIDIsRefused() throws {
        let chain = try Fixture.chain()
        try expectRefused(TransactionError.wrongChain(expected: 7, found: 8), on: chain) {
            try chain.submit(try mintTx(chainID: 8))
        }
    }

    @Test func anUnknownModuleIsRefused() throws {
        let chain = try Fixture.chain()
        try expectRefused(TransactionError.unknownModule("market"), on: chain) {
            try chain.submit(try signRaw(module: "market", call: Array("{}".utf8), nonce: 0, key: alice))
        }
    }

    @Test func malformedCallJSONIsRefusedNamingTheField() throws {
        let chain = try Fixture.chain()
        for json in [#"{"mint":"#, #"{"fly":{}}"#, #"{"mint":{"amount":"5","token":"DMT"}}"#, #"{"mint":{"amount":"-5","to":"\#(bob.address)","token":"DMT"}}"#, "", "null"] {
            try expectRefused(on: chain) {
                try chain.submit(try signRaw(module: "ledger", call: Array(json.utf8), nonce: 0, key: alice))
            } where: { error in
                guard case .malformedCall(let field, let reason) = error as? TransactionError else { return false }
                return field == "ledger call" && !reason.isEmpty
            }
        }
    }

    @Test func nonCanonicalCallJSONIsRefused() throws {
        let chain = try Fixture.chain()
        let canonical = String(decoding: try mintTx().call, as: UTF8.self)
        let to = bob.address.checksummed
        let variants = [
            canonical.replacingOccurrences(of: to, with: to.lowercased()),  // lowercase address
            #"{"mint":{"token":"DMT","to":"\#(to)","amount":"5"}}"#,  // reordered keys
            canonical.replacingOccurrences(of: ":{", with: ": {"),  // white space
            canonical + "\n",  // trailing white space
            canonical.replacingOccurrences(of: #""amount":"5""#, with: #""amount":"05""#),  // leading zero
            canonical.replacingOccurrences(of: "DMT", with: #"D\u004dT"#),  // escaped letter
        ]
        for json in variants {
            #expect(json != canonical)
            try expectRefused(on: chain) {
                try chain.submit(try signRaw(module: "ledger", call: Array(json.utf8), nonce: 0, key: alice))
            } where: { error in
                switch error as? TransactionError {
                case .nonCanonicalCall(let field): return field == "ledger call"
                case .malformedCall(let field, _): return field == "ledger call"  // e.g. a strict amount parser
                default: return false
                }
            }
        }
        // The canonical form itself goes through.
        try chain.submit(try signRaw(module: "ledger", call: Array(canonical.utf8), nonce: 0, key: alice))
    }

    @Test func aCallAboveTheSizeLimitIsRefused() throws {
        let big = [UInt8](repeating: 0x20, count: SignedTransaction.maxCallBytes + 1)
        #expect(throws: TransactionError.callTooLarge(bytes: big.count, limit: SignedTransaction.maxCallBytes)) {
            try signRaw(module: "ledger", call: big, nonce: 0, key: alice)
        }
        let tx = try mintTx()
        #expect(throws: TransactionError.callTooLarge(bytes: big.count, limit: SignedTransaction.maxCallBytes)) {
            try SignedTransaction(encoded: try reencoded(tx, replacing: 4, with: .bytes(big)))
        }
    }

    @Test func aBatchKeepsTheGoodAndReportsTheRefused() throws {
        let chain = try Fixture.chain()
        let good = try mintTx(nonce: 0)
        let bad = try SignedTransaction.sign(LedgerModule.Call.transfer(token: dmt, to: alice.address, amount: 5000), for: LedgerModule.self,
                                             chainID: 7, nonce: 0, with: bob)
        let outcome = try chain.submit([bad, good])
        #expect(outcome.block.transactions == [good])
        #expect(outcome.rejected.map(\.index) == [0])
        #expect(outcome.rejected.first?.error as? LedgerError == .insufficientBalance(token: dmt, account: bob.address, balance: 1000, needed: 5000))
        let before = try Observed(chain)
        #expect(throws: ChainError.noTransactionAccepted(count: 2)) { try chain.submit([bad, bad]) }
        #expect(try Observed(chain) == before)
    }

    @Test func randomBytesAreNeverATransaction() {
        var rng = SplitMix64(seed: 77)
        for _ in 0..<5000 {
            #expect(throws: TransactionError.self) { try SignedTransaction(encoded: rng.bytes(Int.random(in: 0...120, using: &rng))) }
        }
    }
}
