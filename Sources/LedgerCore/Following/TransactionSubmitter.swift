/// Where a service that follows a chain from elsewhere (a node over the network) sends its own
/// signed transactions, and learns the height of the block that includes each one.
///
/// A service on the chain's own machine writes through a ``Chain`` handle instead; one on
/// another machine submits through the node it follows (ChainNode's `NodeSubmitter`), then
/// waits for its ``ChainFollower`` to reach that height before deciding anything else.
public protocol TransactionSubmitter: Sendable {
    /// Submits `transaction` and returns once a block includes it: the block's height.
    ///
    /// - Throws: ``SubmissionError/refused(code:detail:)`` when the chain refuses it for good,
    ///   ``SubmissionError/unavailable(_:)`` when its fate is not known (retry later).
    func submitAndWait(_ transaction: SignedTransaction) async throws(SubmissionError) -> UInt64
}

/// Why a ``TransactionSubmitter`` could not report a transaction as included.
public enum SubmissionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The chain refused it for good; `code` is the typed error's `Type.case`
    /// (e.g. `MarketError.unknownJob`), `detail` its text.
    case refused(code: String, detail: String)
    /// It could not be submitted, or was not included in time; it may still be, so the caller
    /// retries later (a resubmission of the same bytes is harmless).
    case unavailable(String)

    /// What went wrong and what was expected.
    public var description: String {
        switch self {
        case .refused(let code, let detail): "refused by the chain (\(code)): \(detail)"
        case .unavailable(let reason): "not included yet: \(reason); expected the node to include it, retry later"
        }
    }
}
