import Foundation
import LedgerCore

/// Who a command's transaction is from: a loaded keystore key that signs it now, or, under
/// `dmctl tx build`, only an address whose wallet signs the typed data later.
struct TxSigner {
    /// The sender.
    let address: Address
    /// The key, when it signs here.
    let key: PrivateKey?
    /// The node to submit through (`--node`), else nil for the local chain.
    var node: URL?

    /// A signer holding its key.
    init(_ key: PrivateKey) {
        address = key.address
        self.key = key
    }

    /// A sender whose key is elsewhere (a wallet).
    init(walletAddress: Address) {
        address = walletAddress
        key = nil
    }
}

/// The state of a running `dmctl tx build`: the command it wraps builds typed data instead of
/// signing and submitting.
enum TxBuild {
    /// What `tx build` asked for; nil when no build is running.
    struct Request: Sendable {
        /// The sender named by `tx build --from`, if any (else the wrapped command's `--key`).
        let from: Address?
    }

    /// The build in progress in this task, if any.
    @TaskLocal static var current: Request?

    /// Thrown by the one submit path (``LedgerCLI/submit(_:to:key:chain:)``) to stop the wrapped
    /// command with the transaction it would have signed.
    struct Built: Error {
        /// The typed data for the wallet.
        let typedData: TypedData
    }
}

extension SignerOptions {
    /// The command's signer: the `--key` key decrypted from the keystore, or, under
    /// `dmctl tx build`, only the sender's address (no passphrase needed).
    func load(_ global: GlobalOptions) throws -> TxSigner {
        if let build = TxBuild.current {
            if let from = build.from { return TxSigner(walletAddress: from) }
            return TxSigner(walletAddress: try LedgerCLI.account(key, field: "--key", home: Home(global)))
        }
        var signer = TxSigner(try loadKey(global))
        signer.node = try global.nodeURL()
        return signer
    }

    /// The `--key` private key itself, for commands that sign something other than a chain
    /// transaction (a login, a message); refused under `dmctl tx build`.
    func loadKey(_ global: GlobalOptions) throws -> PrivateKey {
        guard TxBuild.current == nil else {
            throw CLIError.usage("this command signs with the key itself, not a chain transaction; dmctl tx build cannot wrap it")
        }
        return try Home(global).keystore().load(name: key, passphrase: try secret.passphrase())
    }
}
