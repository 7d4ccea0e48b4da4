import Foundation
import Testing
import LedgerCore
import MarketKit

/// Rows of `Data/breast_cancer.csv` (569 samples, 30 features, label 0 malignant / 1 benign).
private func cancerRows() throws -> [String] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Data/breast_cancer.csv")
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map(String.init)
}

/// Flips the label (last column) of each row: the poisoned copy a challenge should remove.
private func flipLabels(_ rows: ArraySlice<String>) -> String {
    rows.map { row in
        var cells = row.split(separator: ",").map(String.init)
        if let last = cells.last { cells[cells.count - 1] = last == "0" ? "1" : "0" }
        return cells.joined(separator: ",")
    }.joined(separator: "\n")
}

@Test func fullMarketRoundWithFiveCouncilMembers() throws {
    let f = try Fixture()
    let rows = try cancerRows()
    #expect(rows.count == 569)
    let council = Array(f.investors.prefix(5))

    // Investors buy in and become the council (each holds more than 100 MarketToken).
    try f.invest(council)
    var m = try f.market
    #expect(m.council.count == 5)
    #expect(council.allSatisfy { m.isCouncilMember($0.address) })
    let reserveAfterInvest = f.held(m.reserveEscrow)
    #expect(reserveAfterInvest == tokens(50))

    // The council authorises a datatrust backend; it prices compute at 0.5 DMT.
    try f.authoriseBackend(council: Array(council.prefix(3)))
    try f.send(.setComputeCost(market: f.id, cost: milli(500)), from: f.backend)
    #expect(try f.market.backends[f.backend.address]?.computeCost == milli(500))

    // Three owners apply with real data; the third uploads a label-flipped copy.
    let data1 = rows[0..<100].joined(separator: "\n")
    let data2 = rows[100..<200].joined(separator: "\n")
    let poisoned = flipLabels(rows[200..<300])
    let l1 = try f.list(data1, owner: f.owners[0], council: Array(council.prefix(3)))
    let l2 = try f.list(data2, owner: f.owners[1], council: Array(council.prefix(3)))
    let l3 = try f.list(poisoned, owner: f.owners[2], council: Array(council.prefix(3)))
    m = try f.market
    for l in [l1, l2, l3] {
        #expect(m.listings[l]?.listed == true)
        #expect(m.listings[l]?.rewards == tokens(250))
    }
    #expect(f.held(m.rewardEscrow) == tokens(750))
    #expect(m.listedCount == 3)

    // A council member challenges the poisoned listing; the council removes it.
    let challenger = council[4]
    let before = f.dmt(challenger)
    try f.send(.challenge(market: f.id, listing: l3), from: challenger)
    #expect(f.dmt(challenger) == (try before - tokens(10)))
    let reserveBefore = f.held(m.reserveEscrow)
    try f.decide(try f.lastPoll, yea: Array(council.prefix(4)))
    m = try f.market
    #expect(m.listings[l3] == nil)
    #expect(f.held(m.rewardEscrow) == tokens(500))          // its 250 rewards were burned
    #expect(f.dmt(challenger) == (try before + tokens(5) / 2))  // stake back + 50 % of the 5-token deposit
    #expect(f.held(m.reserveEscrow) == (try reserveBefore + tokens(5) / 2))

    // A buyer pays for a job over the two good listings, the backend reports it.
    try f.send(.setAccessCost(market: f.id, listing: l1, cost: milli(200)), from: f.owners[0])
    let price = try m.jobPrice(accessTotal: milli(201), computeCost: milli(500))
    #expect(price == tokens(2))  // max(ceil(100·0.201/50), ceil(100·0.5/25)) = max(0.402, 2)
    let buyerBefore = f.dmt(f.buyer)
    try f.send(.payForCompute(market: f.id, listings: [l1, l2], maxPrice: tokens(2), backend: f.backend.address), from: f.buyer)
    #expect(f.dmt(f.buyer) == (try buyerBefore - tokens(2)))
    let jobID = try f.market.nextJobID - 1
    let o1 = f.dmt(f.owners[0]), o2 = f.dmt(f.owners[1]), b = f.dmt(f.backend)
    let reserveBeforeJob = f.held(m.reserveEscrow)
    try f.send(.reportJob(market: f.id, job: jobID, listings: [l1, l2]), from: f.backend)
    m = try f.market
    #expect(f.dmt(f.owners[0]) == (try o1 + milli(200)))
    #expect(f.dmt(f.owners[1]) == (try o2 + milli(1)))
    #expect(f.dmt(f.backend) == (try b + milli(500)))
    #expect(f.held(m.reserveEscrow) == (try reserveBeforeJob + milli(1299)))
    #expect(f.mkt(f.owners[0]) == tokens(1))
    #expect(m.listings[l1]?.accessCount == 1)
    #expect(m.jobs.isEmpty)

    // An investor divests: all their tokens burn, they get their share of the reserve.
    let divester = council[3]
    let held = f.mkt(divester)
    let reserve = f.held(m.reserveEscrow)
    let expected = try UInt256.multiplyThenDivide(held, reserve, m.investorSupply).quotient
    let dmtBefore = f.dmt(divester)
    try f.send(.divest(market: f.id, minPayout: expected), from: divester)
    #expect(f.mkt(divester) == .zero)
    #expect(f.dmt(divester) == (try dmtBefore + expected))
    #expect(try f.market.council.count == 4)

    // A reparameterization passes and applies; the stake comes back.
    let proposer = council[1]
    let proposerBefore = f.dmt(proposer)
    try f.send(.proposeReparam(market: f.id, parameter: .listReward, value: tokens(300)), from: proposer)
    try f.decide(try f.lastPoll, yea: Array(council.prefix(3)))
    #expect(try f.market.parameters.listReward == tokens(300))
    #expect(f.dmt(proposer) == proposerBefore)

    #expect(f.invariantViolations() == [])
    _ = try f.chain.verify()
}
