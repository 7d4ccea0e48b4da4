public import LedgerCore

/// The JSON shapes of the node's API (see `/openapi.json`). Hashes and addresses are 0x hex,
/// amounts decimal strings of smallest units.
public enum NodeAPI {
    /// `POST /transactions` with a JSON body.
    public struct SubmitRequest: Codable, Sendable {
        /// The transaction's canonical RLP bytes in 0x hex.
        public let transaction: String
        /// A request body carrying `transaction`.
        public init(transaction: String) { self.transaction = transaction }
    }

    /// A transaction's status, as submit and `GET /transactions/{hash}` answer it.
    public struct TransactionStatusBody: Codable, Sendable, Equatable {
        /// The transaction hash.
        public let hash: Hash32
        /// `pending`, `included` or `refused`.
        public let status: String
        /// The block height when included.
        public let height: UInt64?
        /// The block hash when included.
        public let blockHash: Hash32?
        /// The position in the block when included.
        public let index: Int?
        /// The receipt when included.
        public let receipt: Receipt?
        /// The typed error's code when refused.
        public let error: String?
        /// The refusal's text when refused.
        public let detail: String?

        /// The body for `status` of `hash`.
        public init(hash: Hash32, status: TransactionStatus) {
            self.hash = hash
            switch status {
            case .pending:
                (self.status, height, blockHash, index, receipt, error, detail) = ("pending", nil, nil, nil, nil, nil, nil)
            case .included(let h, let b, let i, let r):
                (self.status, height, blockHash, index, receipt, error, detail) = ("included", h, b, i, r, nil, nil)
            case .refused(let code, let reason):
                (self.status, height, blockHash, index, receipt, error, detail) = ("refused", nil, nil, nil, nil, code, reason)
            }
        }
    }

    /// `POST /transactions/batch`: one status per transaction, in body order (a refusal is
    /// status `refused` with the typed error's code and text).
    public struct TransactionBatchResult: Codable, Sendable, Equatable, Hashable {
        /// The statuses, in the order the transactions came.
        public let results: [TransactionStatusBody]
        /// A batch answer carrying `results`.
        public init(results: [TransactionStatusBody]) { self.results = results }
    }

    /// An error body: `{"error": code, "detail": text}`.
    public struct ErrorBody: Codable, Sendable, Equatable {
        /// Machine-readable code.
        public let error: String
        /// What was wrong and what was expected.
        public let detail: String
        /// An error body.
        public init(error: String, detail: String) {
            self.error = error
            self.detail = detail
        }
    }

    /// `GET /head`.
    public struct Head: Codable, Sendable, Equatable {
        /// The chain id transactions must be signed for.
        public let chainID: UInt64
        /// The newest block's height.
        public let height: UInt64
        /// The newest block's hash.
        public let hash: Hash32
        /// The newest block's time.
        public let timestamp: UInt64
        /// Keccak-256 of the whole state after the newest block.
        public let stateHash: Hash32
        /// Transactions waiting in the pool.
        public let pending: Int
        /// Whether chain time may be warped.
        public let dev: Bool
        /// The hosted modules.
        public let modules: [String]
        /// On a follower, where replicating its leader stands; absent on a leader.
        public var following: Following? = nil
    }

    /// A follower's replication, in `GET /head`.
    public struct Following: Codable, Sendable, Equatable {
        /// The leader's base URL.
        public let leader: String
        /// `following`, or `refused` once a leader's block did not verify.
        public let state: String
        /// The height of the refused block.
        public let refusedHeight: UInt64?
        /// Why it was refused.
        public let refusal: String?
        /// The last passing failure (leader unreachable), if replication is paused.
        public let lastError: String?

        /// The body for `status`.
        public init(_ status: FollowStatus) {
            leader = status.leader
            state = status.refusedHeight == nil ? "following" : "refused"
            refusedHeight = status.refusedHeight
            refusal = status.refusal
            lastError = status.lastError
        }
    }

    /// One token balance of an account.
    public struct Balance: Codable, Sendable, Equatable {
        /// The token symbol.
        public let token: TokenID
        /// The balance in smallest units.
        public let balance: UInt256
        /// The token's decimals.
        public let decimals: UInt8
    }

    /// `GET /accounts/{address}`.
    public struct Account: Codable, Sendable, Equatable {
        /// The account.
        public let address: Address
        /// Its next nonce on the chain.
        public let nonce: UInt64
        /// Its next nonce counting its pending transactions: the one to sign with next.
        public let pendingNonce: UInt64
        /// Its balance of every token, by symbol.
        public let balances: [Balance]
    }

    /// One transaction of a block.
    public struct BlockTransaction: Codable, Sendable, Equatable {
        /// The transaction hash.
        public let hash: Hash32
        /// The signer (from the receipt).
        public let sender: Address
        /// The sender's nonce.
        public let nonce: UInt64
        /// The module called.
        public let module: String
        /// The canonical RLP bytes in 0x hex.
        public let raw: String
    }

    /// A block: header fields, transactions, receipts, and its canonical bytes for verification.
    public struct BlockBody: Codable, Sendable, Equatable {
        /// The height.
        public let height: UInt64
        /// The block hash.
        public let hash: Hash32
        /// The parent's hash.
        public let parentHash: Hash32
        /// The block time.
        public let timestamp: UInt64
        /// The header's transactions root.
        public let transactionsRoot: Hash32
        /// The header's receipts root.
        public let receiptsRoot: Hash32
        /// The transactions, in order.
        public let transactions: [BlockTransaction]
        /// Their receipts, in order.
        public let receipts: [Receipt]
        /// The block's canonical bytes (`Block.encoded`) in 0x hex.
        public let encoded: String

        /// The body of `block`.
        public init(_ block: Block) {
            height = block.height
            hash = block.hash
            parentHash = block.header.parentHash
            timestamp = block.header.timestamp
            transactionsRoot = block.header.transactionsRoot
            receiptsRoot = block.header.receiptsRoot
            transactions = block.transactions.enumerated().map { i, tx in
                BlockTransaction(
                    hash: tx.hash, sender: i < block.receipts.count ? block.receipts[i].sender : Address.zero, nonce: tx.nonce,
                    module: tx.module, raw: Hex.encode(tx.encoded))
            }
            receipts = block.receipts
            encoded = Hex.encode(block.encoded)
        }
    }

    /// `GET /blocks`.
    public struct BlockPage: Codable, Sendable, Equatable {
        /// The blocks, in height order.
        public let blocks: [BlockBody]
        /// The height to ask for next, when more blocks exist.
        public let next: UInt64?
    }

    /// An event with where it happened.
    public struct EventRecord: Codable, Sendable, Equatable {
        /// The block height.
        public let height: UInt64
        /// The block time.
        public let timestamp: UInt64
        /// The emitting transaction (zero for genesis).
        public let transactionHash: Hash32
        /// The event.
        public let event: Event
    }

    /// `GET /events`.
    public struct EventPage: Codable, Sendable, Equatable {
        /// The events, in chain order.
        public let events: [EventRecord]
    }

    /// `POST /chain/warp`.
    public struct WarpRequest: Codable, Sendable {
        /// Seconds to move chain time forward.
        public let seconds: UInt64
    }
}
