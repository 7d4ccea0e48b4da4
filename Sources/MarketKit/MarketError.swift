public import LedgerCore

/// Why the market module refused a call. Every case names the rule, the status or window, and
/// the numbers and times involved; a refused call changes nothing.
public enum MarketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The market id is not a slug of 1–20 characters `a`–`z`, `0`–`9`, `-`, starting with a letter.
    case invalidMarketID(String)
    /// A market with this id already exists.
    case marketExists(MarketID)
    /// No market with this id exists.
    case unknownMarket(MarketID)
    /// A parameter is outside its allowed range.
    case parameterOutOfBounds(parameter: MarketParameter, value: UInt256, min: UInt256, max: UInt256)
    /// makerPayment + backendPayment would exceed 100 %.
    case paymentSharesExceed100(maker: UInt256, backend: UInt256)
    /// A text field is empty or too long.
    case invalidText(field: String, length: Int, max: Int)
    /// An amount that must be positive is zero.
    case zeroAmount(field: String)
    /// The signer lacks the NetworkToken or MarketToken the call needs.
    case insufficientBalance(token: TokenID, account: Address, balance: UInt256, needed: UInt256)
    /// A data owner tried to invest or divest; owners must convert to investor class first.
    case dataOwnerCannotInvest(account: Address)
    /// An investor tried to own a listing; investors can never become data owners.
    case investorCannotOwnListings(account: Address)
    /// Divest was called by an account that is not investor class.
    case notInvestor(account: Address)
    /// convertToInvestor was called by an account that owns no listings and is not a data owner.
    case notDataOwner(account: Address)
    /// An investment too small to mint a single MarketToken wei.
    case investmentTooSmall(offered: UInt256)
    /// The curve would mint fewer tokens than the investor's slippage bound.
    case slippage(minTokensOut: UInt256, tokensOut: UInt256)
    /// Divest would pay less than the investor's bound.
    case payoutBelowMinimum(minPayout: UInt256, payout: UInt256)
    /// The investor holds no MarketToken to divest.
    case nothingToDivest(account: Address)
    /// The signer already has a listing for this dataHash (listing id = Keccak(RLP[applicant, dataHash])).
    case listingExists(listing: Hash32)
    /// No listing with this id exists in the market.
    case unknownListing(listing: Hash32)
    /// Only the listing's owner may do this.
    case notListingOwner(listing: Hash32, caller: Address, owner: Address?)
    /// The listing is not listed (still an application, or removed).
    case listingNotListed(listing: Hash32)
    /// The listing is under an open poll (its application or a challenge).
    case listingUnderPoll(listing: Hash32, poll: UInt64)
    /// An owner tried to challenge their own listing.
    case cannotChallengeOwnListing(listing: Hash32)
    /// The data owner still has a listing under an open poll.
    case ownerHasOpenPoll(account: Address, listing: Hash32, poll: UInt64)
    /// The signer is not a backend (datatrust) the council has authorised for this market.
    case notAuthorisedBackend(address: Address)
    /// No open poll with this id exists in the market.
    case unknownPoll(poll: UInt64)
    /// The voter was not a council member when the poll opened.
    case notInElectorate(poll: UInt64, voter: Address)
    /// The voter already voted in this poll.
    case alreadyVoted(poll: UInt64, voter: Address)
    /// The poll's vote window has closed.
    case voteWindowClosed(poll: UInt64, closedAt: UInt64, now: UInt64)
    /// The poll is still open for votes, so it cannot be resolved yet.
    case voteWindowOpen(poll: UInt64, closesAt: UInt64, now: UInt64)
    /// The poll's resolve deadline passed: it can only expire (refunding every stake).
    case resolveDeadlinePassed(poll: UInt64, deadline: UInt64, now: UInt64)
    /// The poll can still be resolved, so it cannot expire yet.
    case resolveDeadlineNotReached(poll: UInt64, deadline: UInt64, now: UInt64)
    /// The council approved an application no authorised datatrust has attested to holding.
    case notAttested(listing: Hash32, dataHash: Hash32)
    /// The job price exceeds the buyer's maximum.
    case priceAboveMaximum(price: UInt256, maxPrice: UInt256)
    /// A job needs a payment share that is zero (e.g. access costs with makerPayment 0).
    case paymentShareIsZero(parameter: MarketParameter, amountDue: UInt256)
    /// A list of listings names one listing twice.
    case duplicateListing(listing: Hash32)
    /// A list of listings is longer than a call may carry.
    case tooManyListings(count: Int, max: Int)
    /// No open job with this id exists in the market.
    case unknownJob(job: UInt64)
    /// Only the backend the buyer named may report the job.
    case notJobBackend(job: UInt64, caller: Address, backend: Address)
    /// The job's report deadline passed; it can only be refunded.
    case jobDeadlinePassed(job: UInt64, deadline: UInt64, now: UInt64)
    /// The job can still be reported, so it cannot be refunded yet.
    case jobDeadlineNotReached(job: UInt64, deadline: UInt64, now: UInt64)
    /// A report names a listing the job did not pay for.
    case listingNotInJob(job: UInt64, listing: Hash32)
    /// Checked arithmetic failed (an amount beyond 2^256 − 1, or a division by zero).
    case arithmetic(field: String, ArithmeticError)
    /// The ledger refused a token or escrow operation.
    case ledger(LedgerError)

    /// What the market refused and what was expected, naming the listing, account or window concerned.
    public var description: String {
        switch self {
        case .invalidMarketID(let s):
            "market id '\(s)' is invalid: expected 1-20 characters a-z, 0-9 or '-', starting with a letter"
        case .marketExists(let m): "market '\(m)' already exists; choose another id"
        case .unknownMarket(let m): "no market '\(m)' exists on this chain"
        case .parameterOutOfBounds(let p, let v, let lo, let hi):
            "parameter \(p) = \(v) is out of bounds: expected \(lo)...\(hi)"
        case .paymentSharesExceed100(let m, let b):
            "payment shares exceed 100%: makerPayment \(m) + backendPayment \(b) = \((try? m.adding(b)) ?? .max), expected at most 100"
        case .invalidText(let f, let n, let max): "\(f): \(n) bytes, expected 1...\(max)"
        case .zeroAmount(let f): "\(f) must be greater than zero"
        case .insufficientBalance(let t, let a, let b, let n): "insufficient \(t): \(a) holds \(b), needs \(n)"
        case .dataOwnerCannotInvest(let a):
            "\(a) is a data owner: owners may not invest or divest; call convertToInvestor first (irreversible)"
        case .investorCannotOwnListings(let a): "\(a) is investor class: investors may not own listings"
        case .notInvestor(let a): "\(a) is not investor class: only investors may divest"
        case .notDataOwner(let a): "\(a) is not a data owner: only data owners convert to investor class"
        case .investmentTooSmall(let x): "investment of \(x) NetworkToken wei mints no MarketToken at the current price"
        case .slippage(let min, let out): "slippage: the curve mints \(out) MarketToken wei, below the minimum \(min)"
        case .payoutBelowMinimum(let min, let p): "divest would pay \(p) NetworkToken wei, below the minimum \(min)"
        case .nothingToDivest(let a): "\(a) holds no MarketToken to divest"
        case .listingExists(let l): "listing \(l) already exists: this applicant already applied with this dataHash"
        case .unknownListing(let l): "no listing \(l) exists in this market"
        case .notListingOwner(let l, let c, let o):
            "\(c) may not do this to listing \(l): it is owned by \(o.map(\.checksummed) ?? "the market")"
        case .listingNotListed(let l): "listing \(l) is not listed (it is an application)"
        case .listingUnderPoll(let l, let p): "listing \(l) is under open poll \(p); wait for it to resolve or expire"
        case .cannotChallengeOwnListing(let l): "the owner may not challenge their own listing \(l); exit it instead"
        case .ownerHasOpenPoll(let a, let l, let p):
            "\(a) cannot convert: listing \(l) is under open poll \(p); wait for it to resolve or expire"
        case .notAuthorisedBackend(let a): "\(a) is not a datatrust backend the council authorised for this market"
        case .unknownPoll(let p): "no open poll \(p) exists in this market"
        case .notInElectorate(let p, let v):
            "\(v) may not vote in poll \(p): not a council member when the poll opened (the electorate is fixed then)"
        case .alreadyVoted(let p, let v): "\(v) already voted in poll \(p): one member, one vote"
        case .voteWindowClosed(let p, let c, let n): "vote window of poll \(p) closed at \(c), now \(n)"
        case .voteWindowOpen(let p, let c, let n): "poll \(p) is open for votes until \(c), now \(n); resolve after that"
        case .resolveDeadlinePassed(let p, let d, let n): "poll \(p) had to be resolved by \(d), now \(n); call expire to refund its stakes"
        case .resolveDeadlineNotReached(let p, let d, let n): "poll \(p) can be resolved until \(d), now \(n); it expires only after that"
        case .notAttested(let l, let d):
            "listing \(l) cannot be listed: no authorised datatrust attested that it holds data \(d)"
        case .priceAboveMaximum(let p, let m): "job price \(p) exceeds the buyer's maximum \(m)"
        case .paymentShareIsZero(let p, let due): "\(p) is 0% but \(due) is due under it; the job cannot be priced"
        case .duplicateListing(let l): "listing \(l) is named twice"
        case .tooManyListings(let c, let m): "\(c) listings named, expected at most \(m) per call"
        case .unknownJob(let j): "no open job \(j) exists in this market"
        case .notJobBackend(let j, let c, let b): "\(c) may not report job \(j): the buyer named backend \(b)"
        case .jobDeadlinePassed(let j, let d, let n): "job \(j) had to be reported by \(d), now \(n); the buyer may refund it"
        case .jobDeadlineNotReached(let j, let d, let n): "job \(j) may be reported until \(d), now \(n); no refund before that"
        case .listingNotInJob(let j, let l): "job \(j) did not pay for listing \(l)"
        case .arithmetic(let f, let e): "\(f): \(e)"
        case .ledger(let e): "ledger refused: \(e)"
        }
    }
}
