import ArgumentParser
import ChainNode
import Foundation
import LedgerCore

/// `dmctl stream ...`: payment streams that vest linearly over a time window.
struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Open, claim, cancel and inspect payment streams (trickle payments).",
        discussion: """
            The payer locks an amount for [start, end]. At time t the vested part is \
            floor(amount × (t − start) / (end − start)), all of it from end on; the payee claims \
            what has vested, and cancelling pays the vested part and refunds the rest. Times are \
            block times: wall time plus the offset of `dmctl chain warp`.

            Example:
              dmctl stream open --to bob --token DMT --amount 100 --start +1m --end +1d --key alice
              dmctl chain warp 12h
              dmctl stream claim 1 --key bob
            """,
        subcommands: [Open.self, Claim.self, Cancel.self, Show.self, List.self])

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lock the signer's tokens in a stream to a payee.",
            discussion: """
                --start and --end take a Unix time in seconds or +DURATION from now \
                (900, 15m, 2h, 3d).

                Example: dmctl stream open --to bob --token DMT --amount 100 --start +10m --end +30d --key alice
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Payee: 0x address or key name.") var to: String
        @Option(help: "Token symbol.") var token: String
        @OptionGroup var amount: AmountOptions
        @Option(help: ArgumentHelp("When vesting begins: Unix seconds or +DURATION.", valueName: "time")) var start: String
        @Option(help: ArgumentHelp("When everything has vested: Unix seconds or +DURATION.", valueName: "time")) var end: String

        func run() async throws {
            let id = try LedgerCLI.token(token)
            let home = Home(global)
            let payee = try LedgerCLI.account(to, field: "--to", home: home)
            let chain = try ChainHome.open(home)
            let value = try amount.value(of: id, chain: chain)
            let now = max(chain.state.timestamp, chain.clock.now())
            let s = try StreamCommand.time(start, field: "--start", now: now)
            let e = try StreamCommand.time(end, field: "--end", now: now)
            try LedgerCLI.run(LedgerModule.Call.openStream(payee: payee, token: id, amount: value, start: s, end: e), to: LedgerModule.self,
                              chain: chain, global: global, signer: signer)
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pay the payee what has vested so far (payee only).",
            discussion: "Example: dmctl stream claim 1 --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Stream id.") var id: UInt64

        func run() async throws {
            try LedgerCLI.run(.claimStream(id: id), global: global, signer: signer)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop a stream: pay the vested part, refund the rest (payer only).",
            discussion: "Example: dmctl stream cancel 1 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Stream id.") var id: UInt64

        func run() async throws {
            try LedgerCLI.run(.cancelStream(id: id), global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one stream with what has vested and what can be claimed now.",
            discussion: "Example: dmctl stream show 1 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Stream id.") var id: UInt64

        func run() async throws {
            let home = Home(global)
            let chain = try ChainHome.open(home)
            guard let stream = chain.state.ledger.streams[id] else { throw LedgerError.unknownStream(id) }
            let now = max(chain.state.timestamp, chain.clock.now())
            let view = StreamView(stream, now: now)
            if global.json { return try Output.json(view) }
            let token = chain.state.ledger.tokens[stream.token]
            Output.fields([
                ("id", "\(stream.id)"), ("payer", stream.payer.checksummed), ("payee", stream.payee.checksummed),
                ("amount", LedgerCLI.amountText(stream.amount, token)),
                ("start", LedgerCLI.timeText(stream.start)), ("end", LedgerCLI.timeText(stream.end)),
                ("claimed", LedgerCLI.amountText(stream.claimed, token)),
                ("refunded", LedgerCLI.amountText(stream.refunded, token)),
                ("vested now", LedgerCLI.amountText(view.vested, token)),
                ("claimable now", LedgerCLI.amountText(view.claimable, token)),
                ("status", view.status),
            ])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List streams, optionally only those an account pays or receives.",
            discussion: "Example: dmctl stream list --account bob")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only streams with this payer or payee (0x address or key name).") var account: String?

        func run() async throws {
            let home = Home(global)
            let who = try account.map { try LedgerCLI.account($0, field: "--account", home: home) }
            let chain = try ChainHome.open(home)
            let now = max(chain.state.timestamp, chain.clock.now())
            let streams = chain.state.ledger.streams.values.filter { who == nil || $0.payer == who || $0.payee == who }
            let views = streams.map { StreamView($0, now: now) }
            if global.json { return try Output.json(views) }
            Output.table(["ID", "PAYER", "PAYEE", "TOKEN", "AMOUNT", "CLAIMED", "STATUS"], views.map { v -> [String] in
                let token = chain.state.ledger.tokens[v.token]
                return ["\(v.id)", v.payer.checksummed, v.payee.checksummed, v.token.symbol,
                        AmountRule.text(v.amount, token), AmountRule.text(v.claimed, token), v.status]
            })
        }
    }

    /// A stream as dmctl prints it in JSON: the node's view (`GET /streams/{id}`).
    typealias StreamView = NodeAPI.StreamView

    /// A time given as Unix seconds or `+DURATION` from `now`.
    static func time(_ text: String, field: String, now: UInt64) throws(CLIError) -> UInt64 {
        if text.hasPrefix("+") {
            let delta = try DurationText.seconds(String(text.dropFirst()), field: field)
            let (t, overflow) = now.addingReportingOverflow(delta)
            guard !overflow else { throw .usage("\(field): \(text) from \(now) exceeds 2^64-1") }
            return t
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let t = UInt64(text) else {
            throw .usage("\(field): '\(text)' is neither Unix seconds nor +DURATION; expected e.g. 1732200000 or +15m")
        }
        return t
    }
}
