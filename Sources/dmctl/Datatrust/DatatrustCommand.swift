import ArgumentParser
import ChainNode
import DatatrustKit
import DatatrustPostgres
import Foundation
import Hummingbird
import LedgerCore
import LedgerPostgres
import MarketKit
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `dmctl datatrust …`: run a datatrust server, or talk to one.
struct DatatrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datatrust",
        abstract: "Run the encrypted datatrust server or call its REST API.",
        discussion: """
            Example:
              dmctl datatrust serve --key datatrust --port 8080
              dmctl datatrust markets   # in another terminal

            The server keeps everything under <home>/datatrust: config.json (a DatatrustConfiguration, \
            written with every default by `dmctl datatrust init`; only name and markets with their schema \
            are required), \
            master.key (created, mode 0600) or a passphrase salt, vault/ (ciphertext only) and index.sqlite. \
            Client commands log in with a keystore key (--key) by signing the server's nonce.
            """,
        subcommands: [Init.self, Serve.self, Housekeep.self, Markets.self, Schema.self, Add.self, Get.self, Remove.self, Query.self, Cost.self, Epsilon.self])
}

/// Where the server is.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Base URL of the datatrust.") var url = "http://127.0.0.1:8080"

    func client() throws -> DatatrustClient {
        guard let base = URL(string: url), base.scheme != nil else { throw CLIError.usage("--url: \(url) is not a URL, e.g. http://127.0.0.1:8080") }
        return DatatrustClient(baseURL: base)
    }
}

/// The query given on the command line.
struct QueryOptions: ParsableArguments {
    @Option(name: .long, parsing: .upToNextOption, help: "Market(s) the query reads.") var market: [String] = []
    @Option(name: .long, help: "A single read-only SELECT.") var sql: String?
    @Option(name: .long, help: "A differentially private aggregate as JSON, e.g. {\"kind\":\"count\",\"epsilon\":\"0.5\"}.") var aggregate: String?
    @Option(name: .long, help: "Paid job per market, MARKET=ID (repeatable).") var job: [String] = []

    func request() throws -> QueryRequest {
        let markets = try market.map { name -> MarketKit.MarketID in
            do { return try MarketKit.MarketID(name) } catch { throw CLIError.usage("\(error)") }
        }
        var aggregateQuery: AggregateQuery?
        if let aggregate {
            do { aggregateQuery = try JSONDecoder().decode(AggregateQuery.self, from: Data(aggregate.utf8)) } catch {
                throw CLIError.usage("--aggregate: not an aggregate query JSON (\(error))")
            }
        }
        var jobs: [String: UInt64] = [:]
        for entry in job {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let id = UInt64(parts[1]) else { throw CLIError.usage("--job: \(entry) is not MARKET=ID") }
            jobs[String(parts[0])] = id
        }
        return QueryRequest(markets: markets, sql: sql, aggregate: aggregateQuery, jobs: jobs.isEmpty ? nil : jobs)
    }
}

func loggedIn(_ server: ServerOptions, _ signer: SignerOptions, _ global: GlobalOptions) async throws -> DatatrustClient {
    var client = try server.client()
    try await client.login(with: try signer.loadKey(global))
    return client
}

func parseHash(_ text: String) throws -> Hash32 {
    do { return try Hash32(hex: text, field: "dataHash") } catch { throw CLIError.usage(error.description) }
}

