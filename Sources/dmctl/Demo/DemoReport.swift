import Foundation

/// The closing tables of `dmctl demo`: balances per role, then the key figures of each phase.
enum DemoReport {
    /// Prints both tables.
    static func print(_ s: DemoSummary) {
        line("")
        line("Balances (DMT = network token, MKT = the market's token; 18 decimals)")
        Output.table(["ROLE", "NAME", "ADDRESS", "DMT", "MKT"], s.balances.map { [$0.role, $0.name, $0.address, $0.dmt, $0.mkt] })
        line("")
        line("What happened")
        let time = Dictionary(s.phases.map { ($0.phase, $0.seconds) }, uniquingKeysWith: { a, _ in a })
        func seconds(_ phase: DemoPhase) -> String { String(format: "%.2f s", time[phase.rawValue] ?? 0) }
        var rows: [[String]] = []
        func add(_ phase: DemoPhase, _ figures: [String]) {
            for (i, figure) in figures.enumerated() {
                rows.append([i == 0 ? phase.rawValue : "", i == 0 ? seconds(phase) : "", figure])
            }
        }
        add(.accounts, ["\(s.accounts) accounts from seed \(s.seed), 10000 DMT each at genesis"])
        add(.market, [
            "council: \(s.market.council.joined(separator: ", ")); datatrust authorised by poll",
            "applied: \(s.market.applied.joined(separator: ", ")); listed: \(s.market.listed.joined(separator: ", "))",
            "removed after challenge by \(s.market.challenger): \(s.market.removed.joined(separator: ", ")) (labels flipped: \(s.market.flippedOwner))",
            "audit agreement: " + s.market.audit.keys.sorted().map { "\($0) \(s.market.audit[$0] ?? 0) %" }.joined(separator: ", "),
            "reserve \(s.market.reserve); price \(s.market.spotPrice) per MKT",
        ])
        add(.investment, [
            "invested: " + s.investment.invested.keys.sorted().map { "\($0) \(s.investment.invested[$0] ?? "")" }.joined(separator: ", "),
            "\(s.investment.divested) divested for \(s.investment.divestPayout)",
            "reserve \(s.investment.reserve); price \(s.investment.spotPrice); investor supply \(s.investment.investorSupply)",
        ])
        add(.queries, [
            "job price \(s.queries.jobPrice); datatrust paid \(s.queries.backendPaid)",
            "SQL: \(s.queries.sql)",
            "  → " + s.queries.sqlRows.map { $0.joined(separator: " | ") }.joined(separator: "; "),
            "DP: \(s.queries.privateQuery) → \(s.queries.privateResult) (ε spent \(s.queries.epsilonSpent))",
            "listings read \(s.queries.listingsRead); usage reports \(s.queries.usageReports)",
            "rewards minted: " + s.queries.rewardsMinted.keys.sorted().map { "\($0) \(s.queries.rewardsMinted[$0] ?? "")" }.joined(separator: ", "),
            "owners paid: " + s.queries.ownersPaid.keys.sorted().map { "\($0) \(s.queries.ownersPaid[$0] ?? "")" }.joined(separator: ", "),
        ])
        let b = s.modelBounty
        add(.modelBounty, [
            "bounty #\(b.bounty): reward \(b.reward), stake \(b.stake), \(b.trainingRows) training / \(b.testRows) test rows",
        ] + b.entries.map { "\($0.trainer): claimed \(basisPoints($0.claimed)), scored \(basisPoints($0.actual)) → \($0.outcome)" } + [
            "winner \(b.winner) (\(basisPoints(b.winnerScore))); slashed: \(b.slashed.joined(separator: ", "))",
            "$Model #\(b.model) on $Portfolio #\(b.portfolio) of $Data \(b.dataTokens.map { "#\($0)" }.joined(separator: ", ")); \(b.pricePerUse) a use",
            "\(b.uses) paid uses, ratings \(b.ratings.map(String.init).joined(separator: ", ")); score \(b.modelScore); trainer earned \(b.modelOwnerEarned)",
        ])
        let d = s.dataBounty
        add(.dataBounty, [
            "bounty #\(d.bounty): \(d.amount), \(d.keyBits)-bit Paillier keys, target error \(basisPoints(Int64(d.targetError))) (start \(basisPoints(Int64(d.initialError))))",
            "\(d.mode): \(d.values) gradient values in \(d.ciphertexts) ciphertexts (\(d.valuesPerCiphertext) a ciphertext)",
            "rounds: " + d.rounds.map { "\($0.round): \(basisPoints(Int64($0.error)))" }.joined(separator: ", "),
            String(format: "validation accuracy %.2f %% (plaintext reference learner %.2f %%)", d.accuracy * 100, d.referenceAccuracy * 100),
            "target reached: \(d.targetReached ? "yes" : "no"); paid \(d.paid)",
            payouts(d.payouts),
        ])
        add(.verify, [
            "\(s.blocks) blocks, \(s.transactions) transactions, \(s.events) events",
            "state hash \(s.stateHash)",
            "chain verify: \(s.verified ? "ok" : "FAILED")",
        ])
        Output.table(["PHASE", "TIME", "KEY FIGURES"], rows)
        let total = s.phases.reduce(0) { $0 + $1.seconds }
        line(String(format: "\nTotal %.2f s. Same seed, same state hash: dmctl demo --seed %llu", total, s.seed))
    }

    static func line(_ text: String) { Swift.print(text) }

    /// "owners 1–5 +x DMT each" when every payout is the same, else each one.
    static func payouts(_ payouts: [String: String]) -> String {
        let values = Set(payouts.values)
        if values.count == 1, let only = values.first { return "payouts: \(payouts.count) owners \(only) each (their share of the bounty; stakes returned)" }
        return "payouts: " + payouts.keys.sorted().map { "\($0) \(payouts[$0] ?? "")" }.joined(separator: ", ")
    }

    static func basisPoints(_ bp: Int64) -> String { String(format: "%.2f %%", Double(bp) / 100) }
}
