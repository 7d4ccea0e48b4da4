/// A record of one state change, emitted by a transaction; the audit trail of the chain.
///
/// `accounts` are the addresses the event concerns (indexed for queries); `fields` carry the
/// details as ordered name/value text, so any tool can show an event without knowing the
/// module that emitted it.
public struct Event: Sendable, Codable, Equatable {
    /// The module that emitted it (`ledger`, `market`, ...).
    public let module: String
    /// What happened, e.g. `Transfer`, `Mint`, `EscrowLock`.
    public let kind: String
    /// The accounts involved, in a kind-specific order.
    public let accounts: [Address]
    /// Details as ordered name/value pairs.
    public let fields: [Field]

    /// One named detail of an event.
    public struct Field: Sendable, Codable, Equatable {
        /// The detail's name.
        public let name: String
        /// Its value as text (amounts in base-10 smallest units).
        public let value: String
        /// A named detail.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// An event.
    public init(module: String, kind: String, accounts: [Address] = [], fields: [Field] = []) {
        self.module = module
        self.kind = kind
        self.accounts = accounts
        self.fields = fields
    }

    /// The value of the field called `name`, if present.
    public subscript(field name: String) -> String? { fields.first { $0.name == name }?.value }

    var rlp: RLP {
        .list([
            .string(module), .string(kind),
            .list(accounts.map { .bytes($0.bytes) }),
            .list(fields.map { .list([.string($0.name), .string($0.value)]) }),
        ])
    }

    init(rlp: RLP) throws(RLPError) {
        let items = try rlp.list("event", count: 4)
        module = try items[0].string("event.module")
        kind = try items[1].string("event.kind")
        var accounts: [Address] = []
        for item in try items[2].list("event.accounts") {
            guard let a = try? Address(bytes: try item.bytes("event.account")) else {
                throw .wrongItemCount(field: "event.account bytes", expected: 20, actual: (try? item.bytes("a").count) ?? 0)
            }
            accounts.append(a)
        }
        self.accounts = accounts
        var fields: [Field] = []
        for item in try items[3].list("event.fields") {
            let pair = try item.list("event.field", count: 2)
            fields.append(Field(try pair[0].string("event.field.name"), try pair[1].string("event.field.value")))
        }
        self.fields = fields
    }
}
