import DataMarketTesting
import Foundation
import Testing
import LedgerCore

/// The EIP-712 transaction envelope: same replay protections as the native one, its own
/// canonical encoding, and refusal of anything changed after signing.
@Suite struct TypedTransactionTests {
    let alice = Fixture.alice, bob = Fixture.bob, dmt = Fixture.dmt

    func transfer(_ amount: UInt64 = 5, nonce: UInt64 = 0, chainID: UInt64 = Fixture.chainID, key: PrivateKey? = nil) throws -> SignedTransaction {
        try SignedTransaction.signTyped(LedgerModule.Call.transfer(token: dmt, to: bob.address, amount: UInt256(amount)), for: LedgerModule.self,
                                        chainID: chainID, nonce: nonce, with: key ?? alice)
    }

    @Test func theFastDigestEqualsTheGeneralTypedDataHash() throws {
        let tx = try transfer(nonce: 3)
        let typed = tx.typedData(from: alice.address)
        #expect(try typed.domainSeparator() == TransactionTypedData.domainSeparator(chainID: 7))
        #expect(try typed.signingDigest() == tx.signingDigest)
        #expect(try typed.encodeType("Transaction") == "Transaction(address from,string module,string call,uint256 nonce,uint256 chainId)")
        #expect(try typed.encodeType("EIP712Domain") == "EIP712Domain(string name,string version,uint256 chainId)")
        #expect(typed.message["call"] == .string(String(decoding: tx.call, as: UTF8.self)))
        #expect(try tx.recoverSender() == alice.address)
    }

    @Test func theEnvelopeIsPartOfTheCanonicalEncoding() throws {
        let typed = try transfer()
        let native = try SignedTransaction.sign(LedgerModule.Call.transfer(token: dmt, to: bob.address, amount: 5), for: LedgerModule.self,
                                                chainID: 7, nonce: 0, with: alice)
        #expect(typed.call == native.call)
        #expect(typed.hash != native.hash)
        let items = try RLP.decode(typed.encoded).list("tx", count: 7)
        #expect(try items[0].uint64("version") == 2)
        #expect(try items[5].bytes("from") == alice.address.bytes)
        #expect(try SignedTransaction(encoded: typed.encoded) == typed)
        #expect(try SignedTransaction(encoded: native.encoded) == native)
        #expect(try SignedTransaction(encoded: native.encoded).envelope == .native)
    }

    @Test func bothEnvelopesShareOneNonceSequenceAndTheChainReplaysThem() throws {
        let folder = temporaryFolder("typed")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try FileBlockStore(folder: folder)
        let chain = try Chain.create(genesis: Fixture.genesis(), store: store, clock: ManualClock(Fixture.start))
        try chain.submit(try transfer(nonce: 0))
        try chain.send(.transfer(token: dmt, to: bob.address, amount: 1), to: LedgerModule.self, from: alice)
        try chain.submit(try transfer(7, nonce: 2))
        #expect(chain.nonce(of: alice.address) == 3)
        #expect(chain.state.ledger.balance(of: bob.address, in: dmt) == 1_013)
        let reopened = try Chain.open(store: FileBlockStore(folder: folder))
        #expect(try reopened.stateHash() == (try chain.stateHash()))
        #expect(try reopened.verify().transactions == 3)
    }