/// Where the datatrust keeps its index and its encrypted objects: by default index.sqlite and
/// vault/ under <home>/datatrust; for several servers sharing one market, an index in
/// PostgreSQL and a vault folder every server mounts.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The index: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME] to share one with other datatrust servers (default: <home>/datatrust/index.sqlite).",
        valueName: "url"))
    var index: String?
    @Option(name: .long, help: ArgumentHelp(
        "The vault folder of encrypted objects (default: <home>/datatrust/vault). Servers sharing a PostgreSQL index must all mount the same folder here (a network file system) and use the same master key.",
        valueName: "path"))
    var vault: String?

    /// Whether the index is shared with other servers (PostgreSQL).
    var isShared: Bool { index != nil }

    func validate() throws {
        if let index {
            do { _ = try PostgresLocation(url: index) } catch { throw ValidationError("--index: \(error)") }
        }
    }

    /// Opens the index.
    func openStore(folder: URL) async throws -> any DatatrustStore {
        guard let index else { return try SQLiteStore(path: folder.appendingPathComponent("index.sqlite").path) }
        do { return try await PostgresDatatrustStore(url: index) } catch { throw CLIError.storage("--index: \(error)") }
    }

    /// The vault folder.
    func vaultFolder(folder: URL) -> URL {
        vault.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? folder.appendingPathComponent("vault", isDirectory: true)
    }
}

/// The datatrust of a home: config, master key, vault, index and the chain view signing with `--key`.
enum DatatrustHome {
    struct Opened {
        let datatrust: Datatrust
        /// What reads the chain: a follower that never takes the writer lock.
        let follower: ChainFollower
        let backend: PrivateKey
    }

    /// The chain of a datatrust that follows a node instead of a local folder.
    struct Remote {
        /// Follows the node's blocks (checking each) in memory.
        let follower: ChainFollower
        /// Submits the datatrust's transactions through the node.
        let submitter: any TransactionSubmitter
    }

    /// The node `--node` (or `DMCTL_NODE`) names, followed up to its head, with a submitter
    /// through it; nil when no node is given (the datatrust uses the home's chain folder).
    static func remote(_ global: GlobalOptions) async throws -> Remote? {
        guard let url = try global.nodeURL() else { return nil }
        let node = RemoteNode(base: url)
        let genesis: GenesisConfig
        do { genesis = try await node.genesis() } catch {
            throw CLIError.storage("--node: cannot read the node's genesis: \(error)")
        }
        let follower = try ChainFollower.start(genesis: genesis, modules: ChainHome.modules, source: NodeBlockSource(node: node))
        do { try await follower.catchUp() } catch {
            throw CLIError.storage("--node: following \(url.absoluteString) failed: \(error)")
        }
        return Remote(follower: follower, submitter: NodeSubmitter(node: node))
    }

