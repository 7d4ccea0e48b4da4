import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit

/// Everyone in the demo, each with a key derived from the seed (`PrivateKey.derived`).
struct DemoPeople {
    /// One account and the role it plays.
    struct Person {
        /// The role group shown in the balance table.
        let role: String
        /// Its display name.
        let name: String
        /// Its key.
        let key: PrivateKey
    }

    let council: [PrivateKey]
    let owners: [PrivateKey]
    let investors: [PrivateKey]
    let buyer: PrivateKey
    let datatrust: PrivateKey
    let trainers: [PrivateKey]
    let sponsor: PrivateKey
    let users: [PrivateKey]

    init(seed: UInt64) {
        func keys(_ label: String, _ count: Int) -> [PrivateKey] { (0..<count).map { PrivateKey.derived(seed: seed, label: "\(label)/\($0)") } }
        council = keys("council", 5)
        owners = keys("owner", 5)
        investors = keys("investor", 2)
        buyer = PrivateKey.derived(seed: seed, label: "buyer")
        datatrust = PrivateKey.derived(seed: seed, label: "datatrust")
        trainers = keys("trainer", 3)
        sponsor = PrivateKey.derived(seed: seed, label: "sponsor")
        users = keys("user", 3)
    }

    /// Everyone, in the order of the balance table.
    var everyone: [Person] {
        council.enumerated().map { Person(role: "council", name: "council-\($0.offset + 1)", key: $0.element) }
            + owners.enumerated().map { Person(role: "data owner", name: "owner-\($0.offset + 1)", key: $0.element) }
            + investors.enumerated().map { Person(role: "investor", name: "investor-\($0.offset + 1)", key: $0.element) }
            + [Person(role: "buyer", name: "buyer", key: buyer), Person(role: "datatrust", name: "datatrust", key: datatrust)]
            + trainers.enumerated().map { Person(role: "trainer", name: "trainer-\($0.offset + 1)", key: $0.element) }
            + [Person(role: "sponsor", name: "sponsor", key: sponsor)]
            + users.enumerated().map { Person(role: "user", name: "user-\($0.offset + 1)", key: $0.element) }
    }

    /// The display name of `address`.
    func name(of address: Address) -> String {
        everyone.first { $0.key.address == address }?.name ?? address.checksummed
    }
}

/// One listing the demo applied for.
struct DemoListing {
    /// The applicant (an index into `owners`).
    let owner: Int
    /// The shard's rows (raw features, labels as applied).
    let rows: LabeledDataset
    /// The bytes stored at the datatrust.
    let bytes: [UInt8]
    /// Keccak-256 of `bytes`.
    let dataHash: Hash32
    /// The listing id.
    let id: Hash32
    /// Whether the labels were flipped.
    let flipped: Bool
    /// The application poll.
    var poll: UInt64 = 0
    /// The `$Data` NFT minted for it, once minted.
    var dataToken: UInt64?
}

/// A whole demo round on one chain: the phases mutate it in order.
struct DemoScenario {
    static let dmt = TokenID(unchecked: "DMT")
    static let genesisTime: UInt64 = 1_750_000_000
    static let chainID: UInt64 = 1337

    let configuration: DemoConfiguration
    let people: DemoPeople
    let dataset: LabeledDataset
    let folder: DemoFolder
    let progress: DemoProgress
    let chain: Chain
    let clock: ManualClock
    let market: MarketID

    /// The test rows of the model bounty (held by the sponsor) and the rest, sharded for owners.
    let heldOut: LabeledDataset
    let shardPool: LabeledDataset

    var listings: [DemoListing] = []
    var summary = DemoSummary()
    /// The step being played, for failure messages.
    var currentStep = "start"
    /// Off-chain state of the datatrust phase (set once the datatrust is opened).
    var datatrust: DemoDatatrust?

    /// Creates the chain in the folder and funds everyone at genesis.
    static func start(configuration: DemoConfiguration, dataset: LabeledDataset, folder: DemoFolder, progress: DemoProgress) throws -> DemoScenario {
        do {
            return try DemoScenario(configuration: configuration, dataset: dataset, folder: folder, progress: progress)
        } catch {
            throw DemoFailure(phase: DemoPhase.accounts.rawValue, step: "create the chain in \(folder.chain.path)", underlying: error)
        }
    }

    private init(configuration: DemoConfiguration, dataset: LabeledDataset, folder: DemoFolder, progress: DemoProgress) throws {
        self.configuration = configuration
        self.dataset = dataset
        self.folder = folder
        self.progress = progress
        people = DemoPeople(seed: configuration.seed)
        market = try MarketID("cancer")
        let (rest, test) = try dataset.split(testCount: dataset.count / 4, seed: configuration.seed &+ 1)
        heldOut = test
        shardPool = rest
        let genesis = GenesisConfig(chainID: Self.chainID, timestamp: Self.genesisTime, tokens: [
            .init(symbol: Self.dmt, name: "DataMarket Token", decimals: 18, balances: people.everyone.map {
                .init(account: $0.key.address, amount: Self.tokens(Self.startingBalance))
            }),
        ])
        clock = ManualClock(Self.genesisTime)
        chain = try Chain.create(genesis: genesis, modules: ChainHome.modules, store: try FileBlockStore(folder: folder.chain), clock: clock)
    }

    /// Whole DMT every account starts with.
    static let startingBalance: UInt64 = 10_000

    // MARK: - Playing

