import ArgumentParser
import ChainNode
import Foundation
import LedgerCore
import MarketKit

/// `dmctl market ...`: the Computable data market on the local chain.
struct MarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market",
        abstract: "Create and use curated data markets: listings, council votes, reserve, paid compute.",
        discussion: """
            Every mutating command signs one transaction with --key and prints its receipt. \
            Amounts are token units of their token with its decimals (10, 0.5), or smallest units \
            with --raw (see dmctl amounts); accounts are 0x addresses or key names.

            Example:
              dmctl market create cancer --network-token DMT --key alice
              dmctl market invest cancer 10 --key alice
              dmctl market apply cancer --file rows.csv --key bob
            """,
        subcommands: [
            Create.self, Show.self, Params.self, Listings.self, Apply.self, Attest.self, Challenge.self, Vote.self,
            Resolve.self, Expire.self, Exit.self, Invest.self, Divest.self, Convert.self, SetAccessCost.self, SetComputeCost.self, Pay.self,
            Report.self, Refund.self, ReportAccesses.self, BackendCommand.self, ReparamCommand.self,
        ])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a market with its MarketToken (MKT-<ID>) and standard parameters.",
            discussion: "Example: dmctl market create cancer --network-token DMT --set quorum=60 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id: 1-20 characters a-z, 0-9, '-'.") var id: String
        @Option(help: "Symbol of the existing token the reserve holds.") var networkToken: String
        @Option(help: "Name of the MarketToken.") var tokenName: String?
        @Option(help: ArgumentHelp(
            "Override a parameter, NAME=VALUE (repeatable): amounts in token units of their token (smallest units with --raw), seconds and percent as integers.",
            valueName: "name=value"))
        var set: [String] = []
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            let token = try LedgerCLI.token(networkToken, field: "--network-token")
            try MarketCLI.send(global: global, signer: signer) { chain in
                var p = Parameters.standard
                for item in set {
                    let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let name = MarketParameter(rawValue: parts[0]) else {
                        throw CLIError.usage("--set: '\(item)' is not a known parameter; expected NAME=VALUE with NAME one of \(MarketParameter.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    p[name] = try MarketCLI.parameterValue(name, parts[1], networkToken: token, marketTokenSymbol: market.tokenSymbol.symbol,
                                                           raw: units.raw, chain: chain, field: "--set \(name.rawValue)")
                }
                return .create(market: market, tokenName: tokenName ?? "\(id) market token", networkToken: token, parameters: p)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a market's tokens, reserve, council and counts.", discussion: "Example: dmctl market show cancer")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Market id.") var id: String

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let m = try MarketCLI.market(try MarketCLI.marketID(id), in: chain)
            let reserve = chain.state.ledger.escrows[m.reserveEscrow]?.held ?? .zero
            let price = try? m.currentPrice()
            let network = chain.state.ledger.tokens[m.networkToken], marketToken = chain.state.ledger.tokens[m.marketToken]
            // The same view the node serves at GET /markets/{id}.
            if global.json { return try Output.json(NodeAPI.MarketSummary(m, ledger: chain.state.ledger)) }
            let info: [(String, String)] = [
                ("market", m.id.slug), ("creator", m.creator.checksummed), ("marketToken", m.marketToken.symbol),
                ("networkToken", m.networkToken.symbol), ("reserve", AmountRule.text(reserve, network)),
                ("price", price.map { AmountRule.text($0, network) + " per " + m.marketToken.symbol } ?? "-"),
                ("investorSupply", AmountRule.text(m.investorSupply, marketToken)), ("council", "\(m.council.count)"),
                ("listed", "\(m.listedCount)"), ("applications", "\(m.listings.count - Int(m.listedCount))"),
                ("openPolls", "\(m.polls.count)"), ("backends", "\(m.backends.count)"), ("openJobs", "\(m.jobs.count)"),
            ]
            Output.fields(info)
        }
    }

    struct Params: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a market's parameters with their allowed ranges.", discussion: "Example: dmctl market params cancer")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Market id.") var id: String

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let m = try MarketCLI.market(try MarketCLI.marketID(id), in: chain)
            if global.json { return try Output.json(m.parameters) }
            let network = chain.state.ledger.tokens[m.networkToken], marketToken = chain.state.ledger.tokens[m.marketToken]
            Output.table(["PARAMETER", "VALUE", "MIN", "MAX"], MarketParameter.allCases.map { p -> [String] in
                let value = m.parameters[p]
                let shown: String
                switch p {
                case .challengeStake, .applicationDeposit, .priceFloor, .priceSlope, .defaultAccessCost: shown = AmountRule.text(value, network)
                case .councilThreshold, .listReward, .accessReward: shown = AmountRule.text(value, marketToken)
                case .voteBy, .resolveDeadline, .jobTimeout: shown = "\(value) s"
                case .quorum, .plurality, .dispensation, .makerPayment, .backendPayment: shown = "\(value) %"
                }
                return [p.rawValue, shown, p.bounds.lowerBound.description, p.bounds.upperBound.description]
            })
        }
    }

    struct Listings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a market's listings and applications.", discussion: "Example: dmctl market listings cancer --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Market id.") var id: String

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let m = try MarketCLI.market(try MarketCLI.marketID(id), in: chain)
            let all = m.listings.values
            if global.json {
                // The same view the node serves at GET /markets/{id}/listings.
                return try Output.json(NodeAPI.MarketListings(m))
            }
            Output.table(["LISTING", "OWNER", "LISTED", "POLL", "REWARDS", "ACCESS COST", "ACCESSES"], all.map { l in
                [l.id.hex, l.owner?.checksummed ?? "market", "\(l.listed)", l.poll.map { "\($0)" } ?? "-",
                 AmountRule.text(l.rewards, chain.state.ledger.tokens[m.marketToken]),
                 AmountRule.text(l.effectiveAccessCost(m.parameters), chain.state.ledger.tokens[m.networkToken]), "\(l.accessCount)"]
            })
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply for a listing (deposits the application deposit).", discussion: "Example: dmctl market apply cancer --file rows.csv --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Option(help: "Keccak-256 of the datapoint (0x + 64 hex digits).") var dataHash: String?
        @Option(help: "A file whose bytes are the datapoint (its Keccak-256 is used).") var file: String?

        func run() async throws {
            let hash: Hash32
            switch (dataHash, file) {
            case (let h?, nil): hash = try MarketCLI.hash(h, field: "data-hash")
            case (nil, let path?):
                hash = try TerminalProgress.keccak(ofFile: path, field: "--file")
            default: throw CLIError.usage("give exactly one of --data-hash or --file")
            }
            try MarketCLI.send(.apply(market: try MarketCLI.marketID(id), dataHash: hash), global: global, signer: signer)
        }
    }

    struct Attest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "As an authorised backend, attest holding a listing's data.", discussion: "Example: dmctl market attest cancer 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --key datatrust")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Listing id.") var listing: String

        func run() async throws {
            try MarketCLI.send(.attest(market: try MarketCLI.marketID(id), listing: try MarketCLI.hash(listing, field: "listing")), global: global, signer: signer)
        }
    }

    struct Challenge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Challenge a listed listing (stakes the challenge stake).", discussion: "Example: dmctl market challenge cancer 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --key carol")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Listing id.") var listing: String

        func run() async throws {
            try MarketCLI.send(.challenge(market: try MarketCLI.marketID(id), listing: try MarketCLI.hash(listing, field: "listing")), global: global, signer: signer)
        }
    }

    struct Vote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vote yea or nay in a poll (council members when it opened).", discussion: "Example: dmctl market vote cancer 3 yea --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Poll id.") var poll: UInt64
        @Argument(help: "yea or nay.") var choice: String

        func run() async throws {
            let yea: Bool
            switch choice.lowercased() {
            case "yea", "yes": yea = true
            case "nay", "no": yea = false
            default: throw CLIError.usage("choice '\(choice)': expected yea or nay")
            }
            try MarketCLI.send(.vote(market: try MarketCLI.marketID(id), poll: poll, yea: yea), global: global, signer: signer)
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a poll after its vote window.", discussion: "Example: dmctl market resolve cancer 3 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Poll id.") var poll: UInt64

        func run() async throws {
            try MarketCLI.send(.resolve(market: try MarketCLI.marketID(id), poll: poll), global: global, signer: signer)
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Expire a poll not resolved by its deadline (refunds stakes).", discussion: "Example: dmctl market expire cancer 3 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Poll id.") var poll: UInt64

        func run() async throws {
            try MarketCLI.send(.expire(market: try MarketCLI.marketID(id), poll: poll), global: global, signer: signer)
        }
    }

    struct Exit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove your listing (rewards burned, deposit returned).", discussion: "Example: dmctl market exit cancer 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Listing id.") var listing: String

        func run() async throws {
            try MarketCLI.send(.exit(market: try MarketCLI.marketID(id), listing: try MarketCLI.hash(listing, field: "listing")), global: global, signer: signer)
        }
    }

    struct Invest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Buy MarketToken on the price curve.", discussion: "Example: dmctl market invest cancer 10 --min-out 800 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: AmountRule.help("NetworkToken to pay", token: "the NetworkToken")) var amount: String
        @Option(parsing: .unconditional, help: AmountRule.help("Fewest MarketToken to accept", token: "the MarketToken")) var minOut = "0"
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                return .invest(market: market, offered: try MarketCLI.networkAmount(amount, of: m, raw: units.raw, chain: chain, field: "amount"),
                               minTokensOut: try MarketCLI.marketTokenAmount(minOut, of: m, raw: units.raw, chain: chain, field: "--min-out"))
            }
        }
    }

    struct Divest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Burn all your MarketToken for your share of the reserve.", discussion: "Example: dmctl market divest cancer --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Option(parsing: .unconditional, help: AmountRule.help("Least NetworkToken to accept", token: "the NetworkToken")) var minPayout = "0"
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                return .divest(market: market, minPayout: try MarketCLI.networkAmount(minPayout, of: m, raw: units.raw, chain: chain, field: "--min-payout"))
            }
        }
    }

    struct Convert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand your listings to the market and become an investor (irreversible).", discussion: "Example: dmctl market convert cancer --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String

        func run() async throws {
            try MarketCLI.send(.convertToInvestor(market: try MarketCLI.marketID(id)), global: global, signer: signer)
        }
    }

    struct SetAccessCost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set-access-cost", abstract: "Set your listing's access cost.", discussion: "Example: dmctl market set-access-cost cancer 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 0.2 --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Listing id.") var listing: String
        @Argument(help: AmountRule.help("Cost per access", token: "the NetworkToken")) var cost: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            let listingID = try MarketCLI.hash(listing, field: "listing")
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                return .setAccessCost(market: market, listing: listingID, cost: try MarketCLI.networkAmount(cost, of: m, raw: units.raw, chain: chain, field: "cost"))
            }
        }
    }

    struct SetComputeCost: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-compute-cost",
            abstract: "As an authorised backend, set what one compute job on you costs (before listing access costs).",
            discussion: "Example: dmctl market set-compute-cost cancer 0.1 --key datatrust")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: AmountRule.help("Cost per job", token: "the NetworkToken")) var cost: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                return .setComputeCost(market: market, cost: try MarketCLI.networkAmount(cost, of: m, raw: units.raw, chain: chain, field: "cost"))
            }
        }
    }

    struct Pay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pay for one compute job (no --listing: the whole market).", discussion: "Example: dmctl market pay cancer --listing 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --max-price 2 --backend datatrust --key dave")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Option(help: "A listing to pay for (repeatable).") var listing: [String] = []
        @Option(parsing: .unconditional, help: AmountRule.help("Most NetworkToken to pay", token: "the NetworkToken")) var maxPrice: String
        @Option(help: "The authorised backend to run it: 0x address or key name.") var backend: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            let market = try MarketCLI.marketID(id)
            let ids = try listing.map { try MarketCLI.hash($0, field: "--listing") }
            let backendAddress = try LedgerCLI.account(backend, field: "--backend", home: Home(global))
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                return .payForCompute(market: market, listings: ids.isEmpty ? nil : ids,
                                      maxPrice: try MarketCLI.networkAmount(maxPrice, of: m, raw: units.raw, chain: chain, field: "--max-price"),
                                      backend: backendAddress)
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "As the job's backend, report it done with the listings it touched.", discussion: "Example: dmctl market report cancer 1 --listing 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --key datatrust")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Job id.") var job: UInt64
        @Option(help: "A listing the job touched (repeatable).") var listing: [String] = []

        func run() async throws {
            try MarketCLI.send(.reportJob(market: try MarketCLI.marketID(id), job: job, listings: try listing.map { try MarketCLI.hash($0, field: "listing") }), global: global, signer: signer)
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refund a job not reported by its deadline to its buyer.", discussion: "Example: dmctl market refund cancer 1 --key dave")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Job id.") var job: UInt64

        func run() async throws {
            try MarketCLI.send(.refundJob(market: try MarketCLI.marketID(id), job: job), global: global, signer: signer)
        }
    }

    struct ReportAccesses: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report-accesses",
            abstract: "As an authorised backend, report workloads run (the spec's coarse usage count; mints nothing).",
            discussion: "Example: dmctl market report-accesses cancer 3 --key datatrust")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Workloads run since the last report (at least 1).") var count: UInt64

        func run() async throws {
            guard count > 0 else { throw CLIError.usage("count: 0; expected at least 1 workload") }
            try MarketCLI.send(.updateListingsAccessed(market: try MarketCLI.marketID(id), count: count), global: global, signer: signer)
        }
    }
}