    /// Opens the datatrust of `global`'s home. Reads follow the chain as other processes extend
    /// it, never waiting for the writer lock; the datatrust's own transactions go through a
    /// writer handle opened at the first submission, so opening does not wait for the lock either.
    /// With `remote`, reads follow a node's blocks and transactions go through that node.
    /// - Parameter maxDatapointBytes: when given, every market's largest datapoint (replacing config.json's).
    static func open(global: GlobalOptions, signer: SignerOptions, masterPassphraseFile: String?, index: IndexOptions,
                     maxDatapointBytes: Int64? = nil, remote: Remote? = nil) async throws -> Opened {
        let folder = global.homeURL.appendingPathComponent("datatrust", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let configFile = folder.appendingPathComponent("config.json")
        guard let configData = FileManager.default.contents(atPath: configFile.path) else {
            throw CLIError.usage("\(configFile.path) is missing; write one with `dmctl datatrust init` (see `dmctl datatrust --help`)")
        }
        var config: DatatrustConfiguration
        do { config = try JSONDecoder().decode(DatatrustConfiguration.self, from: configData) } catch {
            throw CLIError.usage("\(configFile.path): not a DatatrustConfiguration (\(error))")
        }
        if let maxDatapointBytes {
            for i in config.markets.indices { config.markets[i].maxDatapointBytes = maxDatapointBytes }
        }
        let master: MasterKey
        if let masterPassphraseFile {
            let text = (try? String(contentsOfFile: masterPassphraseFile, encoding: .utf8)) ?? ""
            let passphrase = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            master = try MasterKey.derive(passphrase: passphrase, saltFile: folder.appendingPathComponent("master.salt"))
        } else {
            master = try MasterKey.loadOrCreate(keyFile: folder.appendingPathComponent("master.key"))
        }
        let backend = try signer.loadKey(global)
        let home = Home(global)
        let follower = try remote?.follower ?? ChainHome.follow(home)
        let view = remote.map { ChainMarketView(follower: $0.follower, submitter: $0.submitter, backend: backend) }
            ?? ChainMarketView(follower: follower, openWriter: { try ChainHome.open(home) }, backend: backend)
        let datatrust = Datatrust(configuration: config,
                                  vault: try Vault(folder: index.vaultFolder(folder: folder), masterKey: master, shared: index.isShared),
                                  store: try await index.openStore(folder: folder),
                                  chain: view)
        return Opened(datatrust: datatrust, follower: follower, backend: backend)
    }
}

extension DatatrustCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the datatrust REST API (127.0.0.1 by default) until SIGINT/SIGTERM.",
            discussion: """
                With --node URL the datatrust follows the node at URL (any node, a follower too) \
                instead of <home>/chain: it replays the node's blocks in memory, checking each, \
                decides every request on the newest block it has, and submits its attestations and \
                usage reports through that node, waiting for each to be included. The home then \
                needs only the keystore and datatrust/.

                Several servers can serve one market (behind a load balancer, on several \
                machines): give each the same --index postgres://… (logins, used jobs, epsilon \
                budgets and the outbox are shared there, so no job is used twice and nothing is \
                attested twice) and the same --vault folder on a shared file system (the encrypted \
                objects stay files: written to tmp/ and renamed into place, content-addressed and \
                never rewritten, so servers need no other coordination, and PostgreSQL keeps only \
                metadata), with the same master key in each home.

                Example: dmctl datatrust serve --key datatrust --port 8080
                Example: dmctl datatrust serve --key datatrust --port 8080 --node http://127.0.0.1:8545
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var index: IndexOptions
        @Option(name: .long, help: "Port to listen on (1-65535).") var port = 8080
        @Option(name: .long, help: "Address to bind.") var host = "127.0.0.1"
        @Option(name: .long, help: "File holding the vault passphrase (else the key file master.key is used).") var masterPassphraseFile: String?
        @Option(name: .long, help: "Largest datapoint accepted in every market, bytes (default: each market's maxDatapointBytes in config.json, else 4 GiB).")
        var maxDatapointBytes: Int64?

        func validate() throws {
            if let maxDatapointBytes, maxDatapointBytes <= 0 {
                throw ValidationError("--max-datapoint-bytes: \(maxDatapointBytes); expected a positive byte count")
            }
        }

        func run() async throws {
            // Before anything is created, opened or asked of a node.
            try WholeNumberRule.check(port, in: WholeNumberRule.ports, field: "--port")
            let remote = try await DatatrustHome.remote(global)
            let opened = try await DatatrustHome.open(global: global, signer: signer, masterPassphraseFile: masterPassphraseFile,
                                                      index: index, maxDatapointBytes: maxDatapointBytes, remote: remote)
            let config = opened.datatrust.configuration
            // Refuse to start rather than accept data it could never attest.
            let directory = ChainMarketDirectory(follower: opened.follower)
            for market in config.markets where !directory.isAuthorisedBackend(opened.backend.address, market: market.market.slug) {
                let known = opened.follower.state.state(of: MarketModule.self).markets.keys.map(\.description).sorted()
                throw CLIError.refused(known.contains(market.market.slug)
                    ? "key \(opened.backend.address.checksummed) is not an authorised backend of market \(market.market); have the council authorise it (dmctl market backend propose \(market.market) --address \(opened.backend.address.checksummed) …) or serve with the backend's key (--key)"
                    : "market \(market.market) in config.json does not exist on chain; expected one of \(known)")
            }
            // The group only reports what the command reports itself (a failed bind), and the HTTP
            // layer only its errors; the datatrust's own log (outbox, housekeeping) stays at info.
            var groupLogger = Logger(label: "datamarket.datatrust.services")
            groupLogger.logLevel = .critical
            var httpLogger = Logger(label: "datamarket.datatrust.http")
            httpLogger.logLevel = .error
            let app = DatatrustServer.application(for: opened.datatrust, host: host, port: port, logger: httpLogger) { boundHost, boundPort in
                Output.note("datatrust \(config.name) serving \(config.markets.map(\.market.slug)) on http://\(boundHost):\(boundPort)")
            }
            var services: [any Service] = [app]
            services += opened.datatrust.backgroundJobs().map { $0 as any Service }
            let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger)
            do { try await group.run() } catch let error as IOError where error.errnoCode == EADDRINUSE {
                throw CLIError.storage("port \(port) on \(host) is already in use; stop the process using it or choose another with --port")
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write <home>/datatrust/config.json with every setting at its default, for a first market.",
            discussion: """
                Example: dmctl datatrust init --name dt-1 --market cancer --columns age:integer,diagnosis:label

