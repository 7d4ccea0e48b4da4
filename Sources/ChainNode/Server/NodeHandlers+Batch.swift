import Foundation
import LedgerCore
import OpenAPIRuntime

extension NodeHandlers {
    /// The most transactions one `POST /transactions/batch` carries.
    static let maxBatch = 1_000

    /// `POST /transactions/batch`: every framed transaction decoded first (a bad one fails the
    /// whole batch with a 400 naming its index), then each admitted exactly as a single submit
    /// admits it, in body order; each answered with its status or its typed refusal.
    func submitTransactionBatch(_ input: Operations.SubmitTransactionBatch.Input) async throws -> Operations.SubmitTransactionBatch.Output {
        let raw: [UInt8]
        switch input.body {
        case .binary(let body):
            // NodeErrorMiddleware has already held the body to the size limit.
            raw = try await [UInt8](collecting: body, upTo: node.configuration.maxBodyBytes)
        }
        let transactions = try Self.batch(raw)
        var results: [NodeAPI.TransactionStatusBody] = []
        results.reserveCapacity(transactions.count)
        for tx in transactions {
            let hash = tx.hash
            do throws(NodeError) {
                let sender: Address
                do { sender = try tx.recoverSender() } catch { throw NodeError.refusal(error) }
                _ = try await node.submit(tx, sender: sender)
                results.append(NodeAPI.TransactionStatusBody(hash: hash, status: try await node.status(of: hash) ?? .pending))
            } catch {
                results.append(NodeAPI.TransactionStatusBody(hash: hash, status: .refused(code: error.code, reason: error.detail)))
            }
        }
        return .ok(.init(body: .json(NodeAPI.TransactionBatchResult(results: results))))
    }

    /// The transactions of a batch body (framed as ``BinaryBlockPage`` frames blocks).
    static func batch(_ raw: [UInt8]) throws(NodeError) -> [SignedTransaction] {
        var out: [SignedTransaction] = []
        var p = 0
        while p < raw.count {
            let index = out.count
            guard index < maxBatch else { throw .badRequest("transactions: more than \(maxBatch); expected at most \(maxBatch) in one batch") }
            guard raw.count - p >= 4 else {
                throw .badRequest("transactions[\(index)]: the body ends \(raw.count - p) bytes into its length prefix; expected a 4-byte big-endian length")
            }
            let length = raw[p..<p + 4].reduce(0) { $0 << 8 | Int($1) }
            p += 4
            guard raw.count - p >= length else {
                throw .badRequest("transactions[\(index)]: the body ends \(raw.count - p) bytes into its \(length)-byte encoding; expected the whole encoding its length prefix announces")
            }
            do { out.append(try SignedTransaction(encoded: Array(raw[p..<p + length]))) } catch {
                throw .badRequest("transactions[\(index)]: \(error); expected a transaction's canonical RLP bytes")
            }
            p += length
        }
        guard !out.isEmpty else { throw .badRequest("transactions: the batch is empty; expected at least one framed transaction") }
        return out
    }
}