/// `dmctl market backend ...`: datatrust backends, decided by council vote.
struct BackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backend", abstract: "Propose, remove and list a market's datatrust backends.",
        discussion: "Example: dmctl market backend list cancer",
        subcommands: [Propose.self, Remove.self, List.self])

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Propose authorising a backend (opens a council poll).", discussion: "Example: dmctl market backend propose cancer --url https://dt.example --address datatrust --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Option(help: "The backend's external URL.") var url: String
        @Option(help: "The backend operator: 0x address or key name.") var address: String

        func run() async throws {
            let operatorAddress = try LedgerCLI.account(address, field: "--address", home: Home(global))
            try MarketCLI.send(.proposeBackend(market: try MarketCLI.marketID(id), url: url, address: operatorAddress), global: global, signer: signer)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Propose revoking a backend (opens a council poll).", discussion: "Example: dmctl market backend remove cancer datatrust --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "The backend operator: 0x address or key name.") var address: String

        func run() async throws {
            let operatorAddress = try LedgerCLI.account(address, field: "address", home: Home(global))
            try MarketCLI.send(.proposeBackendRemoval(market: try MarketCLI.marketID(id), address: operatorAddress), global: global, signer: signer)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a market's authorised backends.", discussion: "Example: dmctl market backend list cancer")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Market id.") var id: String

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            let m = try MarketCLI.market(try MarketCLI.marketID(id), in: chain)
            let backends = m.backends.values
            if global.json {
                /// Compute costs in smallest units of the NetworkToken.
                struct Out: Encodable { let networkToken: TokenID; let backends: [Backend] }
                return try Output.json(Out(networkToken: m.networkToken, backends: Array(backends)))
            }
            let network = chain.state.ledger.tokens[m.networkToken]
            Output.table(["ADDRESS", "URL", "COMPUTE COST", "SINCE"], backends.map {
                [$0.address.checksummed, $0.url, AmountRule.text($0.computeCost, network), "\($0.authorisedAt)"]
            })
        }
    }
}

