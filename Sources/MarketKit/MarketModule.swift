public import LedgerCore

/// The Computable curated data market as a chain module (`market`), hosting many markets keyed
/// by ``MarketID``.
///
/// Register it when opening a chain (`Chain.create(genesis:modules: [MarketModule.self])`) and
/// send it ``Call``s; each call is a signed transaction that either completes or is refused
/// with a ``MarketError`` (or the ledger's error wrapped in ``MarketError/ledger(_:)``) and
/// changes nothing. See the MarketKit catalogue for a whole market round.
public enum MarketModule: ChainModule {
    /// Every market on the chain.
    public struct State: ModuleState {
        /// Markets by id.
        public internal(set) var markets: StateMap<MarketID, Market> = [:]
        /// The empty state.
        public init() {}

        /// The market called `id`, or an error naming it.
        public func market(_ id: MarketID) throws(MarketError) -> Market {
            guard let m = markets[id] else { throw .unknownMarket(id) }
            return m
        }
    }

    /// The calls a person (or a datatrust's backend) can sign.
    public enum Call: Codable, Sendable, Equatable {
        /// Creates a market, its module-bound MarketToken and its escrows; `networkToken` must exist.
        case create(market: MarketID, tokenName: String, networkToken: TokenID, parameters: Parameters)
        /// Applies for a listing of `dataHash`, depositing `applicationDeposit`; opens its poll.
        case apply(market: MarketID, dataHash: Hash32)
        /// An authorised backend attests it holds the listing's data.
        case attest(market: MarketID, listing: Hash32)
        /// Challenges a listed listing, staking `challengeStake`; opens its poll.
        case challenge(market: MarketID, listing: Hash32)
        /// A council member of the poll's electorate votes yea or nay.
        case vote(market: MarketID, poll: UInt64, yea: Bool)
        /// Anyone resolves a poll after its vote window and by its resolve deadline.
        case resolve(market: MarketID, poll: UInt64)
        /// Anyone expires a poll not resolved by its deadline, refunding every stake.
        case expire(market: MarketID, poll: UInt64)
        /// The owner removes a listing: its rewards are burned, its deposit returned.
        case exit(market: MarketID, listing: Hash32)
        /// Buys MarketToken on the price curve with `offered` NetworkToken wei.
        case invest(market: MarketID, offered: UInt256, minTokensOut: UInt256)
        /// Burns all the investor's MarketToken for their share of the reserve.
        case divest(market: MarketID, minPayout: UInt256)
        /// A data owner hands their listings to the market and becomes an investor (irreversible).
        case convertToInvestor(market: MarketID)
        /// The owner sets a listing's access cost.
        case setAccessCost(market: MarketID, listing: Hash32, cost: UInt256)
        /// An authorised backend sets its compute cost per job.
        case setComputeCost(market: MarketID, cost: UInt256)
        /// Pays for one job over `listings` (nil: the whole market) on `backend`.
        case payForCompute(market: MarketID, listings: [Hash32]?, maxPrice: UInt256, backend: Address)
        /// The job's backend reports it done, naming the listings it touched.
        case reportJob(market: MarketID, job: UInt64, listings: [Hash32])
        /// Anyone refunds a job not reported by its deadline to its buyer.
        case refundJob(market: MarketID, job: UInt64)
        /// The spec's coarse usage report: `count` workloads ran on this backend.
        case updateListingsAccessed(market: MarketID, count: UInt64)
        /// Proposes authorising a backend; decided by council poll.
        case proposeBackend(market: MarketID, url: String, address: Address)
        /// Proposes revoking a backend; decided by council poll.
        case proposeBackendRemoval(market: MarketID, address: Address)
        /// Proposes a parameter change, staking `challengeStake`; decided by council poll.
        case proposeReparam(market: MarketID, parameter: MarketParameter, value: UInt256)
    }

    /// The module's name on the chain, `market`.
    public static let name = "market"

    /// The most listings one call may name.
    public static let maxListingsPerCall = 10_000

    /// The state before any call.
    public static func makeInitialState() -> State { State() }

