import ArgumentParser
import ChainNode
import Foundation
import LedgerCore

/// `dmctl chain ...`: the chain kept in `<home>/chain`.
struct ChainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Create, inspect, verify and time-warp the chain in the state folder.",
        discussion: """
            The chain lives in <home>/chain: an append-only, fsynced block log, snapshots and \
            the warp offset. Several dmctl processes may use one home at once.

            Example:
              dmctl key new --name default
              dmctl chain init
              dmctl chain info
              dmctl chain warp 15m
            """,
        subcommands: [Init.self, Info.self, Blocks.self, Events.self, Verify.self, Warp.self, Soak.self])

    // MARK: - init

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the chain: a default genesis, or one read from a JSON file.",
            discussion: """
                Without --genesis: chain id 1337 (or --chain-id), genesis time = now, and the \
                network token DMT ("DataMarket Token", 18 decimals) whose minter is the key \
                --key, which also receives 1,000,000 DMT.

                With --genesis FILE: the file is a genesis configuration in JSON. Amounts are \
                decimal strings in smallest units; addresses are 0x (EIP-55 or one case); \
                "minter" may be omitted for a fixed supply. See Examples/genesis.json:

                  {
                    "chainID": 1337,
                    "timestamp": 1732200000,
                    "tokens": [
                      {
                        "symbol": "DMT",
                        "name": "DataMarket Token",
                        "decimals": 18,
                        "minter": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                        "balances": [
                          { "account": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
                            "amount": "1000000000000000000000000" }
                        ]
                      }
                    ]
                  }

                A home that already holds a chain is never overwritten (exit 1).

                Example: dmctl chain init --genesis Examples/genesis.json
                """)
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Genesis configuration in JSON (see above).", valueName: "file")) var genesis: String?
        @Option(help: "Chain id of the default genesis (default 1337).") var chainId: UInt64?
        @Option(help: "Keystore key that mints DMT and holds the initial supply in the default genesis.") var key = "default"

        func run() async throws {
            let home = Home(global)
            let config: GenesisConfig
            if let genesis {
                guard chainId == nil else { throw CLIError.usage("--chain-id applies to the default genesis only; set \"chainID\" in \(genesis) instead") }
                config = try Init.read(genesis)
            } else {
                let owner = try LedgerCLI.account(key, field: "--key", home: home)
                let initial = try UInt256(decimal: "1000000", decimals: 18)
                config = GenesisConfig(
                    chainID: chainId ?? 1337, timestamp: UInt64(max(0, Date().timeIntervalSince1970)),
                    tokens: [.init(symbol: try TokenID("DMT"), name: "DataMarket Token", decimals: 18, minter: owner,
                                   balances: [.init(account: owner, amount: initial)])])
            }
            let chain = try ChainHome.create(home, genesis: config)
            let block = try chain.blocks(from: 0).first
            if global.json {
                struct Out: Encodable { let home: String; let chainID: UInt64; let genesisHash: Hash32; let genesisBlock: Hash32?; let genesis: GenesisConfig }
                return try Output.json(Out(home: home.url.path, chainID: config.chainID, genesisHash: try config.hash(), genesisBlock: block?.hash, genesis: config))
            }
            Output.fields([
                ("home", home.url.path), ("chain id", "\(config.chainID)"), ("time", LedgerCLI.timeText(config.timestamp)),
                ("genesis block", block?.hash.hex ?? "-"),
                ("tokens", config.tokens.map(\.symbol.symbol).joined(separator: ", ")),
            ])
        }

        static func read(_ path: String) throws -> GenesisConfig {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw CLIError.storage("--genesis: cannot read \(path): \(error.localizedDescription)")
            }
            do { return try JSONDecoder().decode(GenesisConfig.self, from: data) } catch {
                throw CLIError.usage("--genesis: \(path) is not a genesis configuration: \(CanonicalJSON.describe(error)); see dmctl chain init --help")
            }
        }
    }

    // MARK: - info

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print chain id, height, tip, time, warp offset, state hash and warnings.",
            discussion: "Example: dmctl chain info --json")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let home = Home(global)
            let chain = try ChainHome.open(home)
            let state = chain.state
            struct Out: Encodable {
                let chainID: UInt64; let height: UInt64; let tipHash: Hash32; let time: UInt64
                let warpOffset: UInt64; let stateHash: Hash32; let tokens: Int; let nfts: Int; let streams: Int; let warnings: [String]
                /// With --node: the node, its pending transactions and whether it is a dev node.
                let node: String?; let pending: Int?; let dev: Bool?
            }
            var warpOffset = ChainHome.clock(home).offset
            var remote: (url: URL, head: NodeAPI.Head)?
            if let node = try global.nodeURL() {
                // The node's chain, read and replayed through its API (NodeReplicaStore); its
                // warp offset is how far its chain time runs ahead of this machine's clock.
                remote = (node, try NodeClient(base: node).head())
                let wall = UInt64(max(0, Date().timeIntervalSince1970))
                warpOffset = chain.clock.now() > wall ? chain.clock.now() - wall : 0
            }
            let out = Out(
                chainID: chain.chainID, height: state.height, tipHash: state.lastBlockHash, time: state.timestamp,
                warpOffset: warpOffset, stateHash: try chain.stateHash(), tokens: state.ledger.tokens.count,
                nfts: state.ledger.nfts.count, streams: state.ledger.streams.count, warnings: ChainHome.warnings(of: chain),
                node: remote?.url.absoluteString, pending: remote?.head.pending, dev: remote?.head.dev)
            if global.json { return try Output.json(out) }
            var fields: [(String, String)] = remote.map { [("node", $0.url.absoluteString)] } ?? []
            fields += [
                ("chain id", "\(out.chainID)"), ("height", "\(out.height)"), ("tip", out.tipHash.hex),
                ("time", LedgerCLI.timeText(out.time)), ("warp offset", "\(out.warpOffset) s"),
                ("state hash", out.stateHash.hex), ("tokens", "\(out.tokens)"), ("nfts", "\(out.nfts)"),
                ("streams", "\(out.streams)"), ("warnings", out.warnings.isEmpty ? "none" : out.warnings.joined(separator: "; ")),
            ]
            if let remote { fields += [("pending", "\(remote.head.pending)"), ("dev", remote.head.dev ? "yes" : "no")] }
            Output.fields(fields)
        }
    }

    // MARK: - blocks

    struct Blocks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List blocks: height, time, hash, transactions, events.",
            discussion: "Example: dmctl chain blocks --from 10 --limit 5")
        @OptionGroup var global: GlobalOptions
        @Option(help: "First height to list.") var from: UInt64 = 0
        @Option(help: "At most this many blocks (1-100000).") var limit = 50

        func run() async throws {
            try WholeNumberRule.check(limit, in: 1...100_000, field: "--limit")
            let chain = try ChainHome.open(Home(global))
            let blocks = try chain.blocks(from: from).prefix(limit)
            struct Out: Encodable {
                let height: UInt64; let time: UInt64; let hash: Hash32; let parentHash: Hash32
                let transactions: [Hash32]; let events: Int
            }
            let out = blocks.map {
                Out(height: $0.height, time: $0.header.timestamp, hash: $0.hash, parentHash: $0.header.parentHash,
                    transactions: $0.transactions.map(\.hash), events: $0.receipts.reduce(0) { $0 + $1.events.count })
            }
            if global.json { return try Output.json(out) }
            Output.table(["HEIGHT", "TIME", "HASH", "TXS", "EVENTS"], out.map {
                ["\($0.height)", "\($0.time)", $0.hash.hex, "\($0.transactions.count)", "\($0.events)"]
            })
        }
    }

    // MARK: - events

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List events, filtered by height range, account and kind.",
            discussion: "Example: dmctl chain events --account bob --kind Transfer --from 1")
        @OptionGroup var global: GlobalOptions
        @Option(help: "First height.") var from: UInt64 = 0
        @Option(help: "Last height (default: the tip).") var to: UInt64?
        @Option(help: "Only events naming this account (0x address or key name) or sent by it.") var account: String?
        @Option(help: "Only events of this kind (Transfer, Mint, Burn, Approval, NFTMint, StreamClaim, ...).") var kind: String?

        func run() async throws {
            let home = Home(global)
            if let to, to < from { throw CLIError.usage("--to \(to) is below --from \(from)") }
            let who = try account.map { try LedgerCLI.account($0, field: "--account", home: home) }
            let chain = try ChainHome.open(home)
            let records = try chain.events(from: from, to: to ?? .max, account: who, kind: kind)
            struct Out: Encodable {
                let height: UInt64; let time: UInt64; let transactionHash: Hash32
                let module: String; let kind: String; let accounts: [Address]; let fields: [String: String]
            }
            let views = records.map { r -> (Out, LedgerCLI.EventView) in
                let v = LedgerCLI.EventView(r.event)
                return (Out(height: r.height, time: r.timestamp, transactionHash: r.transactionHash, module: v.module, kind: v.kind,
                            accounts: v.accounts, fields: v.fields), v)
            }
            if global.json { return try Output.json(views.map(\.0)) }
            Output.table(["HEIGHT", "KIND", "ACCOUNTS", "FIELDS"], views.map { ["\($0.0.height)", $0.1.kind, $0.1.accountText, $0.1.fieldText] })
        }
    }

    // MARK: - verify

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-check every hash and signature and replay to the same state hash.",
            discussion: """
                Exit status 3 with the reason if the chain is damaged. Progress is shown on \
                standard error when it is a terminal and the replay takes over a second.

                Example: dmctl chain verify
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let v: Chain.Verification
            var progress = TerminalProgress("verify")
            do { v = try chain.verify { checked, total in progress.update(checked, of: total, unit: "blocks") } } catch {
                throw CLIError.storage("chain verify failed: \(error)")
            }
            progress.finish()
            if global.json {
                struct Out: Encodable { let ok: Bool; let blocks: UInt64; let transactions: Int; let stateHash: Hash32; let warnings: [String] }
                return try Output.json(Out(ok: true, blocks: v.blocks, transactions: v.transactions, stateHash: v.stateHash, warnings: ChainHome.warnings(of: chain)))
            }
            Output.fields([("blocks", "\(v.blocks)"), ("transactions", "\(v.transactions)"), ("state hash", v.stateHash.hex), ("result", "ok")])
        }
    }

    // MARK: - warp

    struct Warp: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move chain time forward and record it in an empty block.",
            discussion: """
                DURATION is a whole number of seconds with an optional unit s, m, h or d, at most \
                10 years (3650d) at a time, since a warp cannot be undone. The offset is kept in \
                <home>/chain/clock-offset and shared by every process.

                Example: dmctl chain warp 15m
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("How far: 900, 15m, 2h, 3d (at most 3650d).", valueName: "duration")) var duration: String

        /// The longest warp one command may make: 10 years of 365 days, in seconds.
        static let maximum: UInt64 = 3650 * 86_400

        func run() async throws {
            let seconds = try DurationText.seconds(duration, field: "DURATION")
            guard seconds > 0 else { throw CLIError.usage("DURATION: '\(duration)' is zero; expected a positive duration such as 900 or 15m") }
            guard seconds <= Warp.maximum else {
                throw CLIError.usage("DURATION: '\(duration)' is \(seconds) s, more than 10 years; expected at most 3650d (\(Warp.maximum) s) at a time, since a warp cannot be undone")
            }
            let home = Home(global)
            if let node = try home.node.get() {
                // A dev node warps its own clock; any other node refuses (403).
                let block = try NodeClient(base: node).warp(by: seconds)
                if global.json {
                    struct Out: Encodable { let warped: UInt64; let height: UInt64; let time: UInt64 }
                    return try Output.json(Out(warped: seconds, height: block.height, time: block.timestamp))
                }
                return Output.fields([("warped", "\(seconds) s"), ("height", "\(block.height)"), ("time", LedgerCLI.timeText(block.timestamp))])
            }
            let chain = try ChainHome.open(home)
            let block: Block
            do { block = try chain.warp(by: seconds) } catch ChainError.clock(let reason) {
                throw CLIError.usage("DURATION: \(reason)")
            }
            if global.json {
                struct Out: Encodable { let warped: UInt64; let warpOffset: UInt64; let height: UInt64; let time: UInt64 }
                return try Output.json(Out(warped: seconds, warpOffset: ChainHome.clock(home).offset, height: block.height, time: block.header.timestamp))
            }
            Output.fields([("warped", "\(seconds) s"), ("warp offset", "\(ChainHome.clock(home).offset) s"),
                           ("height", "\(block.height)"), ("time", LedgerCLI.timeText(block.header.timestamp))])
        }
    }

    // MARK: - soak (hidden)

    struct Soak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Development: append N blocks of K self-transfers, printing 'acked <height>' after each durable append.",
            discussion: "Used by the crash tests. Example: dmctl chain soak --blocks 100 --txs-per-block 4 --key default",
            shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Blocks to append.") var blocks: UInt64
        @Option(help: "Self-transfers per block (1-10000).") var txsPerBlock: Int
        @Option(help: "Token to self-transfer one smallest unit of.") var token = "DMT"
        @Option(help: "Wait until this file exists before appending (a start gate for concurrent runs).") var waitFor: String?
        @Option(help: "Snapshot every this many blocks.") var snapshotEvery: UInt64 = 1000
        @Option(help: ArgumentHelp(
            "After the first block, wait up to this many seconds until another writer has appended on top of it, then go on (two runs started together then interleave whatever the machine's load).",
            valueName: "seconds")) var awaitOther: UInt64?

        func run() async throws {
            guard (1...10_000).contains(txsPerBlock) else { throw CLIError.usage("--txs-per-block: \(txsPerBlock) is out of range; expected 1-10000") }
            let id = try LedgerCLI.token(token)
            let key = try signer.loadKey(global)
            let chain = try ChainHome.open(Home(global), snapshotInterval: snapshotEvery)
            let me = key.address
            let out = FileHandle.standardOutput
            if let waitFor {
                out.write(Data("ready\n".utf8))
                while !FileManager.default.fileExists(atPath: waitFor) { usleep(2_000) }
            }
            var mine: [UInt64] = []
            for _ in 0..<blocks {
                let outcome = try chain.store.exclusively {
                    try chain.refresh()
                    let first = chain.nonce(of: me)
                    var txs: [SignedTransaction] = []
                    for i in 0..<UInt64(txsPerBlock) {
                        txs.append(try SignedTransaction.sign(
                            LedgerModule.Call.transfer(token: id, to: me, amount: 1), for: LedgerModule.self,
                            chainID: chain.chainID, nonce: first + i, with: key))
                    }
                    return try chain.submit(txs)
                }
                if let r = outcome.rejected.first { throw CLIError.refused("soak: transaction \(r.index) refused: \(r.error)") }
                mine.append(outcome.block.height)
                // FileHandle.write is an unbuffered write(2): the line is out once it returns.
                out.write(Data("acked \(outcome.block.height)\n".utf8))
                if mine.count == 1, blocks > 1, let awaitOther {
                    try Soak.awaitForeignBlock(above: outcome.block.height, chain: chain, seconds: awaitOther)
                }
            }
            try chain.refresh()
            let foreign = (mine.first.map { first in (mine.last ?? first) - first + 1 - UInt64(mine.count) }) ?? 0
            out.write(Data("done \(mine.count) tip \(chain.height) foreign \(foreign)\n".utf8))
        }

        /// Waits, without holding the writers' lock between looks, until the chain has a block
        /// above `height` (another writer's, since this one is waiting), or throws after `seconds`.
        static func awaitForeignBlock(above height: UInt64, chain: Chain, seconds: UInt64) throws {
            let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
            while try chain.store.exclusively({ try chain.refresh(); return chain.height }) <= height {
                guard ContinuousClock.now < deadline else {
                    throw CLIError.refused("soak: no other writer appended above block \(height) within \(seconds) s (--await-other)")
                }
                usleep(2_000)
            }
        }
    }
}
