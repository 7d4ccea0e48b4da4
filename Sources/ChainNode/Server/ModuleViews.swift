public import LedgerCore
public import MarketKit
public import ModelMarketKit

// The module state views: the JSON `dmctl`'s read commands print with `--json`, served by the
// node under /markets, /bounties, /databounties, /nfts, /models and /streams. Each is built from
// the modules' own state and read functions (`Market.currentPrice()`, `ModelBounty.phase(at:)`,
// `PaymentStream.vested(at:)`, `RolesModule.State.score(ofModel:)`); dmctl prints the same
// types, so the shape lives here once. Amounts are decimal strings of smallest units.

extension NodeAPI {
    // MARK: - Markets

    /// A market's tokens, reserve, price and counts (`dmctl market show --json`, `GET /markets/{id}`).
    public struct MarketSummary: Codable, Sendable, Equatable {
        /// The market id (its slug).
        public let market: String
        /// Who created it.
        public let creator: Address
        /// The market's own token.
        public let marketToken: TokenID
        /// The token the reserve holds.
        public let networkToken: TokenID
        /// NetworkToken smallest units held by the reserve.
        public let reserve: UInt256
        /// NetworkToken smallest units per whole MarketToken; nil when the curve cannot price.
        public let price: UInt256?
        /// MarketToken smallest units held by investors.
        public let investorSupply: UInt256
        /// Council members.
        public let council: Int
        /// Listed datapoints.
        public let listed: UInt64
        /// Applications not yet listed.
        public let applications: Int
        /// Polls open.
        public let openPolls: Int
        /// Authorised datatrusts.
        public let backends: Int
        /// Compute jobs open.
        public let openJobs: Int

        /// The summary of `m` over `ledger` (where its reserve is held).
        public init(_ m: Market, ledger: LedgerState) {
            market = m.id.slug
            creator = m.creator
            marketToken = m.marketToken
            networkToken = m.networkToken
            reserve = ledger.escrows[m.reserveEscrow]?.held ?? .zero
            price = try? m.currentPrice()
            investorSupply = m.investorSupply
            council = m.council.count
            listed = m.listedCount
            applications = m.listings.count - Int(m.listedCount)
            openPolls = m.polls.count
            backends = m.backends.count
            openJobs = m.jobs.count
        }
    }

    /// `GET /markets`: every market's summary, by id.
    public struct MarketList: Codable, Sendable, Equatable {
        /// The markets.
        public let markets: [MarketSummary]
        /// The list of `state`'s markets.
        public init(_ state: MarketModule.State, ledger: LedgerState) {
            markets = state.markets.values.map { MarketSummary($0, ledger: ledger) }
        }
    }

    /// A market's listings and applications (`dmctl market listings --json`,
    /// `GET /markets/{id}/listings`). Deposits are in the NetworkToken, rewards in the MarketToken.
    public struct MarketListings: Codable, Sendable, Equatable {
        /// The token deposits and access costs are paid in.
        public let networkToken: TokenID
        /// The token rewards are minted in.
        public let marketToken: TokenID
        /// The listings and applications, by id.
        public let listings: [Listing]
        /// The listings of `m`.
        public init(_ m: Market) {
            networkToken = m.networkToken
            marketToken = m.marketToken
            listings = m.listings.values
        }
    }

    /// A market's open polls (`GET /markets/{id}/polls`).
    public struct MarketPolls: Codable, Sendable, Equatable {
        /// The market id.
        public let market: String
        /// The open polls, by id.
        public let polls: [Poll]
        /// The open polls of `m`.
        public init(_ m: Market) {
            market = m.id.slug
            polls = m.polls.values
        }
    }

    // MARK: - Bounties

