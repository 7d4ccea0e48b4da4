public import LedgerCore

/// The state of a bounty module: every bounty by id, and the id the next one gets.
///
/// ``ModelBountyModule`` and ``DataBountyModule`` keep their bounties this way: `create`
/// makes the bounty at ``nextID`` and moves it on; every other call changes one bounty, which
/// is stored back only when the call succeeds.
public struct BountyBook<Bounty: Codable & Sendable & Equatable>: ModuleState {
    /// The id the next bounty gets.
    public internal(set) var nextID: UInt64 = 1
    /// The bounties, by id.
    public internal(set) var bounties: StateMap<UInt64, Bounty> = [:]
    /// The empty state.
    public init() {}

    /// Adds the bounty `make` builds for ``nextID`` and moves ``nextID`` past its id.
    ///
    /// - Parameter id: the id the new bounty took (`make` refuses any other than ``nextID``).
    mutating func create<Failure: Error>(
        id: (Bounty) -> UInt64, _ make: (_ nextID: UInt64) throws(Failure) -> Bounty
    ) throws(Failure) {
        let bounty = try make(nextID)
        let newID = id(bounty)
        bounties[newID] = bounty
        nextID = newID + 1
    }

    /// Runs `change` on bounty `id` and stores the result; nothing changes if it throws.
    ///
    /// - Throws: `unknown(id)` when there is no bounty `id`, or what `change` throws.
    mutating func update<Failure: Error>(
        _ id: UInt64, unknown: (UInt64) -> Failure, _ change: (inout Bounty) throws(Failure) -> Void
    ) throws(Failure) {
        guard var bounty = bounties[id] else { throw unknown(id) }
        try change(&bounty)
        bounties[id] = bounty
    }
}
