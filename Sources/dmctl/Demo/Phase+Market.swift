import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit

extension DemoScenario {
    /// Small, fast market parameters: 10-DMT challenge stake, 5-DMT deposit, 10-minute votes,
    /// 50 % quorum, plurality and dispensation, council above 100 MarketToken, a price of
    /// 0.01 DMT per MarketToken rising by 10^-6 per token, 250 MarketToken list reward and 1 per
    /// access, makers 50 % and the backend 25 % of a job.
    static let marketParameters = Parameters(
        challengeStake: tokens(10), applicationDeposit: tokens(5), voteBy: 600, quorum: 50, plurality: 50, dispensation: 50,
        councilThreshold: tokens(100), priceFloor: milli(10), priceSlope: 1_000_000_000_000, listReward: tokens(250),
        accessReward: tokens(1), defaultAccessCost: milli(1), makerPayment: 50, backendPayment: 25, resolveDeadline: 600,
        jobTimeout: 600)

    /// How many shards go to market and which one has its labels flipped.
    static let marketShards = 4
    static let flippedShard = 3

    /// The market phase: council, datatrust, four applications, listing, audit, challenge, `$Data`.
    mutating func playMarket() async throws {
        let council = people.council
        let creator = council[0]
        doing("create market '\(market)'")
        try marketCall(.create(market: market, tokenName: "Breast Cancer Market Token", networkToken: Self.dmt, parameters: Self.marketParameters), from: creator)
        step("council-1 creates market '\(market.slug)' with its MarketToken \(market.tokenSymbol.symbol) on the DMT reserve")

        for (i, member) in council.enumerated() {
            doing("council-\(i + 1) invests 10 DMT")
            try marketCall(.invest(market: market, offered: Self.tokens(10), minTokensOut: 0), from: member)
        }
        var m = try marketState()
        summary.market.council = council.filter { m.isCouncilMember($0.address) }.map { people.name(of: $0.address) }
        step("5 investors put in 10 DMT each and hold \(marketTokens(council[0]).formatted(decimals: 18)) \(market.tokenSymbol.symbol) or more: "
             + "\(m.council.count) council members (threshold 100)")

        doing("propose the datatrust as backend")
        try marketCall(.proposeBackend(market: market, url: "inproc://datatrust/\(market.slug)", address: people.datatrust.address), from: creator)
        let backendPoll = try lastPoll()
        try decide([backendPoll], yea: council)
        guard try marketState().backends[people.datatrust.address] != nil else {
            throw CLIError.refused("the datatrust was not authorised by poll #\(backendPoll)")
        }
        doing("the datatrust sets its compute cost")
        try marketCall(.setComputeCost(market: market, cost: Self.milli(500)), from: people.datatrust)
        summary.market.backend = people.datatrust.address.checksummed
        step("the council authorises the datatrust \(short(people.datatrust.address)) by poll #\(backendPoll) (5 yea); compute costs 0.5 DMT a job")

        doing("open the datatrust")
        try openDatatrust()
        step("the datatrust opens its encrypted vault and SQLite index in \(folder.datatrust.lastPathComponent)/")

        let shards = try shardPool.shards(Self.marketShards, seed: subseed("market shards"))
        for (i, shard) in shards.enumerated() {
            let flipped = i == Self.flippedShard
            let rows = flipped ? LabeledDataset(features: shard.features, labels: shard.labels.map { 1 - $0 }, classNames: shard.classNames) : shard
            let bytes = DemoData.csv(rows)
            let dataHash = Keccak256.hash(bytes)
            let owner = people.owners[i]
            doing("owner-\(i + 1) applies")
            try marketCall(.apply(market: market, dataHash: dataHash), from: owner)
            var listing = DemoListing(
                owner: i, rows: rows, bytes: bytes, dataHash: dataHash, id: Listing.id(applicant: owner.address, dataHash: dataHash), flipped: flipped)
            listing.poll = try lastPoll()
            doing("the datatrust stores owner-\(i + 1)'s shard and attests")
            try await storeAndAttest(listing)
            guard try marketState().listings[listing.id]?.attestedBy == people.datatrust.address else {
                throw CLIError.refused("listing of owner-\(i + 1) was not attested by the datatrust")
            }
            listings.append(listing)
            summary.market.applied.append("owner-\(i + 1)")
            step("owner-\(i + 1) applies with \(rows.count) rows (\(bytes.count) bytes, 5 DMT deposit)\(flipped ? ", labels secretly flipped" : ""); "
                 + "the datatrust stores them encrypted and attests on chain")
        }

        doing("the council votes on the applications")
        try decide(listings.map(\.poll), yea: council)
        m = try marketState()
        let listedNow = listings.filter { m.listings[$0.id]?.listed == true }
        guard listedNow.count == listings.count else {
            throw CLIError.refused("\(listedNow.count) of \(listings.count) applications were listed; expected all")
        }
        step("the council votes yea on all \(listings.count) applications: listed, each with \(Self.marketParameters.listReward.formatted(decimals: 18)) \(market.tokenSymbol.symbol) list reward")

        // A council member audits each listing with a model trained on the others' rows.
        doing("audit the listings")
        var agreement: [Double] = []
        for listing in listings {
            let others = listings.filter { $0.id != listing.id }
            let model = LogisticRegression.train(
                features: others.flatMap(\.rows.features), labels: others.flatMap(\.rows.labels),
                options: TrainingOptions(epochs: 60, seed: subseed("audit")))
            let score = accuracy(model.predict(listing.rows.features), listing.rows.labels)
            agreement.append(score)
            summary.market.audit["owner-\(listing.owner + 1)"] = (score * 1000).rounded() / 10
        }
        let challenger = council[4]
        summary.market.challenger = "council-5"
        step("council-5 audits each listing against a model trained on the others: "
             + zip(listings, agreement).map { "owner-\($0.owner + 1) \(percent($1))" }.joined(separator: ", ") + " of labels agree")

        for (listing, score) in zip(listings, agreement) where score < 0.5 {
            let before = balance(challenger)
            doing("council-5 challenges owner-\(listing.owner + 1)'s listing")
            try marketCall(.challenge(market: market, listing: listing.id), from: challenger)
            let poll = try lastPoll()
            try decide([poll], yea: Array(council.prefix(4)))
            guard try marketState().listings[listing.id] == nil else {
                throw CLIError.refused("the challenge of owner-\(listing.owner + 1)'s listing did not remove it")
            }
            doing("owner-\(listing.owner + 1) withdraws its shard from the datatrust")
            try await withdrawFromDatatrust(listing)
            summary.market.removed.append("owner-\(listing.owner + 1)")
            summary.market.flippedOwner = listing.flipped ? "owner-\(listing.owner + 1)" : summary.market.flippedOwner
            step("council-5 challenges owner-\(listing.owner + 1)'s listing (10 DMT stake, poll #\(poll)); 4 yea: removed, its reward burned; "
                 + "challenger \(Self.delta(balance(challenger), before)) (stake back + half the deposit); owner-\(listing.owner + 1) withdraws the shard from the datatrust")
        }

        m = try marketState()
        for index in listings.indices where m.listings[listings[index].id]?.listed == true {
            let listing = listings[index]
            doing("owner-\(listing.owner + 1) mints $Data")
            try roles(.mintData(
                dataHash: listing.dataHash, listing: ListingRef(market: market, listing: listing.id),
                disclosure: Disclosure(
                    abstract: "\(listing.rows.count) breast-cancer biopsies (WDBC)", schema: "30 real features, diagnosis malignant|benign",
                    tags: ["breast-cancer", "tabular", "wdbc"], referenceable: true),
                name: "wdbc shard \(listing.owner + 1)"), from: people.owners[listing.owner])
            listings[index].dataToken = chain.state.ledger.nextNFTID - 1
        }
        let live = listings.filter { $0.dataToken != nil }
        summary.market.listed = live.map { "owner-\($0.owner + 1)" }
        summary.market.reserve = Self.dmt(held(m.reserveEscrow))
        summary.market.spotPrice = Self.dmt(try spotPrice())
        step("\(live.count) listings remain; their owners mint $Data NFTs " + live.compactMap { $0.dataToken.map { "#\($0)" } }.joined(separator: ", ")
             + " tied to them; reserve \(summary.market.reserve)")
    }

    // MARK: - Market helpers

    /// The newest poll's id.
    func lastPoll() throws -> UInt64 { try marketState().nextPollID - 1 }

    /// Votes on every poll, waits out the vote window and resolves them.
    func decide(_ polls: [UInt64], yea: [PrivateKey], nay: [PrivateKey] = []) throws {
        for poll in polls {
            for k in yea { try marketCall(.vote(market: market, poll: poll, yea: true), from: k) }
            for k in nay { try marketCall(.vote(market: market, poll: poll, yea: false), from: k) }
        }
        try warp(Self.marketParameters.voteBy.uint64Value ?? 600)
        for poll in polls { try marketCall(.resolve(market: market, poll: poll), from: people.council[0]) }
    }

    /// NetworkToken per whole MarketToken at the current investor supply.
    func spotPrice() throws -> UInt256 {
        let m = try marketState()
        return try PriceCurve.spotPrice(supply: m.investorSupply, floor: m.parameters.priceFloor, slope: m.parameters.priceSlope)
    }

    /// A share as a percentage with one decimal.
    func percent(_ share: Double) -> String { String(format: "%.1f %%", share * 100) }
}
