/// EIP-191 version `0x45` ("personal_sign") messages.
///
/// The signed digest is Keccak-256 of `"\u{19}Ethereum Signed Message:\n"`, the message length
/// in bytes as decimal ASCII, and the message itself. This is what MetaMask's `personal_sign`
/// and `eth_account.messages.encode_defunct` hash.
public enum PersonalMessage {
    /// The fixed EIP-191 prefix, before the decimal length.
    static let prefix: [UInt8] = Array("\u{19}Ethereum Signed Message:\n".utf8)

    /// The EIP-191 digest of `message`.
    public static func digest(_ message: [UInt8]) -> Hash32 {
        digest(of: message)
    }

    /// The EIP-191 digest of the UTF-8 bytes of `message`.
    public static func digest(_ message: String) -> Hash32 {
        digest(of: message.utf8)
    }

    private static func digest<C: Collection>(of message: C) -> Hash32 where C.Element == UInt8 {
        var hasher = Keccak256()
        hasher.update(prefix)
        hasher.update(String(message.count).utf8)
        hasher.update(message)
        return hasher.finalize()
    }

    /// The address that signed `message` as a personal message.
    /// - Throws: ``SignatureError/recoveryFailed`` when no key fits.
    public static func recoverSigner(of message: [UInt8], signature: Signature) throws(SignatureError) -> Address {
        try signature.recoverAddress(digest: digest(message))
    }

    /// The address that signed the UTF-8 bytes of `message` as a personal message.
    /// - Throws: ``SignatureError/recoveryFailed`` when no key fits.
    public static func recoverSigner(of message: String, signature: Signature) throws(SignatureError) -> Address {
        try signature.recoverAddress(digest: digest(message))
    }
}