    /// Plays every phase in order, timing each; a failure names its phase and step.
    mutating func play() async throws -> DemoSummary {
        summary.seed = configuration.seed
        for (index, phase) in DemoPhase.allCases.enumerated() {
            progress.phase(index + 1, phase.title)
            let started = Date()
            currentStep = "start"
            do {
                switch phase {
                case .accounts: try playAccounts()
                case .market: try await playMarket()
                case .investment: try playInvestment()
                case .queries: try await playQueries()
                case .modelBounty: try playModelBounty()
                case .dataBounty: try playDataBounty()
                case .verify: try playVerify()
                }
            } catch let failure as DemoFailure {
                throw failure
            } catch {
                throw DemoFailure(phase: phase.rawValue, step: currentStep, underlying: error)
            }
            let seconds = Date().timeIntervalSince(started)
            summary.phases.append(.init(phase: phase.rawValue, seconds: (seconds * 100).rounded() / 100))
            progress.done(seconds: seconds)
        }
        summary.balances = people.everyone.map { person in
            DemoSummary.Balance(
                role: person.role, name: person.name, address: person.key.address.checksummed,
                dmt: balance(person.key).formatted(decimals: 18),
                mkt: chain.state.ledger.balance(of: person.key.address, in: market.tokenSymbol).formatted(decimals: 18))
        }
        return summary
    }

    /// The accounts phase: shows who plays and what they hold.
    mutating func playAccounts() throws {
        step("\(people.everyone.count) accounts derived from seed \(configuration.seed), \(Self.startingBalance) DMT each at genesis")
        let groups = Dictionary(grouping: people.everyone, by: \.role)
        for role in ["council", "data owner", "investor", "buyer", "datatrust", "trainer", "sponsor", "user"] {
            let names = (groups[role] ?? []).map { "\($0.name) \(short($0.key.address))" }
            step("\(role): " + names.joined(separator: ", "))
        }
        summary.accounts = people.everyone.count
    }

    /// The final phase: replays every block and records the chain's figures.
    mutating func playVerify() throws {
        currentStep = "chain verify"
        let verification = try chain.verify()
        summary.stateHash = verification.stateHash.hex
        summary.blocks = verification.blocks
        summary.transactions = verification.transactions
        summary.verified = true
        summary.events = try chain.events().count
        step("replayed \(verification.blocks) blocks and \(verification.transactions) transactions: state hash \(verification.stateHash.hex)")
    }

    /// Every chain event with where it happened.
    func eventLog() throws -> [DemoJSON.EventEntry] {
        try chain.events().map { record in
            var fields: [String: String] = [:]
            for f in record.event.fields { fields[f.name] = f.value }
            return DemoJSON.EventEntry(
                height: record.height, timestamp: record.timestamp, transaction: record.transactionHash.hex, module: record.event.module,
                kind: record.event.kind, accounts: record.event.accounts.map(\.checksummed), fields: fields)
        }
    }

    // MARK: - Helpers

    /// Records and shows a step.
    mutating func step(_ text: String) {
        currentStep = text
        progress.step(text)
    }

    /// Notes the step about to run (shown only if it fails).
    mutating func doing(_ text: String) { currentStep = text }

    @discardableResult
    func send<M: ChainModule>(_ call: M.Call, to module: M.Type, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: module, from: key)
    }

    @discardableResult
    func marketCall(_ call: MarketModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: MarketModule.self, from: key)
    }

    @discardableResult
    func roles(_ call: RolesModule.Call, from key: PrivateKey) throws -> Receipt {
        try chain.send(call, to: RolesModule.self, from: key)
    }

    /// Moves the manual clock on and records the time in an empty block.
    func warp(_ seconds: UInt64) throws { try chain.warp(by: seconds) }

    /// Block time now.
    var now: UInt64 { chain.state.timestamp }

    /// The market's state.
    func marketState() throws -> Market { try chain.state(of: MarketModule.self).market(market) }

    /// DMT held by `key`.
    func balance(_ key: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: key.address, in: Self.dmt) }

    /// MarketToken held by `key`.
    func marketTokens(_ key: PrivateKey) -> UInt256 { chain.state.ledger.balance(of: key.address, in: market.tokenSymbol) }

    /// NetworkToken held by an escrow.
    func held(_ escrow: UInt64) -> UInt256 { chain.state.ledger.escrows[escrow]?.held ?? .zero }

    /// Whole tokens in wei.
    static func tokens(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000_000).low }

    /// Thousandths of a token in wei.
    static func milli(_ n: UInt64) -> UInt256 { UInt256(n).multipliedFullWidth(by: 1_000_000_000_000_000).low }

    /// An amount as DMT with its decimals.
    static func dmt(_ amount: UInt256) -> String { amount.formatted(decimals: 18) + " DMT" }

    /// `gain − loss` of two balances as a signed DMT text.
    static func delta(_ after: UInt256, _ before: UInt256) -> String {
        after >= before ? "+" + dmt((try? after - before) ?? .zero) : "-" + dmt((try? before - after) ?? .zero)
    }

    /// The first and last hex digits of an address.
    func short(_ address: Address) -> String {
        let text = address.checksummed
        return String(text.prefix(6)) + "…" + String(text.suffix(4))
    }

    /// A seed-derived sub-seed for `label`, so each use of randomness is independent.
    func subseed(_ label: String) -> UInt64 {
        let h = Keccak256.hash(RLP.list([.uint(configuration.seed), .string(label)]).encoded).bytes
        return h.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
