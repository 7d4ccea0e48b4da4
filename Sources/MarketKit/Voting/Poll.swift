public import LedgerCore

/// What a poll decides.
public enum PollKind: Codable, Sendable, Equatable {
    /// Whether to list an application.
    case application(listing: Hash32)
    /// Whether to remove a challenged listing.
    case challenge(listing: Hash32)
    /// Whether to authorise a backend (datatrust).
    case backendAddition(address: Address, url: String)
    /// Whether to revoke a backend's authorisation.
    case backendRemoval(address: Address)
    /// Whether to change a parameter.
    case reparameterization(parameter: MarketParameter, value: UInt256)
}

/// A council poll. Its electorate is the council as it stood when the poll opened; its
/// rules (window, quorum, plurality, dispensation) are those in force then.
public struct Poll: Codable, Sendable, Equatable {
    /// Its id, unique within the market.
    public let id: UInt64
    /// What it decides.
    public let kind: PollKind
    /// Who opened it.
    public let proposer: Address
    /// NetworkToken wei the proposer staked (the application deposit or the challenge stake).
    public let stake: UInt256
    /// When it opened.
    public let openedAt: UInt64
    /// Votes are accepted while `now < closesAt`.
    public let closesAt: UInt64
    /// It may be resolved while `closesAt <= now <= resolveBy`; after, it only expires.
    public let resolveBy: UInt64
    /// Percent of the electorate that must vote.
    public let quorum: UInt64
    /// Percent of votes cast that must be yea.
    public let plurality: UInt64
    /// Percent of the loser's stake the winner receives (challenges).
    public let dispensation: UInt64
    /// The council members when it opened (a persistent map: snapshotting costs O(1)).
    public let electorate: StateMap<Address, Bool>
    /// The number of members in ``electorate``.
    public let electorateSize: UInt64
    /// Votes cast: true for yea.
    public internal(set) var ballots: StateMap<Address, Bool>
    /// Yea votes.
    public internal(set) var yea: UInt64
    /// Nay votes.
    public internal(set) var nay: UInt64

    /// Whether the votes cast meet the quorum and the plurality:
    /// `cast > 0`, `cast·100 ≥ quorum·electorate` and `yea·100 ≥ plurality·cast`.
    public var passes: Bool {
        let cast = yea + nay
        guard cast > 0 else { return false }
        // Sizes are far below 2^57, so these products cannot overflow 64 bits.
        return cast * 100 >= quorum * electorateSize && yea * 100 >= plurality * cast
    }
}
