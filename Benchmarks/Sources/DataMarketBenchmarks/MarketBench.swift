import Foundation
import LedgerCore
import MarketKit

/// Area `market`: the cost of casting a council vote and of resolving a poll in a market with
/// 10,000 listings and 1,000 council members, beside the same in a market with 10 listings and
/// 10 members, measured in the same run. Both are whole signed transactions executed by the
/// chain (signatures made beforehand, outside the timing), in blocks of 200 votes or 20
/// resolutions, so the figure is what the chain spends per vote or resolution.
enum MarketBench {
    static func run() throws {
        Bench.section("market")
        Output.progress("building the small market (10 listings, 10 members)")
        let small = try Setup(listings: 10, members: 10)
        Output.progress("building the large market (10,000 listings, 1,000 members)")
        let large = try Setup(listings: 10_000, members: 1_000)
        let smallVote = try small.measureVotes()
        let largeVote = try large.measureVotes()
        Bench.row(
            "vote, 10k listings / 1k members", value: Bench.duration(largeVote),
            baseline: "10 / 10: " + Bench.duration(smallVote), ratio: largeVote / smallVote, target: "≤ 2")
        let smallResolve = try small.measureResolves()
        let largeResolve = try large.measureResolves()
        Bench.row(
            "resolve, 10k listings / 1k members", value: Bench.duration(largeResolve),
            baseline: "10 / 10: " + Bench.duration(smallResolve), ratio: largeResolve / smallResolve, target: "≤ 2")
    }

    enum Output {
        static func progress(_ s: String) { FileHandle.standardError.write(Data("  [market] \(s)\n".utf8)) }
    }

    /// A chain with one market of `listings` listings and `members` council members, plus
    /// `rounds × pollsPerRound` open application polls (attested) for the measurements.
    final class Setup {
        static let rounds = 5
        static let pollsPerRound = 20
        static let votesPerPoll = 10

        let chain: Chain
        let id: MarketID
        let members: [PrivateKey]
        let backend: PrivateKey
        var nonces: [Address: UInt64] = [:]
        var measurePolls: [UInt64] = []

        init(listings: Int, members count: Int) throws {
            let keys = KeyFactory()
            id = try MarketID("bench")
            members = (0..<count).map { keys.make(1_000_000 + $0) }
            backend = keys.make(1)
            let owners = (0..<100).map { keys.make(2_000_000 + $0) }
            let extraOwner = keys.make(3_000_000)
            let dmt = try TokenID("DMT")
            let everyone = members + owners + [backend, extraOwner]
            let genesis = GenesisConfig(chainID: 77, timestamp: 1_700_000_000, tokens: [
                .init(symbol: dmt, name: "DMT", balances: everyone.map { .init(account: $0.address, amount: 10_000_000_000_000_000_000) })
            ])
            chain = try Chain.create(genesis: genesis, modules: [MarketModule.self], snapshotInterval: 0)
            var p = Parameters.standard
            p.quorum = 1
            p.councilThreshold = 0
            p.applicationDeposit = 1
            p.voteBy = 600
            p.resolveDeadline = 2_592_000
            p.listReward = 1_000
            try submit([sign(.create(market: id, tokenName: "Bench", networkToken: dmt, parameters: p), members[0])])
            // One member at first, so the 10,000 applications pass with one vote each.
            try submit([sign(.invest(market: id, offered: 1_000_000, minTokensOut: 0), members[0])])
            try submit([sign(.proposeBackend(market: id, url: "https://dt", address: backend.address), members[0])])
            try submit([sign(.vote(market: id, poll: 1, yea: true), members[0])])
            try chain.warp(by: 600)
            try submit([sign(.resolve(market: id, poll: 1), members[0])])
            var firstPoll: UInt64 = 2
            var left = listings
            while left > 0 {
                let n = min(left, 2_000)
                left -= n
                var applies: [SignedTransaction] = [], attests: [SignedTransaction] = [], votes: [SignedTransaction] = [], resolves: [SignedTransaction] = []
                for i in 0..<n {
                    let owner = owners[(listings - left - n + i) % owners.count]
                    let dataHash = Keccak256.hash(Array("listing \(listings - left - n + i)".utf8))
                    applies.append(try sign(.apply(market: id, dataHash: dataHash), owner))
                    attests.append(try sign(.attest(market: id, listing: Listing.id(applicant: owner.address, dataHash: dataHash)), backend))
                }
                for i in 0..<n { votes.append(try sign(.vote(market: id, poll: firstPoll + UInt64(i), yea: true), members[0])) }
                for i in 0..<n { resolves.append(try sign(.resolve(market: id, poll: firstPoll + UInt64(i)), members[0])) }
                try submit(applies)
                try submit(attests)
                try submit(votes)
                try chain.warp(by: 600)
                try submit(resolves)
                firstPoll += UInt64(n)
            }
            // The rest of the council buys in.
            var invests: [SignedTransaction] = []
            for m in members.dropFirst() { invests.append(try sign(.invest(market: id, offered: 1_000_000, minTokensOut: 0), m)) }
            if !invests.isEmpty { try submit(invests) }
            // Open the polls to measure: applications with a full-council electorate, attested.
            var applies: [SignedTransaction] = [], attests: [SignedTransaction] = []
            for i in 0..<(Self.rounds * Self.pollsPerRound) {
                let dataHash = Keccak256.hash(Array("measured \(i)".utf8))
                applies.append(try sign(.apply(market: id, dataHash: dataHash), extraOwner))
                attests.append(try sign(.attest(market: id, listing: Listing.id(applicant: extraOwner.address, dataHash: dataHash)), backend))
                measurePolls.append(firstPoll + UInt64(i))
            }
            try submit(applies)
            try submit(attests)
            let market = try chain.state(of: MarketModule.self).market(id)
            guard market.listedCount == UInt64(listings), market.council.count == count,
                market.polls[measurePolls[0]]?.electorateSize == UInt64(count)
            else { throw BenchError.setup("market has \(market.listedCount) listings, \(market.council.count) members") }
        }