    @Test func aReusedNonceAnotherChainAndAHighSAreRefused() throws {
        let chain = try Fixture.chain()
        let first = try transfer(nonce: 0)
        try chain.submit(first)
        try expectRefused(TransactionError.wrongNonce(account: alice.address, expected: 1, found: 0), on: chain) { try chain.submit(first) }
        try expectRefused(TransactionError.wrongNonce(account: alice.address, expected: 1, found: 0), on: chain) { try chain.submit(try transfer(9, nonce: 0)) }
        try expectRefused(TransactionError.wrongChain(expected: 7, found: 8), on: chain) { try chain.submit(try transfer(nonce: 1, chainID: 8)) }
        // The high-s twin of a valid signature does not even parse.
        let sig = try transfer(nonce: 1).signature
        #expect(throws: SignatureError.highS) {
            try Signature(r: sig.r, s: subtract(groupOrder, sig.s), recoveryID: 1 - sig.recoveryID)
        }
    }

    @Test func aFieldChangedAfterSigningIsRefusedAsASignerMismatch() throws {
        let chain = try Fixture.chain()
        let tx = try transfer(nonce: 0)
        let before = try Observed(chain)
        var call = tx.call
        let five = try #require(call.firstIndex(of: UInt8(ascii: "5")))
        call[five] = UInt8(ascii: "6")
        let forgeries = [
            try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: call, signature: tx.signature, envelope: tx.envelope),
            try SignedTransaction(chainID: 7, nonce: 1, module: "ledger", call: tx.call, signature: tx.signature, envelope: tx.envelope),
            try SignedTransaction(chainID: 8, nonce: 0, module: "ledger", call: tx.call, signature: tx.signature, envelope: tx.envelope),
            try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: tx.call, signature: tx.signature, envelope: .eip712(from: bob.address)),
            // The same signature read as a native transaction.
            try SignedTransaction(chainID: 7, nonce: 0, module: "ledger", call: tx.call, signature: tx.signature),
        ]
        for forged in forgeries {
            #expect(throws: (any Error).self) { try chain.submit(forged) }
            if case .eip712(let from) = forged.envelope {
                #expect {
                    try forged.recoverSender()
                } throws: { error in
                    guard case .signerMismatch(let declared, let recovered) = error as? TransactionError else { return false }
                    return declared == from && recovered != from
                }
            } else {
                #expect((try? forged.recoverSender()) != alice.address)
            }
        }
        #expect(try Observed(chain) == before)
        try chain.submit(tx)
        #expect(throws: TransactionError.malformedCall(field: "ledger call", reason: "not UTF-8 text; the EIP-712 envelope signs the call as a string")) {
            try SignedTransaction(chainID: 7, nonce: 1, module: "ledger", call: [0x7b, 0xff, 0x7d], signature: tx.signature, envelope: tx.envelope)
        }
    }

    @Test func anEthAccountSignedTransactionIsBuiltIdenticallyAndAccepted() throws {
        let v = try #require(try TypedDataTests.vectors().first { $0.name == "transaction" })
        let signer = try Address(v.signer)
        let bob = try Address("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        // The library's own builder spells exactly what eth-account signed.
        let call = try CanonicalJSON.encode(LedgerModule.Call.transfer(token: dmt, to: bob, amount: 5))
        #expect(TransactionTypedData.typedData(from: signer, chainID: 7, nonce: 0, module: "ledger", call: call) == v.typedData)
        #expect(TransactionTypedData.domainSeparator(chainID: 7).hex == v.domainSeparator)
        #expect(TransactionTypedData.messageHash(from: signer, chainID: 7, nonce: 0, module: "ledger", call: call).hex == v.messageHash)
        let tx = try SignedTransaction(typedData: v.typedData, signature: try Signature(hex: v.signature))
        #expect(tx.signingDigest.hex == v.digest)
        let genesis = GenesisConfig(chainID: 7, timestamp: Fixture.start, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", minter: signer, balances: [.init(account: signer, amount: 100)]),
        ])
        let chain = try Chain.create(genesis: genesis, clock: ManualClock(Fixture.start))
        let receipt = try chain.submit(tx)
        #expect(receipt.sender == signer)
        #expect(chain.state.ledger.balance(of: bob, in: dmt) == 5)
    }

    @Test func typedDataFromAWalletRoundTripsIntoTheSameTransaction() throws {
        let tx = try transfer(nonce: 0)
        let json = try tx.typedData(from: alice.address).json()
        let parsed = try TypedData(json: json)
        let rebuilt = try SignedTransaction(typedData: parsed, signature: tx.signature)
        #expect(rebuilt == tx)
        // Anything but the exact envelope is refused before a signature is even checked.
        var otherDomain = parsed
        otherDomain.domain["name"] = .string("Other")
        #expect(throws: TransactionError.self) { try SignedTransaction(typedData: otherDomain, signature: tx.signature) }
        var split = parsed
        split.domain["chainId"] = .unsigned(8)
        #expect(throws: TransactionError.typedData(.notATransaction("message.chainId 7 differs from domain.chainId 8"))) {
            try SignedTransaction(typedData: split, signature: tx.signature)
        }
        var extra = parsed
        extra.types["Transaction"]?.append(.init(name: "memo", type: "string"))
        #expect(throws: TransactionError.self) { try SignedTransaction(typedData: extra, signature: tx.signature) }
    }
}
