internal import GMPSupport
import Foundation

// MARK: - Decimal text

extension BigInteger: CustomStringConvertible, LosslessStringConvertible {
    /// Parses a decimal integer: an optional `-` followed by at least one digit, nothing else.
    ///
    /// - Throws: `HEError.malformedInteger` naming `field` when the text is not of that form.
    public convenience init(decimal text: String, field: String = "value") throws(HEError) {
        let bytes = Array(text.utf8)
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .malformedInteger(field: field, expected: "decimal digits with an optional leading '-'")
        }
        var valid = false
        self.init { valid = $0.setDecimal(text) }
        guard valid else {
            throw .malformedInteger(field: field, expected: "decimal digits with an optional leading '-'")
        }
    }

    /// Parses a decimal integer; nil when the text is not one.
    public convenience init?(_ description: String) {
        try? self.init(decimal: description)
    }

    /// The value in decimal.
    public var description: String { decimalString }

    /// The value in decimal, with a leading `-` when negative.
    public var decimalString: String {
        raw.decimalString
    }
}

// MARK: - Big-endian bytes

extension BigInteger {
    /// Creates the non-negative integer whose big-endian bytes are `bytes` (empty means 0).
    public convenience init(bigEndianBytes bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        self.init { $0.setBigEndian(array) }
    }

    /// The magnitude as minimal big-endian bytes; zero is the single byte `0` (as phe writes it).
    public var bigEndianMagnitude: [UInt8] {
        isZero ? [0] : raw.bigEndianMagnitude
    }
}

// MARK: - base64url

extension BigInteger {
    /// Parses a non-negative integer from base64url (RFC 4648 §5) of its big-endian bytes;
    /// padding is optional.
    ///
    /// - Throws: `HEError.malformedInteger` naming `field` for characters outside the alphabet
    ///   or an impossible length.
    public convenience init(base64URL text: String, field: String = "value") throws(HEError) {
        let expected = "base64url text (A–Z a–z 0–9 - _, no padding needed)"
        var standard = ""
        standard.reserveCapacity(text.utf8.count + 3)
        var seenPadding = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9":
                guard !seenPadding else { throw .malformedInteger(field: field, expected: expected) }
                standard.unicodeScalars.append(scalar)
            case "-": standard.append("+")
            case "_": standard.append("/")
            case "=": seenPadding = true
            default: throw .malformedInteger(field: field, expected: expected)
            }
        }
        guard !standard.isEmpty, standard.utf8.count % 4 != 1 else {
            throw .malformedInteger(field: field, expected: expected)
        }
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: standard) else {
            throw .malformedInteger(field: field, expected: expected)
        }
        self.init(bigEndianBytes: data)
    }

    /// The magnitude as unpadded base64url of its minimal big-endian bytes (phe's `int_to_base64`).
    public var base64URLString: String {
        Data(bigEndianMagnitude).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