        /// Best seconds per vote over rounds of 200 votes (10 on each of 20 polls).
        func measureVotes() throws -> Double {
            var batches: [[SignedTransaction]] = []
            for r in 0..<Self.rounds {
                var batch: [SignedTransaction] = []
                for p in measurePolls[(r * Self.pollsPerRound)..<((r + 1) * Self.pollsPerRound)] {
                    for v in 0..<Self.votesPerPoll {
                        batch.append(try sign(.vote(market: id, poll: p, yea: true), members[(Int(p) * 7 + v) % members.count]))
                    }
                }
                batches.append(batch)
            }
            var round = 0
            return try Bench.secondsPerOp(operations: Self.pollsPerRound * Self.votesPerPoll, rounds: Self.rounds) {
                let outcome = try chain.submit(batches[round])
                if !outcome.rejected.isEmpty { throw BenchError.setup("vote rejected: \(outcome.rejected[0].error)") }
                round += 1
            }
        }

        /// Best seconds per resolution over rounds of 20 (each poll passes and lists).
        func measureResolves() throws -> Double {
            try chain.warp(by: 600)
            var batches: [[SignedTransaction]] = []
            for r in 0..<Self.rounds {
                batches.append(try measurePolls[(r * Self.pollsPerRound)..<((r + 1) * Self.pollsPerRound)].map {
                    try sign(.resolve(market: id, poll: $0), backend)
                })
            }
            var round = 0
            return try Bench.secondsPerOp(operations: Self.pollsPerRound, rounds: Self.rounds) {
                let outcome = try chain.submit(batches[round])
                if !outcome.rejected.isEmpty { throw BenchError.setup("resolve rejected: \(outcome.rejected[0].error)") }
                round += 1
            }
        }

        private func sign(_ call: MarketModule.Call, _ key: PrivateKey) throws -> SignedTransaction {
            let n = nonces[key.address] ?? chain.nonce(of: key.address)
            nonces[key.address] = n + 1
            return try SignedTransaction.sign(call, for: MarketModule.self, chainID: chain.chainID, nonce: n, with: key)
        }

        private func submit(_ txs: [SignedTransaction]) throws {
            let outcome = try chain.submit(txs)
            if let r = outcome.rejected.first { throw BenchError.setup("setup transaction \(r.index) rejected: \(r.error)") }
        }
    }

    /// Deterministic keys from integers.
    struct KeyFactory {
        func make(_ n: Int) -> PrivateKey {
            var bytes = [UInt8](repeating: 0, count: 32)
            var v = UInt64(n) + 1
            for i in 0..<8 { bytes[31 - i] = UInt8(v & 0xff); v >>= 8 }
            return (try? PrivateKey(bytes: bytes)) ?? PrivateKey.generate()
        }
    }

    enum BenchError: Error { case setup(String) }
}
