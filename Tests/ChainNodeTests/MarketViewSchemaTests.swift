import ChainNode
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerCore
import MarketKit
import Testing

/// The market views over a chain with a real market (reserve, an application, an open poll):
/// each body fits the schema the OpenAPI document declares for it, and says what the market
/// module's own state says.
struct MarketViewSchemaTests {
    @Test func populatedMarketViewsFitTheirDeclaredSchemasAndTheState() async throws {
        let alice = NodeFixture.keys[0], bob = NodeFixture.keys[1]
        let whole = UInt256(1_000_000_000_000_000_000 as UInt64)
        let balance = try whole.multiplied(by: 10_000)
        let genesis = GenesisConfig(chainID: NodeFixture.chainID, timestamp: NodeFixture.start, tokens: [
            .init(symbol: NodeFixture.dmt, name: "DataMarket Token", balances: [alice, bob].map { .init(account: $0.address, amount: balance) })
        ])
        let chain = try Chain.create(genesis: genesis, modules: [MarketModule.self], clock: ManualClock(NodeFixture.start))
        let id = try MarketID("views")
        _ = try chain.send(.create(market: id, tokenName: "Views", networkToken: NodeFixture.dmt, parameters: .standard), to: MarketModule.self, from: alice)
        _ = try chain.send(.invest(market: id, offered: try whole.multiplied(by: 20), minTokensOut: 0), to: MarketModule.self, from: alice)
        _ = try chain.send(.apply(market: id, dataHash: Keccak256.hash([4, 2])), to: MarketModule.self, from: bob)
        let node = try Node(chain: chain, configuration: NodeConfiguration(blockIntervalMilliseconds: 20))
        let bytes = try #require(NodeServer.openAPIDocument())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let check = SchemaCheck(document: document)
        let app = Application(router: NodeServer.router(for: node))
        let views = [("/markets", "MarketList"), ("/markets/views", "MarketSummary"), ("/markets/views/listings", "MarketListings"),
                     ("/markets/views/polls", "MarketPolls")]
        let answers = try await app.test(.router) { client in
            var answers: [(status: UInt, body: Data)] = []
            for (uri, _) in views {
                let r = try await client.execute(uri: uri, method: .get)
                answers.append((UInt(r.status.code), Data(r.body.readableBytesView)))
            }
            return answers
        }
        for ((uri, schema), answer) in zip(views, answers) {
            #expect(answer.status == 200, "\(uri)")
            let body = try #require(JSONValue.parse(answer.body), "\(uri)")
            let problems = check.problems(body, ["$ref": "#/components/schemas/\(schema)"])
            #expect(problems.isEmpty, "\(uri): \(problems)")
        }
        let market = try chain.state(of: MarketModule.self).market(id)
        let summary = try JSONDecoder().decode(NodeAPI.MarketSummary.self, from: answers[1].body)
        #expect(summary.reserve == (chain.state.ledger.escrows[market.reserveEscrow]?.held ?? .zero))
        #expect(summary.reserve == (try whole.multiplied(by: 20)))
        #expect(summary.applications == 1 && summary.openPolls == 1 && summary.price == (try? market.currentPrice()))
        let listings = try JSONDecoder().decode(NodeAPI.MarketListings.self, from: answers[2].body)
        #expect(listings.listings == market.listings.values)
        #expect(listings.listings.first?.owner == bob.address && listings.listings.first?.listed == false)
    }
}
