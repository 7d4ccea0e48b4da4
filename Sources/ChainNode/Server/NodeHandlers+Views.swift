import Foundation
import LedgerCore
import MarketKit
import ModelMarketKit

// MARK: - Module state views

extension NodeHandlers {
    /// `GET /markets`.
    func listMarkets(_ input: Operations.ListMarkets.Input) async throws -> Operations.ListMarkets.Output {
        let state = node.chain.state
        return .ok(.init(body: .json(NodeAPI.MarketList(state.state(of: MarketModule.self), ledger: state.ledger))))
    }

    /// `GET /markets/{id}`.
    func getMarket(_ input: Operations.GetMarket.Input) async throws -> Operations.GetMarket.Output {
        let state = node.chain.state
        return .ok(.init(body: .json(NodeAPI.MarketSummary(try market(input.path.id, in: state), ledger: state.ledger))))
    }

    /// `GET /markets/{id}/listings`.
    func getMarketListings(_ input: Operations.GetMarketListings.Input) async throws -> Operations.GetMarketListings.Output {
        .ok(.init(body: .json(NodeAPI.MarketListings(try market(input.path.id, in: node.chain.state)))))
    }

    /// `GET /markets/{id}/polls`.
    func getMarketPolls(_ input: Operations.GetMarketPolls.Input) async throws -> Operations.GetMarketPolls.Output {
        .ok(.init(body: .json(NodeAPI.MarketPolls(try market(input.path.id, in: node.chain.state)))))
    }

    private func market(_ text: String, in state: ChainState) throws(NodeError) -> Market {
        let id: MarketID
        do { id = try MarketID(text) } catch { throw .badRequest("id: \(error)") }
        guard let m = state.state(of: MarketModule.self).markets[id] else {
            throw .notFound("id: no market \(id.slug); GET /markets lists them")
        }
        return m
    }

    /// `GET /bounties/{id}`.
    func getModelBounty(_ input: Operations.GetModelBounty.Input) async throws -> Operations.GetModelBounty.Output {
        let id = input.path.id
        let state = node.chain.state
        guard let b = state.state(of: ModelBountyModule.self).bounties[id] else { throw NodeError.notFound("id: no model bounty \(id)") }
        return .ok(.init(body: .json(NodeAPI.ModelBountyView(b, ledger: state.ledger, now: chainTime(state)))))
    }

    /// `GET /databounties/{id}`.
    func getDataBounty(_ input: Operations.GetDataBounty.Input) async throws -> Operations.GetDataBounty.Output {
        let id = input.path.id
        let state = node.chain.state
        guard let b = state.state(of: DataBountyModule.self).bounties[id] else { throw NodeError.notFound("id: no data bounty \(id)") }
        return .ok(.init(body: .json(NodeAPI.DataBountyView(b, now: chainTime(state)))))
    }

    /// `GET /nfts?owner=`.
    func listNFTs(_ input: Operations.ListNFTs.Input) async throws -> Operations.ListNFTs.Output {
        let ledger = node.chain.state.ledger
        let list = input.query.owner.map { ledger.nfts(ownedBy: $0) } ?? ledger.nfts.values
        return .ok(.init(body: .json(list.map(NodeAPI.NFTView.init))))
    }

    /// `GET /nfts/{id}`.
    func getNFT(_ input: Operations.GetNFT.Input) async throws -> Operations.GetNFT.Output {
        let id = input.path.id
        guard let nft = node.chain.state.ledger.nfts[id] else { throw NodeError.notFound("id: no NFT \(id)") }
        return .ok(.init(body: .json(NodeAPI.NFTView(nft))))
    }

    /// `GET /streams?account=`.
    func listStreams(_ input: Operations.ListStreams.Input) async throws -> Operations.ListStreams.Output {
        let state = node.chain.state
        let who = input.query.account
        let now = chainTime(state)
        let list = state.ledger.streams.values.filter { who == nil || $0.payer == who || $0.payee == who }
        return .ok(.init(body: .json(list.map { NodeAPI.StreamView($0, now: now) })))
    }

    /// `GET /streams/{id}`.
    func getStream(_ input: Operations.GetStream.Input) async throws -> Operations.GetStream.Output {
        let id = input.path.id
        let state = node.chain.state
        guard let stream = state.ledger.streams[id] else { throw NodeError.notFound("id: no stream \(id)") }
        return .ok(.init(body: .json(NodeAPI.StreamView(stream, now: chainTime(state)))))
    }

    /// `GET /models`: every model by score, best first.
    func listModels(_ input: Operations.ListModels.Input) async throws -> Operations.ListModels.Output {
        let state = node.chain.state
        return .ok(.init(body: .json(NodeAPI.ModelView.ranked(roles: state.state(of: RolesModule.self), ledger: state.ledger))))
    }

    /// `GET /models/{id}`.
    func getModel(_ input: Operations.GetModel.Input) async throws -> Operations.GetModel.Output {
        let id = input.path.id
        let state = node.chain.state
        guard let view = NodeAPI.ModelView(id, roles: state.state(of: RolesModule.self), ledger: state.ledger) else {
            throw NodeError.notFound("id: no $Model \(id)")
        }
        return .ok(.init(body: .json(view)))
    }

    // MARK: - Replicas

    /// `GET /genesis`: the genesis configuration the chain started from.
    func getGenesis(_ input: Operations.GetGenesis.Input) async throws -> Operations.GetGenesis.Output {
        .ok(.init(body: .json(node.chain.genesis)))
    }

    /// `GET /state`: the whole state at the head, canonically encoded.
    func getState(_ input: Operations.GetState.Input) async throws -> Operations.GetState.Output {
        let chain = node.chain
        let state = chain.state
        let bytes: [UInt8]
        do { bytes = try state.canonicalEncoding(registry: chain.registry) } catch { throw NodeError.internalFailure("encoding the state: \(error)") }
        return .ok(.init(body: .json(NodeAPI.StateSnapshot(
            height: state.height, state: Hex.encode(bytes), stateHash: Keccak256.hash(bytes), now: chainTime(state)))))
    }

    // MARK: - Input

    /// Chain time now: the node's clock, never before the newest block.
    func chainTime(_ state: ChainState) -> UInt64 {
        max(state.timestamp, node.chain.clock.now())
    }
}
