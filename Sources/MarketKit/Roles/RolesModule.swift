public import LedgerCore

/// The roles of seed 001 as a chain module (`roles`): data uploaders' `$Data` tokens with base
/// and usage rewards, curators' `$Portfolio` tokens, trainers' pay-per-use `$Model` tokens, and
/// users' evaluations and reviews.
///
/// Register it beside ``MarketModule`` (`Chain.create(genesis:modules: [MarketModule.self,
/// RolesModule.self])`): a `$Data` token may be tied to a market listing, and its base reward
/// accrues only while that listing is listed. Each ``Call`` is a signed transaction that
/// completes or is refused with a ``RolesError`` and changes nothing. The NFTs themselves live
/// in the ledger (minted by this module, moved by their owners with ordinary NFT transfers);
/// whoever owns an NFT now receives what it earns. See the MarketKit catalogue's "Roles"
/// article for a whole cycle and every formula.
public enum RolesModule: ChainModule {
    /// Everything the roles module records.
    public struct State: ModuleState {
        /// The split shares and limits (fixed: ``RolesParameters/standard``).
        public internal(set) var parameters: RolesParameters = .standard
        /// `$Data` tokens by NFT id.
        public internal(set) var data: StateMap<UInt64, DataToken> = [:]
        /// `$Data` ids by `Keccak(RLP[uploader, dataHash])`: one token per uploader and dataHash.
        public internal(set) var dataByUploader: StateMap<Hash32, UInt64> = [:]
        /// `$Data` ids by `Keccak(RLP[market, listing])`: one token per listing.
        public internal(set) var dataByListing: StateMap<Hash32, UInt64> = [:]
        /// Usage offers and agreements by id.
        public internal(set) var agreements: StateMap<UInt64, UsageAgreement> = [:]
        /// The id the next offer gets.
        public internal(set) var nextOfferID: UInt64 = 1
        /// `$Portfolio` tokens by NFT id.
        public internal(set) var portfolios: StateMap<UInt64, Portfolio> = [:]
        /// `$Model` tokens by NFT id.
        public internal(set) var models: StateMap<UInt64, ModelToken> = [:]
        /// Paid uses by (model, user).
        public internal(set) var paidUses: StateMap<AccountKey, UInt64> = [:]
        /// Prepaid bundles of model uses by id.
        public internal(set) var bundles: StateMap<UInt64, UseBundle> = [:]
        /// The id the next bundle gets.
        public internal(set) var nextBundleID: UInt64 = 1
        /// Evaluations by id.
        public internal(set) var evaluations: StateMap<UInt64, Evaluation> = [:]
        /// The id the next evaluation gets.
        public internal(set) var nextEvaluationID: UInt64 = 1
        /// Evaluation ids by (model, evaluator).
        public internal(set) var evaluationByUser: StateMap<AccountKey, UInt64> = [:]
        /// Reviews by (evaluation, reviewer): true for helpful.
        public internal(set) var reviews: StateMap<AccountKey, Bool> = [:]
        /// Evaluators' standing.
        public internal(set) var standings: StateMap<Address, Standing> = [:]
        /// Reward pools by id.
        public internal(set) var pools: StateMap<UInt64, RewardPool> = [:]
        /// The id the next pool gets.
        public internal(set) var nextPoolID: UInt64 = 1
        /// How far each (pool, NFT) was paid: the accrual checkpoint.
        public internal(set) var checkpoints: StateMap<PairKey, UInt64> = [:]
        /// When each (pool, portfolio) was admitted.
        public internal(set) var admissions: StateMap<PairKey, UInt64> = [:]

        /// The empty state.
        public init() {}
    }

    /// The calls a person can sign.
    public enum Call: Codable, Sendable, Equatable {
        // MARK: $Data
        /// Mints a `$Data` NFT for `dataHash` to the signer, optionally tied to a listed market
        /// listing the signer owns, optionally with a disclosure and a display name.
        case mintData(dataHash: Hash32, listing: ListingRef?, disclosure: Disclosure?, name: String?)
        /// The owner replaces the disclosure of their `$Data`.
        case disclose(data: UInt64, disclosure: Disclosure)
        /// The owner ties their `$Data` to a listed listing they own (re-tying restarts accrual).
        case tieListing(data: UInt64, listing: ListingRef)
        /// The owner offers a bonus per use to `trainer` (nil: anyone).
        case offerUsage(data: UInt64, trainer: Address?, token: TokenID, pricePerUse: UInt256)
        /// The offerer withdraws an offer nobody accepted.
        case withdrawOffer(offer: UInt64)
        /// A trainer accepts an offer, prepaying `prepaidUses` uses into escrow (may be 0).
        case acceptUsage(offer: UInt64, prepaidUses: UInt64)
        /// The trainer records `count` uses; each pays the price to the `$Data`'s owner.
        case recordDataUse(offer: UInt64, count: UInt64)
        /// The trainer closes the agreement; unused prepayment is refunded.
        case closeAgreement(offer: UInt64)