                Every key except name and markets (each with market and schema) may be left out of \
                config.json; the file written here shows them all with their defaults.
                """)
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "The datatrust's name in login messages.") var name = "datatrust"
        @Option(name: .long, help: "Market(s) to serve (each with the same schema; edit the file for more).") var market: [String] = []
        @Option(name: .long, help: "Columns NAME:TYPE,… (types: integer, real, boolean, label, text).") var columns = "value:real"
        @Flag(name: .long, help: "Replace an existing config.json.") var force = false

        func run() async throws {
            let folder = global.homeURL.appendingPathComponent("datatrust", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let file = folder.appendingPathComponent("config.json")
            if FileManager.default.fileExists(atPath: file.path), !force {
                throw CLIError.refused("\(file.path) exists; pass --force to replace it")
            }
            var schemaColumns: [MarketSchema.Column] = []
            for spec in columns.split(separator: ",") {
                let parts = spec.split(separator: ":").map(String.init)
                guard parts.count == 2, let type = MarketSchema.ColumnType(rawValue: parts[1]) else {
                    throw CLIError.usage("--columns: \(spec) is not NAME:TYPE with TYPE one of integer, real, boolean, label, text")
                }
                schemaColumns.append(MarketSchema.Column(name: parts[0], type: type, labels: type == .label ? ["yes", "no"] : nil))
            }
            var markets: [MarketConfiguration] = []
            for id in market.isEmpty ? ["example"] : market {
                let marketID: MarketID
                do { marketID = try MarketID(id) } catch { throw CLIError.usage("--market: \(error)") }
                markets.append(MarketConfiguration(market: marketID, schema: MarketSchema(format: .csv, columns: schemaColumns)))
            }
            let config = DatatrustConfiguration(name: name, markets: markets)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(config).write(to: file)
            if global.json { return try Output.json(config) }
            Output.note("wrote \(file.path); every key but name and markets is optional (defaults shown)")
        }
    }

    struct Housekeep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the datatrust's housekeeping once with the server stopped: outbox, expired logins, vault sweep.",
            discussion: """
                The outbox's transactions (attestations, usage reports) are submitted to the home's \
                chain folder, or with --node URL (or DMCTL_NODE) through that node, as `datatrust \
                serve --node` submits them; give the same node the server used.

                Example: dmctl datatrust housekeep --key datatrust
                Example: dmctl datatrust housekeep --key datatrust --node http://127.0.0.1:8545
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var index: IndexOptions
        @Option(name: .long, help: "File holding the vault passphrase (else the key file master.key is used).") var masterPassphraseFile: String?
        @Option(name: .long, help: "Remove unindexed objects and .part files older than this many seconds (0: all; only with no server running, and with a shared --vault no server on any machine).")
        var grace: Int64 = 0

