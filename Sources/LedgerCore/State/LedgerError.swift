/// Why a ledger operation (tokens, NFTs, escrow, streams) was refused.
///
/// Every case carries the numbers involved so the message says what was wrong and what was
/// expected. A refused operation changes nothing.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A symbol that is not 1–24 characters of A–Z, 0–9, `-`, `_`, `.` starting with a letter.
    case invalidSymbol(String)
    /// A token with this symbol already exists.
    case tokenExists(TokenID)
    /// No token has this symbol.
    case unknownToken(TokenID)
    /// The account holds less than the amount to move.
    case insufficientBalance(token: TokenID, account: Address, balance: UInt256, needed: UInt256)
    /// `transferFrom` for more than the owner approved.
    case allowanceExceeded(token: TokenID, owner: Address, spender: Address, allowance: UInt256, needed: UInt256)
    /// Mint or burn by someone other than the token's minter.
    case notMinter(token: TokenID, caller: Authority, minter: Authority)
    /// Supply or a balance would leave the 256-bit range.
    case arithmetic(ArithmeticError)
    /// An amount of zero where a positive amount is required.
    case zeroAmount(field: String)
    /// A malformed argument, naming the field and what was expected.
    case invalidArgument(field: String, reason: String)
    /// No NFT has this id.
    case unknownNFT(UInt64)
    /// The caller neither owns nor is approved for the NFT.
    case notNFTOwner(id: UInt64, caller: Address, owner: Address)
    /// An NFT link points at a token that does not exist.
    case unknownLinkedNFT(id: UInt64, link: UInt64)
    /// Royalty above 10,000 basis points.
    case royaltyTooHigh(basisPoints: UInt16)
    /// No escrow has this id.
    case unknownEscrow(UInt64)
    /// An escrow touched by a module that does not own it.
    case escrowNotOwned(id: UInt64, owner: String, caller: String)
    /// A release or refund for more than the escrow still holds.
    case escrowInsufficient(id: UInt64, held: UInt256, requested: UInt256)
    /// A deposit into an escrow of another token.
    case escrowTokenMismatch(id: UInt64, escrowToken: TokenID, given: TokenID)
    /// A module tried to move tokens from an account that did not sign the transaction.
    case notAuthorizedToDebit(account: Address, signer: Address)
    /// No stream has this id.
    case unknownStream(UInt64)
    /// A stream whose end is not after its start, or that starts in the past.
    case invalidStreamWindow(start: UInt64, end: UInt64, now: UInt64)
    /// Claim by someone other than the payee, or cancel by someone other than the payer.
    case notStreamParty(id: UInt64, caller: Address, expected: Address)
    /// Nothing has vested since the last claim.
    case nothingToClaim(id: UInt64)
    /// The stream was cancelled or fully paid already.
    case streamClosed(id: UInt64)
    /// The token moves only through its minting module, and this operation would move it otherwise.
    case moduleBoundToken(token: TokenID, minter: Authority, operation: String)

    /// What the ledger refused, naming the token, account or amount, and what was expected.
    public var description: String {
        switch self {
        case .invalidSymbol(let s):
            "token symbol '\(s)' is invalid: expected 1-24 characters A-Z, 0-9, '-', '_' or '.', starting with a letter"
        case .tokenExists(let t): "token \(t) already exists on this chain; choose another symbol"
        case .unknownToken(let t): "no token with symbol \(t) exists on this chain"
        case .insufficientBalance(let t, let a, let b, let n):
            "insufficient \(t) balance: \(a) holds \(b), needs \(n)"
        case .allowanceExceeded(let t, let o, let s, let al, let n):
            "allowance exceeded: \(o) approved \(s) for \(al) \(t), transfer needs \(n)"
        case .notMinter(let t, let c, let m): "\(c) may not mint or burn \(t): its minter is \(m)"
        case .arithmetic(let e): "amount out of range: \(e)"
        case .zeroAmount(let f): "\(f) must be greater than zero"
        case .invalidArgument(let f, let r): "\(f): \(r)"
        case .unknownNFT(let id): "no NFT with id \(id) exists"
        case .notNFTOwner(let id, let c, let o): "\(c) may not move NFT \(id): it is owned by \(o) and not approved to the caller"
        case .unknownLinkedNFT(let id, let link): "NFT \(id) links to NFT \(link), which does not exist"
        case .royaltyTooHigh(let bp): "royalty of \(bp) basis points exceeds the maximum of 10000"
        case .unknownEscrow(let id): "no escrow with id \(id) exists"
        case .escrowNotOwned(let id, let o, let c): "escrow \(id) belongs to module \(o); module \(c) may not touch it"
        case .escrowInsufficient(let id, let h, let r): "escrow \(id) holds \(h), cannot pay out \(r)"
        case .escrowTokenMismatch(let id, let e, let g): "escrow \(id) holds \(e), not \(g)"
        case .notAuthorizedToDebit(let a, let s): "cannot move tokens of \(a): only the signer \(s) may be debited"
        case .unknownStream(let id): "no payment stream with id \(id) exists"
        case .invalidStreamWindow(let s, let e, let n):
            "stream window [\(s), \(e)] is invalid at time \(n): expected now <= start < end"
        case .notStreamParty(let id, let c, let e): "\(c) may not do this on stream \(id): only \(e) may"
        case .nothingToClaim(let id): "stream \(id) has nothing vested to claim yet"
        case .streamClosed(let id): "stream \(id) is closed (cancelled or fully paid)"
        case .moduleBoundToken(let t, let m, let op):
            "\(op) refused: \(t) is bound to its minter \(m) and moves only through that module's calls"
        }
    }
}
