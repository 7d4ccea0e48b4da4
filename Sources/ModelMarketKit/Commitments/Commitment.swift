public import LedgerCore

/// Salted commitments bound to their committer and their bounty.
///
/// ```
/// commitment = Keccak256(RLP([domain, bountyID, committer, salt, payloadHash]))
/// ```
///
/// - `domain`: a UTF-8 tag naming the protocol and the role, so a commitment made for one
///   purpose can never be replayed for another (``Domain``).
/// - `bountyID`: the bounty's id as a minimal big-endian integer, so a commitment cannot be
///   replayed on another bounty.
/// - `committer`: the 20 address bytes of the account that will reveal it. A commitment copied
///   from another trainer's submission is worthless: revealing the same payload and salt from
///   the copier's address hashes to a different value.
/// - `salt`: 32 secret random bytes (``Salt``).
/// - `payloadHash`: Keccak-256 of the payload's canonical encoding (``truthPayloadHash(labels:)``,
///   ``predictionPayloadHash(predictions:modelHash:)``, ``IntegerModel/validationPayloadHash(features:labels:)``).
public enum Commitment {
    /// What a commitment is for.
    public enum Domain: String, Sendable, Codable, CaseIterable {
        /// A requester's hidden ground-truth labels.
        case truth = "DataMarket/ModelBounty/truth/v1"
        /// A trainer's predictions and model hash.
        case submission = "DataMarket/ModelBounty/submission/v1"
        /// A data-bounty sponsor's validation set.
        case validation = "DataMarket/DataBounty/validation/v1"
    }

    /// The commitment to `payloadHash` by `committer` for bounty `bountyID`.
    public static func make(_ domain: Domain, bountyID: UInt64, committer: Address, salt: Salt, payloadHash: Hash32) -> Hash32 {
        Keccak256.hash(RLP.list([
            .string(domain.rawValue), .uint(bountyID), .bytes(committer.bytes), .bytes(salt.bytes), .bytes(payloadHash.bytes),
        ]).encoded)
    }

    /// Keccak-256 of `RLP(labels)`, each label an 8-byte big-endian two's-complement integer.
    public static func truthPayloadHash(labels: [Int64]) -> Hash32 {
        Keccak256.hash(integers(labels).encoded)
    }

    /// Keccak-256 of `RLP([predictions, modelHash])`, predictions encoded as for labels.
    public static func predictionPayloadHash(predictions: [Int64], modelHash: Hash32) -> Hash32 {
        Keccak256.hash(RLP.list([integers(predictions), .bytes(modelHash.bytes)]).encoded)
    }

    /// An integer vector as an RLP list of fixed-width (8-byte, big-endian, two's-complement)
    /// byte strings: one encoding per vector, negative values included.
    public static func integers(_ values: [Int64]) -> RLP {
        .list(values.map { value in
            let bits = UInt64(bitPattern: value)
            return .bytes((0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) })
        })
    }
}

/// Why a salt or a commitment was refused.
public enum CommitmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A salt of other than 32 bytes.
    case wrongSaltLength(found: Int)
    /// A salt that is not hex.
    case malformedSalt(reason: String)
    /// A revealed payload that does not hash to the commitment.
    case mismatch(expected: Hash32, computed: Hash32)

    /// What was wrong with the salt, payload or reveal and what was expected.
    public var description: String {
        switch self {
        case .wrongSaltLength(let n): "salt: \(n) bytes, expected exactly 32"
        case .malformedSalt(let r): "salt: \(r); expected 0x followed by 64 hex digits"
        case .mismatch(let e, let c): "commitment: revealed data hashes to \(c), expected the committed \(e)"
        }
    }
}