        func run() async throws {
            // The outbox's attestations and usage reports go to the chain: the home's folder, or
            // the node named by --node (a datatrust served with --node has no chain folder).
            let remote = try await DatatrustHome.remote(global)
            let datatrust = try await DatatrustHome.open(
                global: global, signer: signer, masterPassphraseFile: masterPassphraseFile, index: index, remote: remote).datatrust
            // The servers are stopped: entries a killed server had claimed are submitted now.
            let pass = await datatrust.flushOutbox(overridingClaims: true)
            let purged = try await datatrust.purgeExpiredLogins()
            let sweep = try await datatrust.sweepVault(gracePeriod: grace)
            let report = HousekeepingReport(included: pass.included, alreadyDone: pass.alreadyDone, postponed: pass.postponed, pending: pass.pending,
                                            purgedLogins: purged, orphansRemoved: sweep.orphans.count, partFilesRemoved: sweep.partFiles)
            if global.json { return try Output.json(report) }
            Output.fields([("outbox included", "\(report.included)"), ("outbox already done", "\(report.alreadyDone)"),
                           ("outbox postponed", "\(report.postponed)"), ("outbox pending", "\(report.pending)"),
                           ("expired logins purged", "\(report.purgedLogins)"), ("orphan objects removed", "\(report.orphansRemoved)"),
                           (".part files removed", "\(report.partFilesRemoved)")])
        }
    }

    /// What `housekeep` did.
    struct HousekeepingReport: Encodable {
        let included: Int
        let alreadyDone: Int
        let postponed: Int
        let pending: Int
        let purgedLogins: Int
        let orphansRemoved: Int
        let partFilesRemoved: Int
    }

    struct Markets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "MARKETS_SUPPORTED: the markets this datatrust serves.",
            discussion: "Example: dmctl datatrust markets --url http://127.0.0.1:8080")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        func run() async throws {
            let markets = try await server.client().markets()
            if global.json { return try Output.json(markets) }
            Output.table(["market", "format", "raw SQL", "epsilon budget", "datapoints", "rows"], markets.map {
                [$0.market.slug, $0.format.rawValue, $0.allowRawSQL ? "yes" : "no", $0.epsilonBudget, "\($0.datapoints)", "\($0.rows)"]
            })
        }
    }

    struct Schema: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET_SCHEMA of a market.",
            discussion: "Example: dmctl datatrust schema cancer")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @Argument(help: "The market.") var market: String
        func run() async throws {
            let schema = try await server.client().schema(market: market)
            if global.json { return try Output.json(schema) }
            Output.note("format: \(schema.format.rawValue)")
            Output.table(["column", "type", "nullable", "min", "max", "labels"], schema.columns.map {
                [$0.name, $0.type.rawValue, $0.nullable ? "yes" : "no", $0.min.map { "\($0)" } ?? "", $0.max.map { "\($0)" } ?? "", ($0.labels ?? []).joined(separator: "|")]
            })
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "ADD_DATAPOINT from a file (its Keccak-256 must be applied for or listed by you).",
            discussion: """
            The upload declares the file's Keccak-256 before its bytes, so the server can refuse an \
            unlisted, foreign or duplicate datapoint before reading any of it. Without --data-hash the \
            file is therefore read twice: once to hash it, once to send it. Pass --data-hash (the hash \
            you applied for the listing with) to read it once; bytes that do not hash to it are refused \
            after the last byte, with nothing stored.

            Example: dmctl datatrust add --key bob --market cancer rows.csv
            """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .long, help: "The market.") var market: String
        @Option(help: "The file's Keccak-256 (0x + 64 hex digits), when known: the file is then read once instead of twice.")
        var dataHash: String?
        @Argument(help: "File holding the datapoint.") var file: String
        func run() async throws {
            // Streamed from the file: hashed first unless the hash is given (it is declared), then sent as it is read.
            let hash = try dataHash.map(parseHash) ?? TerminalProgress.keccak(ofFile: file, field: "file", label: "hashing \(file)")
            let client = try await loggedIn(server, signer, global)
            let bar = SharedProgress("uploading \(file)")
            let result = try await client.addDatapoint(file: URL(fileURLWithPath: file), market: market, dataHash: hash) { sent, total in
                bar.update(sent, of: total)
            }
            bar.finish()
            if global.json { return try Output.json(result) }
            Output.fields([("market", result.market.slug), ("dataHash", result.dataHash.hex), ("size", "\(result.size)"), ("rows", "\(result.rows)"), ("attestation", result.attestation ?? "queued (the server submits it when the chain is available)")])
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET_DATAPOINT (verified against its hash) to a file or standard output.",
            discussion: "Example: dmctl datatrust get --key dave --market cancer --job 1 --out rows-copy.csv 0x1d1a77be37d31b67c10ef5fbef84e16d5341a520631568b4db5766ac090b76b7")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .long, help: "The market.") var market: String
        @Option(name: .long, help: "A paid job to consume (buyers).") var job: UInt64?
        @Option(name: .long, help: "Write to this file instead of standard output.") var out: String?
        @Argument(help: "The dataHash.") var dataHash: String
        func run() async throws {
            let hash = try parseHash(dataHash)
            let client = try await loggedIn(server, signer, global)
            // Streamed to a file (beside --out, or a scratch file in the home for standard output),
            // verified against the hash, then renamed into place or copied out in pieces.
            let target = out.map { URL(fileURLWithPath: $0) }
                ?? global.homeURL.appendingPathComponent(".get-\(UUID().uuidString).tmp")
            let bar = SharedProgress("get \(hash.hex.prefix(10))…")
            bar.phase("downloading")
            let size = try await client.getDatapoint(market: market, dataHash: hash, job: job, to: target) { verified in
                bar.update(verified, of: nil, unit: "MiB verified")
            }
            bar.finish()
            if out != nil {
                if global.json { try Output.json(GetReport(market: market, dataHash: hash, size: size, file: target.path, base64: nil)) }
                return
            }
            defer { try? FileManager.default.removeItem(at: target) }
            let handle = try FileHandle(forReadingFrom: target)
            defer { try? handle.close() }
            if global.json {
                // JSON carries the bytes as base64; prefer --out for large datapoints.
                let bytes = try handle.readToEnd() ?? Data()
                return try Output.json(GetReport(market: market, dataHash: hash, size: size, file: nil, base64: bytes.base64EncodedString()))
            }
            while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty { FileHandle.standardOutput.write(piece) }
        }
    }

    /// What `get --json` prints: where the bytes went, or the bytes as base64 without `--out`.
    struct GetReport: Encodable {
        let market: String
        let dataHash: Hash32
        let size: Int64
        let file: String?
        let base64: String?
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "REMOVE_DATAPOINT once its listing was removed on chain.",
            discussion: "Example: dmctl datatrust remove --key bob --market cancer 0x1d1a77be37d31b67c10ef5fbef84e16d5341a520631568b4db5766ac090b76b7")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .long, help: "The market.") var market: String
        @Argument(help: "The dataHash.") var dataHash: String
        func run() async throws {
            let result = try await loggedIn(server, signer, global).removeDatapoint(market: market, dataHash: try parseHash(dataHash))
            if global.json { return try Output.json(result) }
            Output.fields([("market", result.market.slug), ("dataHash", result.dataHash.hex), ("removed", "\(result.removed)")])
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "RUN_QUERY: SQL or a DP aggregate, consuming paid jobs.",
            discussion: "Example: dmctl datatrust query --key dave --market cancer --job cancer=2 --sql 'SELECT COUNT(*) FROM cancer'")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var query: QueryOptions
        func run() async throws {
            let result = try await loggedIn(server, signer, global).query(try query.request())
            if global.json { return try Output.json(result) }
            Output.table(result.columns, result.rows.map { $0.map(describe) })
            if let privacy = result.privacy { Output.note("epsilon \(privacy.epsilon), sensitivity \(privacy.sensitivity), scale \(privacy.scale)") }
            for (market, tx) in result.usageReports.sorted(by: { $0.key < $1.key }) { Output.note("usage reported in \(market): \(tx)") }
        }
    }

    struct Cost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET_COMPUTE_COST of a query.",
            discussion: "Example: dmctl datatrust cost --market cancer --sql 'SELECT COUNT(*) FROM cancer'")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var query: QueryOptions
        func run() async throws {
            let quote = try await server.client().computeCost(try query.request())
            // Jobs are paid in each market's network token; its symbol and decimals come from
            // the home's chain when there is one (else amounts stay in smallest units).
            let follower = try? ChainHome.follow(Home(global))
            func token(_ market: MarketKit.MarketID) -> Token? {
                guard let state = follower?.state, let m = try? state.state(of: MarketModule.self).market(market) else { return nil }
                return state.ledger.tokens[m.networkToken]
            }
            let tokens = quote.items.map { token($0.market) }
            let totalToken = Set(tokens.map { $0?.id }).count == 1 ? tokens.first ?? nil : nil
            if global.json {
                return try Output.json(CostReport(
                    items: zip(quote.items, tokens).map { item, token in
                        CostReport.Item(market: item.market.slug, rows: item.rows, compute: item.compute, privacy: item.privacy, total: item.total,
                                        token: token?.id.symbol)
                    },
                    total: quote.total, token: totalToken?.id.symbol, epsilon: quote.epsilon))
            }
            Output.table(["market", "rows", "compute", "privacy", "total"], zip(quote.items, tokens).map { item, token in
                [item.market.slug, "\(item.rows)", AmountRule.text(item.compute, token), AmountRule.text(item.privacy, token), AmountRule.text(item.total, token)]
            })
            Output.note("total \(AmountRule.text(quote.total, totalToken))")
        }
    }

    /// What `cost --json` prints: amounts as decimal strings of smallest units, with the token
    /// (the market's network token, when the home's chain knows the market) named beside them.
    struct CostReport: Encodable {
        struct Item: Encodable {
            let market: String
            let rows: Int
            let compute: UInt256
            let privacy: UInt256
            let total: UInt256
            let token: String?
        }
        let items: [Item]
        let total: UInt256
        let token: String?
        let epsilon: String?
    }

    struct Epsilon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GET_EPSILON of a query.",
            discussion: "Example: dmctl datatrust epsilon --market cancer --aggregate '{\"kind\":\"count\",\"epsilon\":\"0.5\"}'")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var server: ServerOptions
        @OptionGroup var query: QueryOptions
        func run() async throws {
            let quote = try await server.client().epsilon(try query.request())
            if global.json { return try Output.json(quote) }
            Output.fields([("epsilon", quote.epsilon), ("milliEpsilon", "\(quote.milliEpsilon)")])
        }
    }
}

