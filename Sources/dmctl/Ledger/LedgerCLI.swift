import ArgumentParser
import Foundation
import LedgerCore
import ChainNode

/// Shared plumbing of the ledger commands: reading addresses, tokens and amounts from the
/// command line, submitting one signed call, and printing what happened.
enum LedgerCLI {
    // MARK: - Reading arguments

    /// A token symbol from `field`, or a usage error naming the flag.
    static func token(_ text: String, field: String = "--token") throws(CLIError) -> TokenID {
        do { return try TokenID(text) } catch { throw .usage("\(field): \(error)") }
    }

    /// An account given as a `0x` address or as the name of a key in the home's keystore: the
    /// one account parser of every dmctl command (ledger, market, roles, tx, verify).
    ///
    /// Every refusal reads `<field>: '<text>' <what is wrong>; expected a 0x address (0x + 40
    /// hex digits) or the name of a key in <keys folder> (see dmctl key list)`, whichever
    /// command asked.
    /// - Throws: a usage error (exit 2) for a malformed address, a text that is no key name,
    ///   or a key name the keystore does not hold; a damaged or unreadable key file as the
    ///   keystore reports it (exit 3).
    static func account(_ text: String, field: String, home: Home) throws -> Address {
        let expected = "expected a 0x address (0x + 40 hex digits) or the name of a key in \(home.keys.path) (see dmctl key list)"
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            do { return try Address(text) } catch {
                throw CLIError.usage("\(field): '\(text)' is not an address: \(addressProblem(error)); \(expected)")
            }
        }
        guard Keystore.isValidName(text) else {
            throw CLIError.usage("\(field): '\(text)' is neither a 0x address nor a valid key name; \(expected)")
        }
        do {
            return try home.keystore().address(of: text)
        } catch KeystoreError.notFound {
            // Forty hex digits without the prefix are a valid key name, so say why they were not read as an address.
            let hint = (try? Address(text)) == nil ? "" : " (an address needs its 0x prefix)"
            throw CLIError.usage("\(field): '\(text)' is not a 0x address and no key of that name is in the keystore\(hint); \(expected)")
        }
    }

    /// What is wrong with a `0x` text as an address, in words that fit after "is not an address:".
    private static func addressProblem(_ error: AddressError) -> String {
        switch error {
        case .invalidHex(.oddLength(_, let digits)): "\(digits) hex digits, an odd number"
        case .invalidHex(.invalidCharacter(_, let character, let offset)): "\(String(reflecting: character)) at offset \(offset) is not a hex digit"
        case .invalidHex(let other): "\(other)"
        case .wrongLength(let expected, let actual): "\(2 * actual) hex digits (\(actual) byte\(actual == 1 ? "" : "s")) where an address has \(2 * expected)"
        case .checksumMismatch(_, let checksummed): "its mixed-case EIP-55 checksum does not match (\(checksummed), or all lowercase)"
        }
    }

    /// An amount of `token` under dmctl's one amount rule (see ``AmountRule``).
    static func amount(_ text: String, of token: TokenID, raw: Bool, chain: Chain, field: String = "--amount") throws -> UInt256 {
        try AmountRule.parse(text, of: token, raw: raw, chain: chain, field: field)
    }

    /// The key value pairs of repeated `--meta key=value` options.
    static func metadata(_ entries: [String]) throws(CLIError) -> [String: String] {
        var out: [String: String] = [:]
        for entry in entries {
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else {
                throw .usage("--meta: '\(entry)' is not key=value with a non-empty key")
            }
            let key = String(entry[..<eq])
            guard out[key] == nil else { throw .usage("--meta: key '\(key)' is given twice") }
            out[key] = String(entry[entry.index(after: eq)...])
        }
        return out
    }

    // MARK: - Submitting

    /// Signs `call` with `key` at its next nonce and appends it in a block of its own, or,
    /// with `--node`, submits it through the node and waits until it is included.
    ///
    /// The nonce is read while holding the store's writer lock, so two processes signing
    /// with the same key never race for one nonce. This is the one path every mutating
    /// command takes: under `dmctl tx build` it stops here instead, throwing
    /// ``TxBuild/Built`` with the EIP-712 typed data of the same call at the sender's next nonce.
    /// - Returns: the block and the transaction's receipt.
    static func submit<M: ChainModule>(_ call: M.Call, to module: M.Type, key: TxSigner, chain: Chain) throws -> (Block, Receipt) {
        guard let signingKey = key.key, TxBuild.current == nil else {
            guard TxBuild.current != nil else { throw CLIError.usage("no key to sign with for \(key.address)") }
            try chain.refresh()
            let typed = TransactionTypedData.typedData(
                from: key.address, chainID: chain.chainID, nonce: chain.nonce(of: key.address), module: M.name, call: try CanonicalJSON.encode(call))
            throw TxBuild.Built(typedData: typed)
        }
        if let node = key.node {
            // Through a node: the nonce comes from the node (counting the sender's pending
            // transactions), the key signs here, and the node includes or refuses it.
            let client = NodeClient(base: node)
            let head = try client.head()
            guard head.chainID == chain.chainID else {
                throw CLIError.usage("--node: the node serves chain \(head.chainID), but this folder's chain is \(chain.chainID)")
            }
            let nonce = try client.account(signingKey.address).pendingNonce
            return try client.submitAndWait(try SignedTransaction.sign(call, for: module, chainID: head.chainID, nonce: nonce, with: signingKey))
        }
        let outcome = try chain.store.exclusively {
            try chain.refresh()
            let tx = try SignedTransaction.sign(call, for: module, chainID: chain.chainID, nonce: chain.nonce(of: signingKey.address), with: signingKey)
            return try chain.submit([tx])
        }
        guard let receipt = outcome.block.receipts.first else {
            throw CLIError.refused("the transaction was not included in block \(outcome.block.height)")
        }
        return (outcome.block, receipt)
    }

    /// Submits `call` and prints its receipt (table or JSON).
    static func run<M: ChainModule>(_ call: M.Call, to module: M.Type, key: TxSigner, chain: Chain, json: Bool) throws {
        let (block, receipt) = try submit(call, to: module, key: key, chain: chain)
        try printReceipt(ReceiptView(block: block, receipt: receipt), json: json)
    }

    /// Signs `call` with the `--key` key of `signer`, submits it on `chain` and prints the
    /// receipt (`--json` from `global`): what every signing command of dmctl ends with.
    static func run<M: ChainModule>(_ call: M.Call, to module: M.Type, chain: Chain, global: GlobalOptions, signer: SignerOptions) throws {
        try run(call, to: module, key: try signer.load(global), chain: chain, json: global.json)
    }

    /// Opens the chain in `global`'s home, then signs, submits and prints the ledger call
    /// `call` as ``run(_:to:chain:global:signer:)`` does: for the commands whose call needs
    /// nothing read from the chain first.
    static func run(_ call: LedgerModule.Call, global: GlobalOptions, signer: SignerOptions) throws {
        try run(call, to: LedgerModule.self, chain: try ChainHome.open(Home(global)), global: global, signer: signer)
    }

    // MARK: - Printing

    /// A receipt as dmctl shows it.
    struct ReceiptView: Encodable {
        let height: UInt64
        let time: UInt64
        let blockHash: Hash32
        let transactionHash: Hash32
        let sender: Address
        let module: String
        let events: [EventView]

        init(block: Block, receipt: Receipt) {
            height = block.height
            time = block.header.timestamp
            blockHash = block.hash
            transactionHash = receipt.transactionHash
            sender = receipt.sender
            module = receipt.module
            events = receipt.events.map(EventView.init)
        }
    }

    /// An event as dmctl shows it; `fields` keeps the event's order in tables.
    struct EventView: Encodable {
        let module: String
        let kind: String
        let accounts: [Address]
        let fields: [String: String]
        let orderedFields: [Event.Field]

        init(_ event: Event) {
            module = event.module
            kind = event.kind
            accounts = event.accounts
            orderedFields = event.fields
            var f: [String: String] = [:]
            for field in event.fields { f[field.name] = field.value }
            fields = f
        }

        enum CodingKeys: String, CodingKey { case module, kind, accounts, fields }

        /// `name=value` pairs in the event's order.
        var fieldText: String { orderedFields.map { "\($0.name)=\($0.value)" }.joined(separator: " ") }
        /// The accounts, comma separated.
        var accountText: String { accounts.map(\.checksummed).joined(separator: ",") }
    }

    static func printReceipt(_ view: ReceiptView, json: Bool) throws {
        if json { return try Output.json(view) }
        Output.fields([
            ("height", "\(view.height)"),
            ("time", timeText(view.time)),
            ("block", view.blockHash.hex),
            ("transaction", view.transactionHash.hex),
            ("sender", view.sender.checksummed),
        ])
        print("")
        Output.table(["EVENT", "ACCOUNTS", "FIELDS"], view.events.map { [$0.kind, $0.accountText, $0.fieldText] })
    }

    /// `1732200000 (2024-11-21T14:40:00Z)`.
    static func timeText(_ seconds: UInt64) -> String {
        // ISO 8601 has four year digits; later times are printed as seconds only, never wrapped.
        guard seconds <= 253_402_300_799 else { return "\(seconds) (after 9999-12-31T23:59:59Z)" }
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        return "\(seconds) (\(ISO8601DateFormatter().string(from: date)))"
    }

    /// An amount with its token's decimals and in smallest units: `1.5 DMT (1500000000000000000)`.
    static func amountText(_ amount: UInt256, _ token: Token?) -> String {
        AmountRule.text(amount, token)
    }
}

/// The amount option and its `--raw` switch, shared by every command that moves tokens.
struct AmountOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: AmountRule.help("Amount"))
    var amount: String

    @Flag(help: "Read --amount in smallest units (an integer) instead of token units.")
    var raw = false

    func value(of token: TokenID, chain: Chain) throws -> UInt256 {
        try LedgerCLI.amount(amount, of: token, raw: raw, chain: chain)
    }
}
