// MarketRound: a curated data market on an in-process LedgerCore chain, with MarketKit.
//
//     swift run MarketRound
//
// Genesis with a network token, a market, investors who buy into the council, a datatrust
// backend authorised by vote, a listing applied for, attested, voted on and resolved, a buyer
// paying for compute, the backend's usage report, and the balances at the end.

import Foundation
import LedgerCore
import MarketKit

/// A fixed key per role, so every run prints the same addresses.
func account(_ n: UInt8) throws -> PrivateKey {
    try PrivateKey(bytes: [UInt8](repeating: 0, count: 31) + [n])
}

/// Whole tokens of an 18-decimal token, in wei.
func tokens(_ text: String) throws -> UInt256 { try UInt256(decimal: text, decimals: 18) }

func run() throws {
    let (creator, backend, owner, buyer) = (try account(1), try account(2), try account(3), try account(4))
    let investors = [try account(10), try account(11), try account(12)]
    let everyone = [creator, backend, owner, buyer] + investors

    // MARK: - Genesis: a network token with 10,000 DMT for everyone
    let dmt = try TokenID("DMT")
    let genesis = GenesisConfig(chainID: 1337, timestamp: 1_732_200_000, tokens: [
        .init(symbol: dmt, name: "DataMarket Token",
              balances: try everyone.map { .init(account: $0.address, amount: try tokens("10000")) }),
    ])
    // In memory with a manual clock; pass `store: FileBlockStore(folder:)` to keep the blocks.
    let chain = try Chain.create(genesis: genesis, modules: [MarketModule.self])
    print("genesis: chain \(chain.chainID), \(everyone.count) accounts with 10,000 DMT each")

    func send(_ call: MarketModule.Call, from key: PrivateKey, _ what: String) throws {
        let receipt = try chain.send(call, to: MarketModule.self, from: key)
        let kinds = receipt.events.map(\.kind).joined(separator: ", ")
        print("  block \(chain.height): \(what) -> \(kinds)")
    }

    // MARK: - A market with the standard parameters (1-hour votes, council above 1,000 MKT)
    let id = try MarketID("cancer")
    print("1. create market '\(id)' (its MarketToken is \(id.tokenSymbol))")
    try send(.create(market: id, tokenName: "Cancer Market Token", networkToken: dmt, parameters: .standard),
             from: creator, "create")
    var market: Market { get throws { try chain.state(of: MarketModule.self).market(id) } }
    let voteBy = try market.parameters.voteBy.uint64Value ?? 3600

    // MARK: - Investors buy MarketToken on the price curve and so join the council
    print("2. investors buy in")
    for investor in investors {
        try send(.invest(market: id, offered: try tokens("30"), minTokensOut: 0), from: investor, "invest 30 DMT")
    }
    print("  council: \(try market.council.count) members, spot price " +
          "\(try PriceCurve.spotPrice(supply: market.investorSupply, floor: market.parameters.priceFloor, slope: market.parameters.priceSlope).formatted()) DMT/MKT")

    /// Every investor votes yea, the window closes, anyone resolves.
    func passPoll(_ what: String) throws {
        let poll = try market.nextPollID - 1
        for investor in investors { try send(.vote(market: id, poll: poll, yea: true), from: investor, "vote yea") }
        try chain.warp(by: voteBy)
        try send(.resolve(market: id, poll: poll), from: buyer, "resolve \(what)")
    }

    // MARK: - The council authorises a datatrust backend, which prices compute
    print("3. authorise a datatrust backend")
    try send(.proposeBackend(market: id, url: "https://datatrust.example/cancer", address: backend.address),
             from: creator, "propose backend")
    try passPoll("backend poll")
    try send(.setComputeCost(market: id, cost: try tokens("0.5")), from: backend, "compute cost 0.5 DMT")

    // MARK: - An owner applies with a dataset; the backend attests it; the council lists it
    print("4. apply, attest, vote, resolve")
    let data = Array("mean_radius,mean_texture,label\n17.99,10.38,0\n13.54,14.36,1\n".utf8)
    let dataHash = Keccak256.hash(data)
    let listing = Listing.id(applicant: owner.address, dataHash: dataHash)
    try send(.apply(market: id, dataHash: dataHash), from: owner, "apply (10 DMT deposit)")
    try send(.attest(market: id, listing: listing), from: backend, "attest")
    try passPoll("application")
    let listed = try market.listings[listing]
    print("  listing \(listing): listed \(listed?.listed == true), rewards \(listed?.rewards.formatted() ?? "0") MKT")

    // MARK: - A buyer pays for compute; the backend reports what it touched
    print("5. pay for compute, report usage")
    try send(.payForCompute(market: id, listings: [listing], maxPrice: try tokens("5"), backend: backend.address),
             from: buyer, "pay for compute")
    let job = try market.nextJobID - 1
    try send(.reportJob(market: id, job: job, listings: [listing]), from: backend, "report job \(job)")

    // MARK: - Balances
    print("6. balances")
    let m = try market
    let ledger = chain.state.ledger
    let names = [("creator", creator), ("backend", backend), ("owner", owner), ("buyer", buyer)]
        + investors.enumerated().map { ("investor \($0.offset + 1)", $0.element) }
    print("  account       DMT                       MKT")
    for (name, key) in names {
        let d = ledger.balance(of: key.address, in: dmt).formatted()
        let k = ledger.balance(of: key.address, in: m.marketToken).formatted()
        print("  " + name.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
              + d.padding(toLength: 24, withPad: " ", startingAt: 0) + "  " + k)
    }
    print("  reserve holds \(ledger.escrows[m.reserveEscrow]?.held.formatted() ?? "0") DMT")
    let verification = try chain.verify()
    print("chain verified: \(verification.blocks) blocks, \(verification.transactions) transactions replayed")
    print("MarketRound: done")
}

do {
    try run()
} catch {
    FileHandle.standardError.write(Data("MarketRound failed: \(error)\n".utf8))
    exit(1)
}
