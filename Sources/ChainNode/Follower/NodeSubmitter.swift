public import LedgerCore
import Foundation

/// A `TransactionSubmitter` that submits through a node's HTTP API and waits for
/// inclusion there (`POST /transactions?wait=true`): what a service on another machine (a
/// datatrust following a node) uses instead of a local chain writer.
public struct NodeSubmitter: TransactionSubmitter {
    /// The node submitted to.
    public let node: RemoteNode
    /// How long the node is asked to wait for the block, in seconds (at most 120).
    public let waitSeconds: UInt64

    /// A submitter through `node`, waiting up to `waitSeconds` per transaction.
    public init(node: RemoteNode, waitSeconds: UInt64 = 60) {
        self.node = node
        self.waitSeconds = min(120, max(1, waitSeconds))
    }

    /// Submits `transaction` and returns the height of the block that includes it.
    public func submitAndWait(_ transaction: SignedTransaction) async throws(SubmissionError) -> UInt64 {
        let outcome: NodeAPI.TransactionStatusBody
        do { outcome = try await node.submit(transaction, waitSeconds: waitSeconds) } catch {
            if case .answered(_, let status, let code, let detail) = error, status == 422 || status == 400 || status == 403 {
                throw .refused(code: code.isEmpty ? "refused" : code, detail: detail)
            }
            throw .unavailable("\(error)")
        }
        switch outcome.status {
        case "included":
            guard let height = outcome.height else { throw .unavailable("the node reported \(outcome.hash) included without a height") }
            return height
        case "refused":
            throw .refused(code: outcome.error ?? "refused", detail: outcome.detail ?? "refused by the node")
        default:
            throw .unavailable("\(outcome.hash) is still \(outcome.status) after \(waitSeconds) s at \(node.base.absoluteString)")
        }
    }
}