/// `dmctl market reparam ...`: parameter changes by council vote.
struct ReparamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reparam", abstract: "Propose parameter changes.",
        discussion: "Example: dmctl market reparam propose cancer quorum 60 --key alice", subcommands: [Propose.self])

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose PARAMETER = VALUE (amounts in token units, or smallest units with --raw; seconds; percent), staking the challenge stake.",
            discussion: "Example: dmctl market reparam propose cancer quorum 60 --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "Market id.") var id: String
        @Argument(help: "Parameter name (see dmctl market params).") var parameter: String
        @Argument(help: "New value: an amount in token units of its token (smallest units with --raw), or seconds or percent as an integer.")
        var value: String
        @OptionGroup var units: RawAmountFlag

        func run() async throws {
            guard let p = MarketParameter(rawValue: parameter) else {
                throw CLIError.usage("parameter: '\(parameter)' is unknown; expected one of \(MarketParameter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let market = try MarketCLI.marketID(id)
            try MarketCLI.send(global: global, signer: signer) { chain in
                let m = try MarketCLI.market(market, in: chain)
                let v = try MarketCLI.parameterValue(p, value, networkToken: m.networkToken, marketTokenSymbol: m.marketToken.symbol,
                                                     raw: units.raw, chain: chain, field: "value")
                return .proposeReparam(market: market, parameter: p, value: v)
            }
        }
    }
}
