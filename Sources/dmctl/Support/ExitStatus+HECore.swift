import HECore

/// HECore's refusals: malformed or mismatched input is a usage error (exit 2); an overflow
/// found after homomorphic arithmetic is a refusal (exit 1).
extension HEError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        case .decodingOverflow, .doubleOverflow, .aggregationBoundExceeded, .gradientBoundExceeded,
             .packingBoundExceeded, .packedValueOutOfRange, .exponentAlignmentOverflow:
            return .refused
        case .malformedInteger, .malformedJSON, .unsupportedKeySize, .invalidModulus, .invalidPrivateKey,
             .ciphertextOutOfRange, .ciphertextNotInvertible, .keyMismatch, .encodingOverflow,
             .corruptedEncoding, .nonFiniteValue, .invalidPrecision, .exponentIncrease,
             .exponentOutOfRange, .lengthMismatch, .emptyInput, .exponentMismatch,
             .invalidPackingRange, .packingLayoutMismatch:
            return .usage
        }
    }
}
