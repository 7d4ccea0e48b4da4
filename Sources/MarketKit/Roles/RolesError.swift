public import LedgerCore

/// Why the roles module refused a call. Every case names the rule it enforces and the numbers,
/// ids and times involved; a refused call changes nothing.
public enum RolesError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: - Existence and ownership
    /// No `$Data` token with this NFT id was minted by the roles module.
    case unknownData(UInt64)
    /// No `$Portfolio` token with this NFT id was minted by the roles module.
    case unknownPortfolio(UInt64)
    /// No `$Model` token with this NFT id was minted by the roles module.
    case unknownModel(UInt64)
    /// No reward pool with this id exists.
    case unknownPool(UInt64)
    /// No usage offer (or agreement) with this id exists.
    case unknownOffer(UInt64)
    /// No evaluation with this id exists.
    case unknownEvaluation(UInt64)
    /// The NFT id is not a `$Data` or `$Portfolio` token, so it cannot accrue base rewards.
    case notRewardable(UInt64)
    /// Only the NFT's current owner may do this.
    case notOwner(nft: UInt64, caller: Address, owner: Address)

    // MARK: - $Data
    /// The signer already minted a `$Data` token for this dataHash.
    case duplicateData(dataHash: Hash32, existing: UInt64)
    /// The market has no listing with this id.
    case unknownListing(market: MarketID, listing: Hash32)
    /// The listing is still an application (base rewards accrue only while listed).
    case listingNotListed(market: MarketID, listing: Hash32)
    /// The listing belongs to someone other than the `$Data` owner.
    case listingNotOwned(listing: Hash32, caller: Address, owner: Address?)
    /// The listing is for other data than the `$Data` token.
    case listingDataMismatch(listing: Hash32, listingDataHash: Hash32, dataHash: Hash32)
    /// Another `$Data` token is already tied to this listing.
    case listingAlreadyTied(listing: Hash32, data: UInt64)
    /// A text field is too long (or empty where text is required).
    case invalidText(field: String, length: Int, min: Int, max: Int)
    /// A tag is not 1–32 characters of `a`–`z`, `0`–`9`, `-`.
    case invalidTag(String)
    /// More tags than a disclosure may carry.
    case tooManyTags(count: Int, max: Int)

    // MARK: - $Portfolio
    /// A portfolio with no entries, or with more than the parameters allow.
    case portfolioSize(count: Int, min: Int, max: Int)
    /// The weights do not sum to exactly 10,000 basis points.
    case weightsNotTenThousand(sum: UInt64)
    /// An entry with weight zero.
    case zeroWeight(data: UInt64)
    /// The same `$Data` token appears twice.
    case duplicateEntry(data: UInt64)
    /// The referenced `$Data` is neither the referrer's own nor disclosed as referenceable.
    case notReferenceable(data: UInt64, caller: Address, owner: Address)
    /// The portfolio was retired at `retiredAt`.
    case portfolioRetired(portfolio: UInt64, retiredAt: UInt64)

    // MARK: - $Model and payment
    /// The model's owner has not set a price (price zero: not offered for use).
    case modelNotPriced(model: UInt64)
    /// The price exceeds the maximum the user approved for this use.
    case priceAboveMaximum(model: UInt64, price: UInt256, maxPrice: UInt256)
    /// The signer holds less than the payment.
    case insufficientBalance(token: TokenID, account: Address, balance: UInt256, needed: UInt256)
    /// An amount or count that must be positive is zero.
    case zeroAmount(field: String)

    // MARK: - Evaluations
    /// A rating outside 1...5.
    case invalidRating(UInt8)
    /// The account paid for no use of the model, so may not evaluate it or review its evaluations.
    case notAPayingUser(model: UInt64, account: Address)
    /// The account already evaluated this model (one evaluation per user per model).
    case alreadyEvaluated(model: UInt64, account: Address, evaluation: UInt64)
    /// An evaluator tried to review their own evaluation.
    case ownEvaluation(evaluation: UInt64, account: Address)
    /// The account already reviewed this evaluation (one review per user per evaluation).
    case alreadyReviewed(evaluation: UInt64, account: Address)

    // MARK: - Reward pools
    /// Both rates are zero, or the pool's end is not after now.
    case invalidPool(reason: String)
    /// The pool stopped accruing at `endsAt`; it takes no more funding.
    case poolEnded(pool: UInt64, endsAt: UInt64, now: UInt64)
    /// The pool was closed and its remainder refunded.
    case poolClosed(pool: UInt64)
    /// Only the pool's creator may do this.
    case notPoolCreator(pool: UInt64, caller: Address, creator: Address)
    /// Claims are still open until `closableAt`; the pool cannot be closed yet.
    case poolStillClaimable(pool: UInt64, closableAt: UInt64, now: UInt64)
    /// The token does not accrue from this pool, with the reason.
    case notAccruing(pool: UInt64, nft: UInt64, reason: String)
    /// Nothing has accrued between `from` and `to`.
    case nothingToClaim(pool: UInt64, nft: UInt64, from: UInt64, to: UInt64)
    /// The pool holds less than one second of the rate.
    case poolExhausted(pool: UInt64, held: UInt256, ratePerSecond: UInt256)
    /// The portfolio was already admitted to the pool.
    case alreadyAdmitted(pool: UInt64, portfolio: UInt64)

    // MARK: - Usage agreements
    /// The offer names another trainer.
    case offerForAnotherTrainer(offer: UInt64, trainer: Address, caller: Address)
    /// The offer was already accepted or withdrawn, or the agreement was closed.
    case offerNotOpen(offer: UInt64, status: String)
    /// Only the agreement's trainer may record uses or close it.
    case notAgreementTrainer(offer: UInt64, caller: Address, trainer: Address)

    // MARK: - Use bundles
    /// No prepaid use bundle with this id exists.
    case unknownBundle(UInt64)
    /// A bundle that cannot be bought as asked (e.g. it would expire before now).
    case invalidBundle(reason: String)
    /// Only the bundle's host may report its uses.
    case notBundleHost(bundle: UInt64, caller: Address, host: Address)
    /// Only the bundle's buyer or host may refund it.
    case notBundleParty(bundle: UInt64, caller: Address, buyer: Address, host: Address)
    /// The host reported more uses than the bundle has left.
    case bundleExhausted(bundle: UInt64, remaining: UInt64, requested: UInt64)
    /// The bundle was refunded and closed.
    case bundleClosed(bundle: UInt64)
    /// The host reported after the bundle expired.
    case bundleExpired(bundle: UInt64, expiresAt: UInt64, now: UInt64)
    /// The buyer asked for a refund before the bundle expired.
    case bundleNotExpired(bundle: UInt64, expiresAt: UInt64, now: UInt64)

    // MARK: - Wrapped
    /// Checked arithmetic failed (beyond 2^256 − 1 or 2^64 − 1).
    case arithmetic(field: String, ArithmeticError)
    /// The ledger refused a token, escrow or NFT operation.
    case ledger(LedgerError)
    /// The market module's state refused a lookup (e.g. an unknown market).
    case market(MarketError)

    /// What the roles module refused, naming the token or account concerned, and what was expected.
    public var description: String {
        switch self {
        case .unknownData(let id): "no $Data token \(id) exists (minted by the roles module)"
        case .unknownPortfolio(let id): "no $Portfolio token \(id) exists (minted by the roles module)"
        case .unknownModel(let id): "no $Model token \(id) exists (minted by the roles module)"
        case .unknownPool(let id): "no reward pool \(id) exists"
        case .unknownOffer(let id): "no usage offer \(id) exists"
        case .unknownEvaluation(let id): "no evaluation \(id) exists"
        case .notRewardable(let id): "NFT \(id) is not a $Data or $Portfolio token: only those accrue base rewards"
        case .notOwner(let n, let c, let o): "\(c) may not do this to NFT \(n): it is owned by \(o)"
        case .duplicateData(let h, let e): "this signer already minted $Data \(e) for dataHash \(h); one token per owner and dataHash"
        case .unknownListing(let m, let l): "market '\(m)' has no listing \(l)"
        case .listingNotListed(let m, let l): "listing \(l) in market '\(m)' is not listed: expected a listing the council accepted"
        case .listingNotOwned(let l, let c, let o):
            "listing \(l) is owned by \(o.map(\.checksummed) ?? "the market"), not by the $Data owner \(c)"
        case .listingDataMismatch(let l, let lh, let h): "listing \(l) is for dataHash \(lh), expected the $Data's dataHash \(h)"
        case .listingAlreadyTied(let l, let d): "listing \(l) is already tied to $Data \(d); one $Data per listing"
        case .invalidText(let f, let n, let lo, let hi): "\(f): \(n) bytes, expected \(lo)...\(hi)"
        case .invalidTag(let t): "tag '\(t)' is invalid: expected 1-32 characters a-z, 0-9 or '-'"
        case .tooManyTags(let n, let m): "\(n) tags, expected at most \(m)"
        case .portfolioSize(let n, let lo, let hi): "portfolio of \(n) entries, expected \(lo)...\(hi)"
        case .weightsNotTenThousand(let s): "portfolio weights sum to \(s) basis points, expected exactly 10000"
        case .zeroWeight(let d): "$Data \(d) has weight 0, expected 1...10000 basis points"
        case .duplicateEntry(let d): "$Data \(d) is named twice; entries must be distinct"
        case .notReferenceable(let d, let c, let o):
            "\(c) may not reference $Data \(d): it is owned by \(o) and not disclosed as referenceable"
        case .portfolioRetired(let p, let at): "portfolio \(p) was retired at \(at)"
        case .modelNotPriced(let m): "model \(m) has price 0: its owner has not offered it for use"
        case .priceAboveMaximum(let m, let p, let max): "model \(m) costs \(p) per use, above the approved maximum \(max)"
        case .insufficientBalance(let t, let a, let b, let n): "insufficient \(t): \(a) holds \(b), needs \(n)"
        case .zeroAmount(let f): "\(f) must be greater than zero"
        case .invalidRating(let r): "rating \(r) is invalid: expected 1...5"
        case .notAPayingUser(let m, let a): "\(a) has paid for no use of model \(m): only paying users may evaluate or review"
        case .alreadyEvaluated(let m, let a, let e): "\(a) already evaluated model \(m) (evaluation \(e)); one per user per model"
        case .ownEvaluation(let e, let a): "\(a) wrote evaluation \(e) and may not review it"
        case .alreadyReviewed(let e, let a): "\(a) already reviewed evaluation \(e); one review per user"
        case .invalidPool(let r): "invalid reward pool: \(r)"
        case .poolEnded(let p, let e, let n): "reward pool \(p) ended at \(e), now \(n); it takes no more funding"
        case .poolClosed(let p): "reward pool \(p) is closed and its remainder was refunded"
        case .notPoolCreator(let p, let c, let cr): "\(c) may not do this to reward pool \(p): its creator is \(cr)"
        case .poolStillClaimable(let p, let at, let n): "reward pool \(p) can be claimed from until \(at), now \(n); close it after that"
        case .notAccruing(let p, let n, let r): "NFT \(n) does not accrue from reward pool \(p): \(r)"
        case .nothingToClaim(let p, let n, let f, let t): "NFT \(n) has nothing to claim from pool \(p): accrued until \(f), claimable until \(t)"
        case .poolExhausted(let p, let h, let r): "reward pool \(p) holds \(h), less than one second at \(r) per second; it must be refunded"
        case .alreadyAdmitted(let p, let f): "portfolio \(f) is already admitted to reward pool \(p)"
        case .offerForAnotherTrainer(let o, let t, let c): "offer \(o) is for trainer \(t), not \(c)"
        case .offerNotOpen(let o, let s): "offer \(o) is \(s), expected open"
        case .notAgreementTrainer(let o, let c, let t): "\(c) may not do this to agreement \(o): its trainer is \(t)"
        case .unknownBundle(let b): "no use bundle \(b) exists"
        case .invalidBundle(let r): "invalid use bundle: \(r)"
        case .notBundleHost(let b, let c, let h): "\(c) may not report uses of bundle \(b): its host is \(h)"
        case .notBundleParty(let b, let c, let buyer, let h): "\(c) may not refund bundle \(b): only its buyer \(buyer) or host \(h) may"
        case .bundleExhausted(let b, let r, let n): "bundle \(b) has \(r) uses left, \(n) were reported"
        case .bundleClosed(let b): "bundle \(b) was refunded and is closed"
        case .bundleExpired(let b, let e, let n): "bundle \(b) expired at \(e), now \(n); the host may no longer report uses"
        case .bundleNotExpired(let b, let e, let n): "bundle \(b) is reportable until \(e), now \(n); the buyer may refund after that"
        case .arithmetic(let f, let e): "\(f): \(e)"
        case .ledger(let e): "ledger refused: \(e)"
        case .market(let e): "market lookup refused: \(e)"
        }
    }
}

