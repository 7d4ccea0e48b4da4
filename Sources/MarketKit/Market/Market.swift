public import LedgerCore

/// One data market: its tokens, parameters, escrows, listings, council, polls, backends and jobs.
///
/// NetworkToken is held in three escrows the module opened — the reserve, the stakes
/// (application deposits, challenge and reparameterization stakes) and the compute payments —
/// and list rewards (MarketToken) in a fourth. Every payout goes through the ledger's escrow
/// release, so no pot can pay out more than it holds.
public struct Market: Codable, Sendable, Equatable {
    /// The market id.
    public let id: MarketID
    /// Who created it.
    public let creator: Address
    /// The market's own token (module-bound: it moves only through market calls).
    public let marketToken: TokenID
    /// The token the reserve, stakes and payments are in.
    public let networkToken: TokenID
    /// The Parameterizer.
    public internal(set) var parameters: Parameters
    /// Escrow holding the reserve (NetworkToken).
    public let reserveEscrow: UInt64
    /// Escrow holding deposits and stakes (NetworkToken).
    public let stakeEscrow: UInt64
    /// Escrow holding compute payments (NetworkToken).
    public let computeEscrow: UInt64
    /// Escrow holding listings' minted rewards (MarketToken).
    public let rewardEscrow: UInt64

    /// Listings and applications by id.
    public internal(set) var listings: StateMap<Hash32, Listing> = [:]
    /// Listing ids by dataHash (several applicants may apply with the same data).
    public internal(set) var dataHashes: StateMap<Hash32, [Hash32]> = [:]
    /// Accounts with a class (every MarketToken holder has one).
    public internal(set) var holders: StateMap<Address, Holder> = [:]
    /// Current council members: holders of more than `councilThreshold` MarketToken wei,
    /// maintained on every market operation that changes a balance.
    public internal(set) var council: StateMap<Address, Bool> = [:]
    /// Σ MarketToken of investor-class accounts: the curve's supply and divest's denominator.
    public internal(set) var investorSupply: UInt256 = .zero
    /// The price curve's carried remainder, in units of 1/(2·10^36) NetworkToken wei.
    public internal(set) var curveCarry: UInt256 = .zero
    /// Open polls by id.
    public internal(set) var polls: StateMap<UInt64, Poll> = [:]
    /// The id the next poll gets.
    public internal(set) var nextPollID: UInt64 = 1
    /// Authorised backends by address.
    public internal(set) var backends: StateMap<Address, Backend> = [:]
    /// Open (paid, unreported) jobs by id.
    public internal(set) var jobs: StateMap<UInt64, Job> = [:]
    /// The id the next job gets.
    public internal(set) var nextJobID: UInt64 = 1
    /// Number of listed listings.
    public internal(set) var listedCount: UInt64 = 0
    /// Σ access cost of listed listings that people own.
    public internal(set) var ownedAccessCostSum: UInt256 = .zero
    /// Number of listed listings the market owns (priced at `defaultAccessCost`).
    public internal(set) var marketOwnedListed: UInt64 = 0
    /// Workloads reported through the spec's coarse `updateListingsAccessed`.
    public internal(set) var coarseAccesses: UInt64 = 0
    /// MarketToken wei ever minted by the market.
    public internal(set) var minted: UInt256 = .zero
    /// MarketToken wei ever burned by the market.
    public internal(set) var burned: UInt256 = .zero

    /// Σ access cost of every listed listing: what a whole-market job owes owners.
    public func wholeMarketAccessCost() throws(MarketError) -> UInt256 {
        let marketOwned = try Arith.mul(UInt256(marketOwnedListed), parameters.defaultAccessCost, "whole-market access cost")
        return try Arith.add(ownedAccessCostSum, marketOwned, "whole-market access cost")
    }

    /// The class of `account`, if it has one.
    public func holderClass(of account: Address) -> HolderClass? { holders[account]?.holderClass }

    /// Whether `account` is currently a council member.
    public func isCouncilMember(_ account: Address) -> Bool { council[account] != nil }
}

