import LedgerCore
import MarketKit

extension DemoScenario {
    /// The investment phase: two investors buy MarketToken on the price curve; one divests.
    mutating func playInvestment() throws {
        let amounts: [UInt64] = [50, 30]
        for (i, investor) in people.investors.enumerated() {
            let price = try spotPrice()
            doing("investor-\(i + 1) invests \(amounts[i]) DMT")
            try marketCall(.invest(market: market, offered: Self.tokens(amounts[i]), minTokensOut: 0), from: investor)
            let got = marketTokens(investor)
            summary.investment.invested["investor-\(i + 1)"] = Self.dmt(Self.tokens(amounts[i]))
            step("investor-\(i + 1) invests \(amounts[i]) DMT at \(Self.dmt(price)) per token: \(got.formatted(decimals: 18)) \(market.tokenSymbol.symbol); "
                 + "price now \(Self.dmt(try spotPrice()))")
        }
        let divester = people.investors[1]
        let m = try marketState()
        let holding = marketTokens(divester)
        let expected = try UInt256.multiplyThenDivide(holding, held(m.reserveEscrow), m.investorSupply).quotient
        let before = balance(divester)
        doing("investor-2 divests")
        try marketCall(.divest(market: market, minPayout: expected), from: divester)
        let payout = (try? balance(divester) - before) ?? .zero
        let after = try marketState()
        summary.investment.divested = "investor-2"
        summary.investment.divestPayout = Self.dmt(payout)
        summary.investment.reserve = Self.dmt(held(after.reserveEscrow))
        summary.investment.spotPrice = Self.dmt(try spotPrice())
        summary.investment.investorSupply = after.investorSupply.formatted(decimals: 18) + " " + market.tokenSymbol.symbol
        step("investor-2 divests \(holding.formatted(decimals: 18)) \(market.tokenSymbol.symbol) for its share of the reserve: \(Self.dmt(payout)) "
             + "(reserve \(summary.investment.reserve), price \(summary.investment.spotPrice))")
    }
}