func describe(_ value: SQLValue) -> String {
    switch value {
    case .null: return "NULL"
    case .integer(let i): return "\(i)"
    case .real(let d): return "\(d)"
    case .text(let s): return s
    }
}

extension DatatrustError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        case .badRequest, .payloadTooLarge, .unprocessable: .usage
        case .integrity, .internalFailure, .chainUnavailable: .storage
        case .unauthenticated, .forbidden, .budgetExhausted, .notFound, .methodNotAllowed, .conflict, .rateLimited: .refused
        }
    }
}

extension VaultError: ExitClassified {
    var exitStatus: ExitStatus {
        switch self {
        case .invalidKeyFile, .keyDerivationFailed: .usage
        default: .storage
        }
    }
}

extension StoreError: ExitClassified { var exitStatus: ExitStatus { .storage } }

/// A ``TerminalProgress`` that URLSession's delegate thread and the command can both update.
/// `@unchecked Sendable`: `progress` is only touched with `lock` held.
final class SharedProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var progress: TerminalProgress

    init(_ label: String) { progress = TerminalProgress(label) }

    /// Reports `done` of `total` bytes (in MiB).
    func update(_ done: Int64, of total: Int64?, unit: String = "MiB") {
        lock.withLock { progress.update(UInt64(max(done, 0)) >> 20, of: total.map { UInt64(max($0, 0)) >> 20 }, unit: unit) }
    }

    /// Reports the step under way.
    func phase(_ text: String) { lock.withLock { progress.phase(text) } }

    /// Ends the line.
    func finish() { lock.withLock { progress.finish() } }
}