        // MARK: $Portfolio
        /// Mints a `$Portfolio` NFT to the signer over distinct `$Data` tokens it may reference.
        case createPortfolio(entries: [PortfolioEntry], bonusToken: TokenID, bonusPerUse: UInt256, name: String?)
        /// A trainer records `count` uses of a portfolio, paying the curator the bonus for each.
        case usePortfolio(portfolio: UInt64, count: UInt64)
        /// The curator retires a portfolio (irreversible): it stops accruing and being usable.
        case retirePortfolio(portfolio: UInt64)

        // MARK: $Model
        /// Mints a `$Model` NFT to the signer.
        case mintModel(modelHash: Hash32, trainedOn: TrainingSource, bounty: String?, paymentToken: TokenID, pricePerUse: UInt256, name: String?)
        /// The owner sets the price per use (0 withdraws the model from use).
        case setPrice(model: UInt64, pricePerUse: UInt256)
        /// Pays for one use of a model, split exactly (see ``UseSplit``); refused above `maxPrice`.
        case useModel(model: UInt64, maxPrice: UInt256)
        /// Prepays `uses` uses of a model into escrow (refused above `maxPrice` per use), for
        /// `host` to report until `expiresAt` (see ``UseBundle``).
        case buyUseBundle(model: UInt64, host: Address, uses: UInt64, maxPrice: UInt256, expiresAt: UInt64)
        /// The bundle's host reports `count` served uses; each is paid out of the escrow and split
        /// exactly as a ``useModel(model:maxPrice:)`` at the bundle's price.
        case reportBundleUses(bundle: UInt64, count: UInt64)
        /// Refunds a bundle's unreported uses to its buyer and closes it (the host at any time,
        /// the buyer after it expired).
        case refundBundle(bundle: UInt64)

        // MARK: Evaluations
        /// A paying user posts their one evaluation of a model.
        case evaluate(model: UInt64, rating: UInt8, inputsHash: Hash32, outputsHash: Hash32, textHash: Hash32)
        /// Another paying user of the model marks an evaluation helpful or not (once).
        case review(evaluation: UInt64, helpful: Bool)

        // MARK: Reward pools
        /// Creates a reward pool accruing until `endsAt`, funded with `funding` by the signer.
        case createPool(token: TokenID, market: MarketID?, dataRatePerSecond: UInt256, portfolioRatePerSecond: UInt256, endsAt: UInt64, funding: UInt256)
        /// Anyone adds `amount` to a pool before it ends.
        case fundPool(pool: UInt64, amount: UInt256)
        /// The pool's creator admits a portfolio; it accrues from now on.
        case admitPortfolio(pool: UInt64, portfolio: UInt64)
        /// The owner of a `$Data` or `$Portfolio` claims its base reward from a pool.
        case claim(pool: UInt64, nft: UInt64)
        /// The creator closes a pool after its claim grace and takes back what it holds.
        case closePool(pool: UInt64)
    }

    /// The module's name on the chain, `roles`.
    public static let name = "roles"

    /// The state before any call.
    public static func makeInitialState() -> State { State() }

