import ArgumentParser
import ChainNode
import Foundation
import LedgerCore

/// `dmctl nft ...`: data, model and portfolio NFTs with ERC-721 semantics.
struct NFTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nft",
        abstract: "Mint, move and inspect data, model and portfolio NFTs (ERC-721 semantics).",
        discussion: """
            An NFT carries the Keccak-256 of the content it stands for (the content stays off \
            chain), metadata, an optional royalty and links to other NFTs.

            Example:
              dmctl nft mint --class data --content-file Data/breast_cancer.csv \\
                --meta name='Breast cancer (Wisconsin)' --meta rows=569 --royalty alice:250 --key alice
              dmctl nft list --owner alice
            """,
        subcommands: [Mint.self, Transfer.self, Approve.self, SetMetadata.self, Show.self, List.self])

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint an NFT for a dataset, a model or a portfolio.",
            discussion: """
                Give the content as --content-hash 0x<64 hex> or --content-file FILE (hashed \
                with Keccak-256). The NFT goes to the signer unless --to names another account.

                Example: dmctl nft mint --class model --content-hash 0x5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02 --meta name=lr-v1 --link 1 --key bob
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Option(name: .customLong("class"), help: "What it stands for: data, model or portfolio.") var kind: String
        @Option(help: "Keccak-256 of the content, 0x + 64 hex digits.") var contentHash: String?
        @Option(help: "File whose Keccak-256 is the content hash.") var contentFile: String?
        @Option(help: ArgumentHelp("Metadata entry key=value (repeatable).", valueName: "key=value")) var meta: [String] = []
        @Option(help: ArgumentHelp("Royalty recipient and share in basis points (0-10000).", valueName: "address:bps")) var royalty: String?
        @Option(help: ArgumentHelp("Id of a linked NFT (repeatable).", valueName: "id")) var link: [UInt64] = []
        @Option(help: "Owner of the new NFT (default: the signer).") var to: String?

        func run() async throws {
            guard let nftKind = NFT.Kind(rawValue: kind) else {
                throw CLIError.usage("--class: '\(kind)' is not a class; expected data, model or portfolio")
            }
            let home = Home(global)
            let hash: Hash32
            switch (contentHash, contentFile) {
            case (let text?, nil):
                do { hash = try Hash32(hex: text, field: "--content-hash") } catch { throw CLIError.usage("\(error)") }
            case (nil, let file?):
                hash = try TerminalProgress.keccak(ofFile: file, field: "--content-file")
            default:
                throw CLIError.usage("give exactly one of --content-hash 0x... or --content-file FILE")
            }
            let metadata = try LedgerCLI.metadata(meta)
            var royaltyValue: NFT.Royalty?
            if let royalty {
                guard let colon = royalty.lastIndex(of: ":"), let bps = UInt16(royalty[royalty.index(after: colon)...]) else {
                    throw CLIError.usage("--royalty: '\(royalty)' is not ADDRESS:BPS with BPS a whole number 0-10000 (e.g. alice:250 for 2.5%)")
                }
                guard bps <= 10_000 else { throw CLIError.usage("--royalty: \(bps) basis points exceeds 10000 (100%)") }
                royaltyValue = NFT.Royalty(recipient: try LedgerCLI.account(String(royalty[..<colon]), field: "--royalty", home: home), basisPoints: bps)
            }
            let owner = try to.map { try LedgerCLI.account($0, field: "--to", home: home) }
            let draft = NFTDraft(kind: nftKind, contentHash: hash, metadata: metadata, royalty: royaltyValue, links: link)
            try LedgerCLI.run(.mintNFT(draft: draft, to: owner), global: global, signer: signer)
        }
    }

    struct SetMetadata: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-metadata",
            abstract: "Replace or add metadata entries of an NFT you own (an empty value removes the entry).",
            discussion: "Example: dmctl nft set-metadata 1 --meta name='item one' --meta draft= --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "NFT id.") var id: UInt64
        @Option(help: ArgumentHelp("Metadata entry key=value (repeatable; key= removes the key).", valueName: "key=value")) var meta: [String] = []

        func run() async throws {
            guard !meta.isEmpty else { throw CLIError.usage("--meta: none given; expected at least one key=value") }
            let entries = try LedgerCLI.metadata(meta)
            try LedgerCLI.run(.updateNFTMetadata(id: id, entries: entries), global: global, signer: signer)
        }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an NFT the signer owns or is approved for.",
            discussion: "Example: dmctl nft transfer 3 --to carol --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "NFT id.") var id: UInt64
        @Option(help: "Recipient: 0x address or key name.") var to: String

        func run() async throws {
            let home = Home(global)
            let recipient = try LedgerCLI.account(to, field: "--to", home: home)
            try LedgerCLI.run(.transferNFT(id: id, to: recipient), global: global, signer: signer)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let another account move the signer's NFT once (--clear revokes).",
            discussion: "Example: dmctl nft approve 3 --spender market-bot --key alice")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var signer: SignerOptions
        @Argument(help: "NFT id.") var id: UInt64
        @Option(help: "Spender: 0x address or key name.") var spender: String?
        @Flag(help: "Remove the current approval.") var clear = false

        func run() async throws {
            let home = Home(global)
            guard (spender == nil) == clear else { throw CLIError.usage("give exactly one of --spender ACCOUNT or --clear") }
            let who = try spender.map { try LedgerCLI.account($0, field: "--spender", home: home) }
            try LedgerCLI.run(.approveNFT(id: id, spender: who), global: global, signer: signer)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one NFT: class, owner, content hash, metadata, royalty, links.",
            discussion: "Example: dmctl nft show 3 --json")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "NFT id.") var id: UInt64

        func run() async throws {
            let chain = try ChainHome.open(Home(global))
            guard let nft = chain.state.ledger.nfts[id] else { throw LedgerError.unknownNFT(id) }
            if global.json { return try Output.json(NFTView(nft)) }
            var rows: [(String, String)] = [
                ("id", "\(nft.id)"), ("class", nft.kind.rawValue), ("owner", nft.owner.checksummed),
                ("content hash", nft.contentHash.hex), ("minted by", nft.minter.description),
                ("minted at", LedgerCLI.timeText(nft.mintedAt)),
                ("approved", nft.approved?.checksummed ?? "-"),
                ("royalty", nft.royalty.map { "\($0.recipient.checksummed) \($0.basisPoints) bps" } ?? "-"),
                ("links", nft.links.isEmpty ? "-" : nft.links.map(String.init).joined(separator: ",")),
            ]
            for key in nft.metadata.keys.sorted() { rows.append(("meta." + key, nft.metadata[key] ?? "")) }
            Output.fields(rows)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List NFTs, optionally only those one account owns.",
            discussion: "Example: dmctl nft list --owner bob")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only NFTs owned by this account (0x address or key name).") var owner: String?

        func run() async throws {
            let home = Home(global)
            let who = try owner.map { try LedgerCLI.account($0, field: "--owner", home: home) }
            let chain = try ChainHome.open(home)
            let ledger = chain.state.ledger
            let nfts = who.map { ledger.nfts(ownedBy: $0) } ?? ledger.nfts.values
            if global.json { return try Output.json(nfts.map(NFTView.init)) }
            Output.table(["ID", "CLASS", "OWNER", "CONTENT HASH", "NAME"], nfts.map {
                ["\($0.id)", $0.kind.rawValue, $0.owner.checksummed, $0.contentHash.hex, $0.metadata["name"] ?? ""]
            })
        }
    }

    /// An NFT as dmctl prints it in JSON: the node's view (`GET /nfts/{id}`).
    typealias NFTView = NodeAPI.NFTView
}
