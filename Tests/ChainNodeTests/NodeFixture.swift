import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore

/// Keys, a genesis and signed transfers for the node suites.
enum NodeFixture {
    static let chainID: UInt64 = 4242
    static let start: UInt64 = 1_750_000_000
    static let keys = (0..<4).map { PrivateKey.derived(seed: 13, label: "node-test/\($0)") }
    static let dmt = TokenID(unchecked: "DMT")

    /// DMT: each of ``keys`` holds 1,000 smallest units.
    static func chain() throws -> Chain {
        let genesis = GenesisConfig(chainID: chainID, timestamp: start, tokens: [
            .init(symbol: dmt, name: "DataMarket Token", minter: keys[0].address, balances: keys.map { .init(account: $0.address, amount: 1_000) })
        ])
        return try Chain.create(genesis: genesis, clock: ManualClock(start))
    }

    /// A started node over a fresh chain.
    static func node(_ configuration: NodeConfiguration = NodeConfiguration(blockIntervalMilliseconds: 20)) async throws -> Node {
        let node = try Node(chain: try chain(), configuration: configuration)
        await node.start()
        return node
    }

    /// `amount` DMT from `key` to `to`, signed at `nonce`.
    static func transfer(_ key: PrivateKey, to: Address, amount: UInt256, nonce: UInt64) throws -> SignedTransaction {
        try SignedTransaction.sign(LedgerModule.Call.transfer(token: dmt, to: to, amount: amount), for: LedgerModule.self, chainID: chainID, nonce: nonce, with: key)
    }

    /// The JSON submit body for `tx`.
    static func body(_ tx: SignedTransaction) -> ByteBuffer {
        ByteBuffer(string: #"{"transaction": "\#(Hex.encode(tx.encoded))"}"#)
    }

    /// The JSON object of a response body.
    static func object(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }
}