    /// A model bounty with its phase now and what its escrow holds (`dmctl bounty show --json`,
    /// `GET /bounties/{id}`).
    public struct ModelBountyView: Codable, Sendable, Equatable {
        /// The phase at chain time `now`.
        public let phase: ModelBounty.Phase
        /// The bounty.
        public let bounty: ModelBounty
        /// Smallest units its escrow still holds.
        public let escrowHeld: UInt256
        /// The view of `b` at chain time `now`.
        public init(_ b: ModelBounty, ledger: LedgerState, now: UInt64) {
            phase = b.phase(at: now)
            bounty = b
            escrowHeld = ledger.escrows[b.escrow]?.held ?? .zero
        }
    }

    /// A data bounty with its phase now (`dmctl databounty show --json`, `GET /databounties/{id}`).
    public struct DataBountyView: Codable, Sendable, Equatable {
        /// The phase at chain time `now`.
        public let phase: DataBounty.Phase
        /// The bounty.
        public let bounty: DataBounty
        /// The view of `b` at chain time `now`.
        public init(_ b: DataBounty, now: UInt64) {
            phase = b.phase(at: now)
            bounty = b
        }
    }

    // MARK: - NFTs and streams

    /// An NFT (`dmctl nft show --json`, `GET /nfts/{id}`); `class` is dataset, model or portfolio.
    public struct NFTView: Codable, Sendable, Equatable {
        /// The id.
        public let id: UInt64
        /// Its class.
        public let kind: String
        /// The owner.
        public let owner: Address
        /// Keccak-256 of the content it stands for.
        public let contentHash: Hash32
        /// Its metadata.
        public let metadata: [String: String]
        /// The account approved to transfer it, if any.
        public let approved: Address?
        /// The royalty paid on its uses, if any.
        public let royalty: NFT.Royalty?
        /// The NFTs it links to.
        public let links: [UInt64]
        /// Who minted it.
        public let minter: String
        /// When it was minted.
        public let mintedAt: UInt64
        /// The view of `n`.
        public init(_ n: NFT) {
            id = n.id
            kind = n.kind.rawValue
            owner = n.owner
            contentHash = n.contentHash
            metadata = n.metadata
            approved = n.approved
            royalty = n.royalty
            links = n.links
            minter = n.minter.description
            mintedAt = n.mintedAt
        }
        enum CodingKeys: String, CodingKey {
            case id, kind = "class", owner, contentHash, metadata, approved, royalty, links, minter, mintedAt
        }
    }

    /// A payment stream with what has vested at `now` (`dmctl stream show --json`, `GET /streams/{id}`).
    ///
    /// Its JSON is one flat object: the stream's own fields (`PaymentStream`'s
    /// encoding) beside `now`, `vested`, `claimable` and `status`. The stream's fields read
    /// through the view as well: `view.id`, `view.amount`.
    @dynamicMemberLookup
    public struct StreamView: Codable, Sendable, Equatable {
        /// The stream as the chain holds it.
        public let stream: PaymentStream
        /// The time `vested` and `claimable` are computed at.
        public let now: UInt64
        /// Vested at `now`.
        public let vested: UInt256
        /// Claimable at `now`.
        public let claimable: UInt256
        /// pending, vesting, paid or cancelled.
        public let status: String
        /// The view of `s` at time `now`.
        public init(_ s: PaymentStream, now: UInt64) {
            stream = s
            self.now = now
            vested = s.vested(at: now)
            claimable = s.isClosed ? .zero : s.claimable(at: now)
            status = s.cancelledAt != nil ? "cancelled" : s.isClosed ? "paid" : now < s.start ? "pending" : "vesting"
        }

        /// A field of the stream itself (`id`, `payer`, `amount`, ...).
        public subscript<Field>(dynamicMember field: KeyPath<PaymentStream, Field>) -> Field { stream[keyPath: field] }

        private enum CodingKeys: String, CodingKey { case now, vested, claimable, status }