    /// Runs one call; a thrown error refuses the transaction and reverts everything it did.
    public static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws(MarketError) {
        if case .create(let id, let tokenName, let networkToken, let parameters) = call {
            try create(id, tokenName: tokenName, networkToken: networkToken, parameters: parameters, state: &state, context: &context)
            return
        }
        let id = call.market
        guard var market = state.markets.removeValue(forKey: id) else { throw .unknownMarket(id) }
        switch call {
        case .create: break
        case .apply(_, let dataHash): try market.apply(dataHash: dataHash, context: &context)
        case .attest(_, let listing): try market.attest(listing, context: &context)
        case .challenge(_, let listing): try market.challenge(listing, context: &context)
        case .vote(_, let poll, let yea): try market.vote(poll, yea: yea, context: &context)
        case .resolve(_, let poll): try market.resolve(poll, context: &context)
        case .expire(_, let poll): try market.expire(poll, context: &context)
        case .exit(_, let listing): try market.exit(listing, context: &context)
        case .invest(_, let offered, let minOut): try market.invest(offered: offered, minTokensOut: minOut, context: &context)
        case .divest(_, let minPayout): try market.divest(minPayout: minPayout, context: &context)
        case .convertToInvestor: try market.convertToInvestor(context: &context)
        case .setAccessCost(_, let listing, let cost): try market.setAccessCost(listing, cost: cost, context: &context)
        case .setComputeCost(_, let cost): try market.setComputeCost(cost, context: &context)
        case .payForCompute(_, let listings, let maxPrice, let backend):
            try market.payForCompute(listings: listings, maxPrice: maxPrice, backend: backend, context: &context)
        case .reportJob(_, let job, let listings): try market.reportJob(job, touched: listings, context: &context)
        case .refundJob(_, let job): try market.refundJob(job, context: &context)
        case .updateListingsAccessed(_, let count): try market.updateListingsAccessed(count, context: &context)
        case .proposeBackend(_, let url, let address): try market.proposeBackend(url: url, address: address, context: &context)
        case .proposeBackendRemoval(_, let address): try market.proposeBackendRemoval(address, context: &context)
        case .proposeReparam(_, let parameter, let value): try market.proposeReparam(parameter, value: value, context: &context)
        }
        state.markets[id] = market
    }

    // MARK: - Creating a market

    static func create(
        _ id: MarketID, tokenName: String, networkToken: TokenID, parameters: Parameters,
        state: inout State, context: inout ExecutionContext
    ) throws(MarketError) {
        guard state.markets[id] == nil else { throw .marketExists(id) }
        guard (1...64).contains(tokenName.utf8.count) else {
            throw .invalidText(field: "tokenName", length: tokenName.utf8.count, max: 64)
        }
        try parameters.validate()
        let marketToken = id.tokenSymbol
        do {
            _ = try context.ledger.token(networkToken)
            try context.createToken(marketToken, name: tokenName, decimals: 18, moduleBound: true)
            let reserve = try context.openEscrow(token: networkToken, label: "market \(id) reserve")
            let stakes = try context.openEscrow(token: networkToken, label: "market \(id) stakes")
            let compute = try context.openEscrow(token: networkToken, label: "market \(id) compute payments")
            let rewards = try context.openEscrow(token: marketToken, label: "market \(id) listing rewards")
            state.markets[id] = Market(
                id: id, creator: context.sender, marketToken: marketToken, networkToken: networkToken,
                parameters: parameters, reserveEscrow: reserve, stakeEscrow: stakes, computeEscrow: compute,
                rewardEscrow: rewards)
        } catch { throw .ledger(error) }
        context.emit("MarketCreated", accounts: [context.sender], fields: [
            .init("market", id.slug), .init("marketToken", marketToken.symbol), .init("networkToken", networkToken.symbol),
        ])
    }
}

extension MarketModule.Call {
    /// The market the call concerns.
    public var market: MarketID {
        switch self {
        case .create(let m, _, _, _), .apply(let m, _), .attest(let m, _), .challenge(let m, _), .vote(let m, _, _),
            .resolve(let m, _), .expire(let m, _), .exit(let m, _), .invest(let m, _, _), .divest(let m, _),
            .convertToInvestor(let m), .setAccessCost(let m, _, _), .setComputeCost(let m, _),
            .payForCompute(let m, _, _, _), .reportJob(let m, _, _), .refundJob(let m, _),
            .updateListingsAccessed(let m, _), .proposeBackend(let m, _, _), .proposeBackendRemoval(let m, _),
            .proposeReparam(let m, _, _):
            m
        }
    }
}