    /// Runs one call; a thrown error refuses the transaction and reverts everything it did.
    public static func execute(_ call: Call, state: inout State, context: inout ExecutionContext) throws(RolesError) {
        switch call {
        case .mintData(let h, let listing, let disclosure, let name):
            try state.mintData(dataHash: h, listing: listing, disclosure: disclosure, name: name, context: &context)
        case .disclose(let d, let disclosure): try state.disclose(d, disclosure: disclosure, context: &context)
        case .tieListing(let d, let listing): try state.tieListing(d, to: listing, context: &context)
        case .offerUsage(let d, let trainer, let token, let price):
            try state.offerUsage(d, trainer: trainer, token: token, pricePerUse: price, context: &context)
        case .withdrawOffer(let o): try state.withdrawOffer(o, context: &context)
        case .acceptUsage(let o, let n): try state.acceptUsage(o, prepaidUses: n, context: &context)
        case .recordDataUse(let o, let n): try state.recordDataUse(o, count: n, context: &context)
        case .closeAgreement(let o): try state.closeAgreement(o, context: &context)
        case .createPortfolio(let entries, let token, let bonus, let name):
            try state.createPortfolio(entries: entries, bonusToken: token, bonusPerUse: bonus, name: name, context: &context)
        case .usePortfolio(let p, let n): try state.usePortfolio(p, count: n, context: &context)
        case .retirePortfolio(let p): try state.retirePortfolio(p, context: &context)
        case .mintModel(let h, let source, let bounty, let token, let price, let name):
            try state.mintModel(modelHash: h, trainedOn: source, bounty: bounty, paymentToken: token, pricePerUse: price, name: name, context: &context)
        case .setPrice(let m, let price): try state.setPrice(m, pricePerUse: price, context: &context)
        case .useModel(let m, let maxPrice): try state.useModel(m, maxPrice: maxPrice, context: &context)
        case .buyUseBundle(let m, let host, let uses, let maxPrice, let expiresAt):
            try state.buyUseBundle(m, host: host, uses: uses, maxPrice: maxPrice, expiresAt: expiresAt, context: &context)
        case .reportBundleUses(let b, let n): try state.reportBundleUses(b, count: n, context: &context)
        case .refundBundle(let b): try state.refundBundle(b, context: &context)
        case .evaluate(let m, let r, let i, let o, let t):
            try state.evaluate(m, rating: r, inputsHash: i, outputsHash: o, textHash: t, context: &context)
        case .review(let e, let helpful): try state.review(e, helpful: helpful, context: &context)
        case .createPool(let token, let market, let dr, let pr, let endsAt, let funding):
            try state.createPool(token: token, market: market, dataRate: dr, portfolioRate: pr, endsAt: endsAt, funding: funding, context: &context)
        case .fundPool(let p, let amount): try state.fundPool(p, amount: amount, context: &context)
        case .admitPortfolio(let p, let f): try state.admitPortfolio(f, to: p, context: &context)
        case .claim(let p, let n): try state.claim(from: p, nft: n, context: &context)
        case .closePool(let p): try state.closePool(p, context: &context)
        }
    }
}

/// A listing in a market, as a `$Data` token refers to it.
public struct ListingRef: Codable, Sendable, Equatable, Hashable {
    /// The market.
    public let market: MarketID
    /// The listing id (`Listing.id(applicant:dataHash:)`).
    public let listing: Hash32

    /// A reference.
    public init(market: MarketID, listing: Hash32) {
        self.market = market
        self.listing = listing
    }

    /// `Keccak-256(RLP[market slug, listing id])`: the key of the one `$Data` tied to it.
    var key: Hash32 { Keccak256.hash(RLP.list([.string(market.slug), .bytes(listing.bytes)]).encoded) }
}

// MARK: - Shared helpers

extension RolesModule.State {
    /// The current ledger owner of NFT `id`.
    func owner(of id: UInt64, context: ExecutionContext) throws(RolesError) -> Address {
        guard let nft = context.ledger.nfts[id] else { throw .ledger(.unknownNFT(id)) }
        return nft.owner
    }

    /// Refuses unless the signer owns NFT `id` now.
    func requireOwner(_ id: UInt64, context: ExecutionContext) throws(RolesError) {
        let owner = try owner(of: id, context: context)
        guard owner == context.sender else { throw .notOwner(nft: id, caller: context.sender, owner: owner) }
    }

    /// Refuses an empty or over-long optional name.
    func checkName(_ name: String?) throws(RolesError) {
        guard let name else { return }
        guard (1...64).contains(name.utf8.count) else { throw .invalidText(field: "name", length: name.utf8.count, min: 1, max: 64) }
    }

    /// Pays `amount` of `token` from the signer to `recipient`, naming a shortfall first.
    func pay(_ token: TokenID, amount: UInt256, to recipient: Address, context: inout ExecutionContext) throws(RolesError) {
        guard !amount.isZero else { return }
        do { try context.transferFromSender(token, to: recipient, amount: amount) } catch { throw .ledger(error) }
    }

    /// Refuses unless the signer holds at least `amount` of `token`.
    func requireBalance(_ token: TokenID, _ amount: UInt256, context: ExecutionContext) throws(RolesError) {
        do { _ = try context.ledger.token(token) } catch { throw .ledger(error) }
        let have = context.balance(of: context.sender, in: token)
        guard have >= amount else { throw .insufficientBalance(token: token, account: context.sender, balance: have, needed: amount) }
    }

    /// Mints an NFT to the signer.
    func mintNFT(_ draft: NFTDraft, context: inout ExecutionContext) throws(RolesError) -> UInt64 {
        do { return try context.mintNFT(draft, to: context.sender) } catch { throw .ledger(error) }
    }
}
