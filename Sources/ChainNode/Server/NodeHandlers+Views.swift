import Foundation
import Hummingbird
import LedgerCore
import MarketKit
import ModelMarketKit

// MARK: - Module state views

extension NodeHandlers {
    /// `GET /markets`.
    func markets() -> Response {
        let state = node.chain.state
        return NodeServer.json(NodeAPI.MarketList(state.state(of: MarketModule.self), ledger: state.ledger))
    }

    /// `GET /markets/{id}`.
    func market(_ context: NodeRequestContext) throws -> Response {
        let state = node.chain.state
        return NodeServer.json(NodeAPI.MarketSummary(try market(context, in: state), ledger: state.ledger))
    }

    /// `GET /markets/{id}/listings`.
    func listings(_ context: NodeRequestContext) throws -> Response {
        NodeServer.json(NodeAPI.MarketListings(try market(context, in: node.chain.state)))
    }

    /// `GET /markets/{id}/polls`.
    func polls(_ context: NodeRequestContext) throws -> Response {
        NodeServer.json(NodeAPI.MarketPolls(try market(context, in: node.chain.state)))
    }

    private func market(_ context: NodeRequestContext, in state: ChainState) throws -> Market {
        let text = try parameter("id", context)
        let id: MarketID
        do { id = try MarketID(text) } catch { throw NodeError.badRequest("id: \(error)") }
        guard let m = state.state(of: MarketModule.self).markets[id] else {
            throw NodeError.notFound("id: no market \(id.slug); GET /markets lists them")
        }
        return m
    }

    /// `GET /bounties/{id}`.
    func modelBounty(_ context: NodeRequestContext) throws -> Response {
        let id = try number("id", context)
        let state = node.chain.state
        guard let b = state.state(of: ModelBountyModule.self).bounties[id] else { throw NodeError.notFound("id: no model bounty \(id)") }
        return NodeServer.json(NodeAPI.ModelBountyView(b, ledger: state.ledger, now: chainTime(state)))
    }

    /// `GET /databounties/{id}`.
    func dataBounty(_ context: NodeRequestContext) throws -> Response {
        let id = try number("id", context)
        let state = node.chain.state
        guard let b = state.state(of: DataBountyModule.self).bounties[id] else { throw NodeError.notFound("id: no data bounty \(id)") }
        return NodeServer.json(NodeAPI.DataBountyView(b, now: chainTime(state)))
    }

    /// `GET /nfts?owner=`.
    func nfts(_ request: Request) throws -> Response {
        let ledger = node.chain.state.ledger
        let owner = try address("owner", request)
        let list = owner.map { ledger.nfts(ownedBy: $0) } ?? ledger.nfts.values
        return NodeServer.json(list.map(NodeAPI.NFTView.init))
    }

    /// `GET /nfts/{id}`.
    func nft(_ context: NodeRequestContext) throws -> Response {
        let id = try number("id", context)
        guard let nft = node.chain.state.ledger.nfts[id] else { throw NodeError.notFound("id: no NFT \(id)") }
        return NodeServer.json(NodeAPI.NFTView(nft))
    }

    /// `GET /streams?account=`.
    func streams(_ request: Request) throws -> Response {
        let state = node.chain.state
        let who = try address("account", request)
        let now = chainTime(state)
        let list = state.ledger.streams.values.filter { who == nil || $0.payer == who || $0.payee == who }
        return NodeServer.json(list.map { NodeAPI.StreamView($0, now: now) })
    }

    /// `GET /streams/{id}`.
    func paymentStream(_ context: NodeRequestContext) throws -> Response {
        let id = try number("id", context)
        let state = node.chain.state
        guard let stream = state.ledger.streams[id] else { throw NodeError.notFound("id: no stream \(id)") }
        return NodeServer.json(NodeAPI.StreamView(stream, now: chainTime(state)))
    }

    /// `GET /models`: every model by score, best first.
    func models() -> Response {
        let state = node.chain.state
        return NodeServer.json(NodeAPI.ModelView.ranked(roles: state.state(of: RolesModule.self), ledger: state.ledger))
    }

    /// `GET /models/{id}`.
    func model(_ context: NodeRequestContext) throws -> Response {
        let id = try number("id", context)
        let state = node.chain.state
        guard let view = NodeAPI.ModelView(id, roles: state.state(of: RolesModule.self), ledger: state.ledger) else {
            throw NodeError.notFound("id: no $Model \(id)")
        }
        return NodeServer.json(view)
    }

    // MARK: - Replicas

    /// `GET /genesis`: the genesis configuration the chain started from.
    func genesis() -> Response {
        NodeServer.json(node.chain.genesis)
    }

    /// `GET /state`: the whole state at the head, canonically encoded.
    func stateSnapshot() throws -> Response {
        let chain = node.chain
        let state = chain.state
        let bytes: [UInt8]
        do { bytes = try state.canonicalEncoding(registry: chain.registry) } catch { throw NodeError.internalFailure("encoding the state: \(error)") }
        return NodeServer.json(NodeAPI.StateSnapshot(
            height: state.height, state: Hex.encode(bytes), stateHash: Keccak256.hash(bytes), now: chainTime(state)))
    }

    // MARK: - Input

    /// Chain time now: the node's clock, never before the newest block.
    func chainTime(_ state: ChainState) -> UInt64 {
        max(state.timestamp, node.chain.clock.now())
    }

    func number(_ name: String, _ context: NodeRequestContext) throws(NodeError) -> UInt64 {
        let text = try parameter(name, context)
        guard let value = UInt64(text) else { throw .badRequest("\(name): \"\(text.prefix(40))\" is not an unsigned integer") }
        return value
    }

    func address(_ name: String, _ request: Request) throws(NodeError) -> Address? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        do { return try Address(text) } catch { throw .badRequest("\(name): \(error)") }
    }
}
