public import LedgerCore

// The EIP-712 login: a web page logs a wallet user in with one `eth_signTypedData_v4`.

extension Datatrust {
    /// The EIP-712 typed data a wallet signs to log in, as an alternative to the EIP-191
    /// ``loginMessage(datatrust:nonce:expires:)`` (``issueToken(_:)`` accepts either signature
    /// in ``TokenRequest/signature``).
    ///
    ///     EIP712Domain(string name,string version)      name "DataMarket datatrust", version "1"
    ///     Login(string datatrust,bytes32 nonce,uint256 expires)
    ///
    /// The fields are those of the ``NonceChallenge``, so a page can build it from the challenge
    /// alone. The domain has no `chainId`: a login is not a chain transaction, and MetaMask then
    /// signs whatever network the wallet is on; the single-use nonce and the datatrust's name stop
    /// replay. No `verifyingContract` or `salt` either.
    public static func loginTypedData(datatrust: String, nonce: String, expires: Int64) -> TypedData {
        TypedData(
            types: [
                "EIP712Domain": [.init(name: "name", type: "string"), .init(name: "version", type: "string")],
                "Login": [.init(name: "datatrust", type: "string"), .init(name: "nonce", type: "bytes32"), .init(name: "expires", type: "uint256")],
            ],
            primaryType: "Login",
            domain: ["name": .string("DataMarket datatrust"), "version": .string("1")],
            message: [
                "datatrust": .string(datatrust), "nonce": .string(nonce),
                "expires": expires >= 0 ? .integer(UInt64(expires)) : .signed(expires),
            ])
    }

    /// Who signed the login for this nonce, as an EIP-191 personal message or as EIP-712 typed
    /// data: `claimed` when either signature is `claimed`'s, otherwise the EIP-191 signer (for
    /// the error message). Shared by every service that logs wallets in the datatrust's way
    /// (the datatrust, the model host), so they all accept both signatures.
    ///
    /// - Parameters:
    ///   - datatrust: the service's name as it appears in the login (a model host's name).
    ///   - nonce: the nonce the service issued.
    ///   - expires: the login's expiry, unix seconds, as signed.
    ///   - signature: the caller's signature of the login.
    ///   - claimed: the address the caller says it is.
    /// - Throws: `SignatureError` when the signature recovers to no key at all.
    public static func loginSigner(datatrust: String, nonce: String, expires: Int64, signature: Signature, claimed: Address) throws(SignatureError) -> Address {
        let personal = try PersonalMessage.recoverSigner(of: loginMessage(datatrust: datatrust, nonce: nonce, expires: expires), signature: signature)
        if personal == claimed { return personal }
        guard let digest = try? loginTypedData(datatrust: datatrust, nonce: nonce, expires: expires).signingDigest(),
              let typed = try? signature.recoverAddress(digest: digest), typed == claimed else { return personal }
        return typed
    }
}