        /// Decodes the flat object: the stream's fields and the four computed at `now`.
        public init(from decoder: any Decoder) throws {
            stream = try PaymentStream(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            now = try container.decode(UInt64.self, forKey: .now)
            vested = try container.decode(UInt256.self, forKey: .vested)
            claimable = try container.decode(UInt256.self, forKey: .claimable)
            status = try container.decode(String.self, forKey: .status)
        }

        /// Encodes the flat object: the stream's fields, then the four computed at `now`.
        public func encode(to encoder: any Encoder) throws {
            try stream.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(now, forKey: .now)
            try container.encode(vested, forKey: .vested)
            try container.encode(claimable, forKey: .claimable)
            try container.encode(status, forKey: .status)
        }
    }

    // MARK: - Models and scores

    /// One evaluation of a model, with its evaluator's standing weight.
    public struct EvaluationView: Codable, Sendable, Equatable {
        /// The evaluation id.
        public let id: UInt64
        /// Who evaluated.
        public let evaluator: Address
        /// The rating, 1 to 5.
        public let rating: UInt8
        /// Reviews that found it helpful.
        public let helpful: UInt64
        /// Reviews that did not.
        public let unhelpful: UInt64
        /// The evaluator's weight in the score.
        public let weight: UInt64
        /// Keccak-256 of the inputs tried.
        public let inputsHash: Hash32
        /// Keccak-256 of the outputs seen.
        public let outputsHash: Hash32
        /// Keccak-256 of the review text.
        public let textHash: Hash32
    }

    /// A `$Model` with its price, uses, score and evaluations (`dmctl eval show --json`,
    /// `GET /models/{id}`). score = floor(100 * sum(rating * w) / sum(w)).
    public struct ModelView: Codable, Sendable, Equatable {
        /// The model NFT id.
        public let model: UInt64
        /// Its owner, checksummed, or `-`.
        public let owner: String
        /// Smallest units of `token` per use.
        public let pricePerUse: UInt256
        /// The token uses are paid in.
        public let token: TokenID
        /// Paid uses so far.
        public let uses: UInt64
        /// The score in hundredths of a star; nil without evaluations.
        public let scoreHundredths: UInt64?
        /// Its evaluations.
        public let evaluations: [EvaluationView]

        /// The view of model `id`, or nil when there is none.
        public init?(_ id: UInt64, roles: RolesModule.State, ledger: LedgerState) {
            guard let m = roles.models[id] else { return nil }
            model = id
            owner = ledger.nfts[id]?.owner.checksummed ?? "-"
            pricePerUse = m.pricePerUse
            token = m.paymentToken
            uses = m.uses
            scoreHundredths = roles.score(ofModel: id)?.hundredths
            evaluations = m.evaluations.compactMap { roles.evaluations[$0] }.map {
                EvaluationView(
                    id: $0.id, evaluator: $0.evaluator, rating: $0.rating, helpful: $0.helpful, unhelpful: $0.unhelpful,
                    weight: roles.standing(of: $0.evaluator).weight, inputsHash: $0.inputsHash, outputsHash: $0.outputsHash,
                    textHash: $0.textHash)
            }
        }

        /// Every model by score, best first (`dmctl eval show --json` without an id, `GET /models`).
        public static func ranked(roles: RolesModule.State, ledger: LedgerState) -> [ModelView] {
            roles.modelsByScore().compactMap { ModelView($0.model, roles: roles, ledger: ledger) }
        }
    }

    // MARK: - Replicas

    /// `GET /state`: the whole state at the head in its canonical encoding, so a client
    /// (`dmctl --node`) can read every module through its own code without a chain folder.
    public struct StateSnapshot: Codable, Sendable, Equatable {
        /// The height the state is after.
        public let height: UInt64
        /// The state's canonical bytes in 0x hex (the encoding snapshots use).
        public let state: String
        /// Keccak-256 of those bytes (the head's state hash).
        public let stateHash: Hash32
        /// The node's chain time now (wall clock plus any warp), for commands that compute deadlines.
        public let now: UInt64
    }
}
