import ArgumentParser
import Foundation
import LedgerCore
import MarketKit

/// `dmctl data`: `$Data` tokens for uploaded data.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Mint, disclose and claim base rewards for $Data tokens (the data stays with you).",
        discussion: "Example: dmctl data mint --data-file rows.csv --market cancer --listing 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --tag tabular --key bob",
        subcommands: [Mint.self, Tie.self, Disclose.self, Claim.self, Show.self])

    /// The disclosure flags shared by `mint` and `disclose`.
    struct DisclosureOptions: ParsableArguments {
        @Option(help: "Short description (up to 1024 bytes).") var abstract: String?
        @Option(help: "Schema, e.g. column names and types (up to 1024 bytes).") var schema: String?
        @Option(help: "Keccak-256 of a published sample (hex).") var sampleHash: String?
        @Option(name: .customLong("tag"), help: "A discovery tag (a-z, 0-9, '-'); repeat for several.") var tags: [String] = []
        @Flag(help: "Let others put the data in portfolios and train on it.") var referenceable = false

        /// Whether any disclosure flag was given.
        var isEmpty: Bool { abstract == nil && schema == nil && sampleHash == nil && tags.isEmpty && !referenceable }

        func disclosure() throws -> Disclosure {
            Disclosure(
                abstract: abstract ?? "", schema: schema ?? "",
                sampleHash: try sampleHash.map { try RolesCLI.hash($0, field: "--sample-hash") }, tags: tags, referenceable: referenceable)
        }
    }

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a $Data NFT for the hash of your data, optionally tied to your listed market listing.",
            discussion: """
                Example: dmctl data mint --data-file rows.csv --market cancer --listing \
                0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --tag tabular --referenceable --key bob
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(help: "Keccak-256 of the data (hex).") var dataHash: String?
        @Option(help: "A file whose Keccak-256 is the data hash (read locally, never uploaded).") var dataFile: String?
        @Option(help: "Market slug of the listing to tie to (with --listing).") var market: String?
        @Option(help: "Listing id to tie to (hex, with --market).") var listing: String?
        @Option(help: "Display name.") var name: String?
        @OptionGroup var disclosure: DisclosureOptions

        func run() async throws {
            guard let hash = try RolesCLI.hash(hex: dataHash, file: dataFile, name: "data") else { return }
            let ref: ListingRef?
            switch (market, listing) {
            case (let m?, let l?): ref = ListingRef(market: try RolesCLI.market(m), listing: try RolesCLI.hash(l, field: "--listing"))
            case (nil, nil): ref = nil
            default: throw CLIError.usage("--market and --listing go together")
            }
            try RolesCLI.run(.mintData(dataHash: hash, listing: ref, disclosure: disclosure.isEmpty ? nil : try disclosure.disclosure(), name: name),
                             global: global, signer: signer)
        }
    }

    struct Tie: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tie your $Data to your listed market listing of the same data (replacing an earlier tie).",
            discussion: "Example: dmctl data tie 1 --market cancer --listing 0xf99c8d401e3970607f3e7e03ec7b8150e1123bded547cdc22e7003da1986db95 --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Data NFT id.") var id: UInt64
        @Option(help: "Market slug of the listing.") var market: String
        @Option(help: "Listing id (0x + 64 hex digits).") var listing: String

        func run() async throws {
            let ref = ListingRef(market: try RolesCLI.market(market), listing: try RolesCLI.hash(listing, field: "--listing"))
            try RolesCLI.run(.tieListing(data: id, listing: ref), global: global, signer: signer)
        }
    }

    struct Disclose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the disclosure of your $Data.",
            discussion: "Example: dmctl data disclose 1 --abstract '100 biopsies' --tag tabular --referenceable --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Data NFT id.") var id: UInt64
        @OptionGroup var disclosure: DisclosureOptions

        func run() async throws {
            try RolesCLI.run(.disclose(data: id, disclosure: try disclosure.disclosure()), global: global, signer: signer)
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim the base reward a $Data (or $Portfolio) you own accrued in a reward pool.",
            discussion: "Example: dmctl data claim 1 --pool 1 --key bob")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "The $Data or $Portfolio NFT id.") var id: UInt64
        @Option(help: "The reward pool id.") var pool: UInt64

        func run() async throws {
            try RolesCLI.run(.claim(pool: pool, nft: id), global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a $Data token, or with --tag the $Data tokens carrying every given tag.",
            discussion: """
                Examples:
                  dmctl data show 1
                  dmctl data show --tag tabular --json
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The $Data NFT id.") var id: UInt64?
        @Option(name: .customLong("tag"), help: "List data carrying this tag; repeat for several.") var tags: [String] = []

        struct View: Encodable {
            let id: UInt64
            let owner: String
            let dataHash: Hash32
            let uses: UInt64
            let tie: ListingTie?
            let disclosure: Disclosure?
        }

        func run() async throws {
            let (chain, roles) = try RolesCLI.state(global)
            let tokens: [DataToken]
            if let id {
                do { tokens = [try roles.dataToken(id)] } catch { throw CLIError.refused("\(error)") }
            } else {
                tokens = roles.data(taggedWith: tags)
            }
            let views = tokens.map {
                View(id: $0.id, owner: RolesCLI.owner($0.id, chain: chain), dataHash: $0.dataHash, uses: $0.uses, tie: $0.tie, disclosure: $0.disclosure)
            }
            if global.json { try Output.json(views); return }
            Output.table(["id", "owner", "uses", "listing", "tags", "referenceable", "dataHash"], views.map { v in
                [
                    "\(v.id)", v.owner, "\(v.uses)", v.tie.map { "\($0.market.slug)/\($0.listing.hex)" } ?? "-",
                    v.disclosure?.tags.joined(separator: ",") ?? "-", "\(v.disclosure?.referenceable ?? false)", v.dataHash.hex,
                ]
            })
        }
    }
}
