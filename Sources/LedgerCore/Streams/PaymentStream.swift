/// A payment released linearly over a time window: the "trickle payment" that shares risk
/// between payer and payee.
///
/// The payer locks `amount` for `[start, end]`. At time `t` the vested part is
///
///     vested(t) = 0                                        if t <= start
///               = amount                                   if t >= end
///               = floor(amount · (t − start) / (end − start))  otherwise
///
/// Rounding is down, in the payer's favour, and only until `end`, when the whole amount has
/// vested: no unit is lost. The payee may claim `vested(t) − claimed` at any time. Cancelling
/// at `t` pays the payee what has vested and not been claimed and refunds `amount − vested(t)`.
public struct PaymentStream: Sendable, Codable, Equatable {
    /// Its id, unique on the chain.
    public let id: UInt64
    /// Who locked the funds.
    public let payer: Address
    /// Who receives them.
    public let payee: Address
    /// The token streamed.
    public let token: TokenID
    /// The total locked at opening.
    public let amount: UInt256
    /// When vesting begins (block time, seconds).
    public let start: UInt64
    /// When everything has vested.
    public let end: UInt64
    /// Paid to the payee so far.
    public internal(set) var claimed: UInt256
    /// Refunded to the payer on cancellation.
    public internal(set) var refunded: UInt256
    /// When it was cancelled, if it was.
    public internal(set) var cancelledAt: UInt64?

    /// The part vested at time `t` (see the type's formula).
    public func vested(at t: UInt64) -> UInt256 {
        if let cancelledAt, t > cancelledAt { return vested(at: cancelledAt) }
        if t <= start { return .zero }
        if t >= end { return amount }
        // amount · elapsed / duration cannot overflow the 512-bit intermediate and the
        // quotient is below `amount`, so this never throws.
        let r = try? UInt256.multiplyThenDivide(amount, UInt256(t - start), UInt256(end - start))
        return r?.quotient ?? .zero
    }

    /// What the payee can claim at `t`.
    public func claimable(at t: UInt64) -> UInt256 {
        (try? vested(at: t) - claimed) ?? .zero
    }

    /// What the ledger still holds for this stream: `amount − claimed − refunded`.
    public var locked: UInt256 {
        let out = (try? claimed + refunded) ?? amount
        return (try? amount - out) ?? .zero
    }

    /// Whether nothing more can move: cancelled, or fully claimed.
    public var isClosed: Bool { locked.isZero }
}

extension LedgerState {
    mutating func openStream(
        payer: Address, payee: Address, token: TokenID, amount: UInt256, start: UInt64, end: UInt64, now: UInt64,
        events: inout [Event]
    ) throws(LedgerError) -> UInt64 {
        _ = try self.token(token)
        guard !amount.isZero else { throw .zeroAmount(field: "amount") }
        guard start >= now, end > start else { throw .invalidStreamWindow(start: start, end: end, now: now) }
        let t = try self.token(token)
        guard !t.isModuleBound else { throw .moduleBoundToken(token: token, minter: t.minter, operation: "openStream") }
        try debit(token, payer, amount)
        let id = nextStreamID
        streams[id] = PaymentStream(
            id: id, payer: payer, payee: payee, token: token, amount: amount, start: start, end: end,
            claimed: .zero, refunded: .zero, cancelledAt: nil)
        nextStreamID = id &+ 1
        events.append(Event(module: "ledger", kind: "StreamOpen", accounts: [payer, payee], fields: [
            .init("id", "\(id)"), .init("token", token.symbol), .init("amount", amount.description),
            .init("start", "\(start)"), .init("end", "\(end)"),
        ]))
        return id
    }

    mutating func claimStream(_ id: UInt64, caller: Address, now: UInt64, events: inout [Event]) throws(LedgerError) -> UInt256 {
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard caller == stream.payee else { throw .notStreamParty(id: id, caller: caller, expected: stream.payee) }
        guard !stream.isClosed else { throw .streamClosed(id: id) }
        let due = stream.claimable(at: now)
        guard !due.isZero else { throw .nothingToClaim(id: id) }
        stream.claimed = try checked { () throws(ArithmeticError) in try stream.claimed + due }
        streams[id] = stream
        try credit(stream.token, stream.payee, due)
        events.append(Event(module: "ledger", kind: "StreamClaim", accounts: [stream.payee], fields: [
            .init("id", "\(id)"), .init("token", stream.token.symbol), .init("amount", due.description),
        ]))
        return due
    }

    mutating func cancelStream(_ id: UInt64, caller: Address, now: UInt64, events: inout [Event]) throws(LedgerError) {
        guard var stream = streams[id] else { throw .unknownStream(id) }
        guard caller == stream.payer else { throw .notStreamParty(id: id, caller: caller, expected: stream.payer) }
        guard !stream.isClosed else { throw .streamClosed(id: id) }
        let vested = stream.vested(at: now)
        let toPayee = try checked { () throws(ArithmeticError) in try vested - stream.claimed }
        let toPayer = try checked { () throws(ArithmeticError) in try stream.amount - vested }
        stream.claimed = vested
        stream.refunded = toPayer
        stream.cancelledAt = now
        streams[id] = stream
        if !toPayee.isZero { try credit(stream.token, stream.payee, toPayee) }
        if !toPayer.isZero { try credit(stream.token, stream.payer, toPayer) }
        events.append(Event(module: "ledger", kind: "StreamCancel", accounts: [stream.payer, stream.payee], fields: [
            .init("id", "\(id)"), .init("token", stream.token.symbol),
            .init("paidToPayee", toPayee.description), .init("refundedToPayer", toPayer.description),
        ]))
    }
}
