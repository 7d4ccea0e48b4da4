import Foundation

/// A settable wall clock in Unix seconds, for services that take `clock: () -> Int64`
/// (a datatrust, a model host).
/// `@unchecked Sendable`: `value` is only touched under `lock`.
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    /// A clock reading `start`.
    public init(_ start: Int64 = 1_750_000_000) { value = start }
    /// The time now.
    public var now: Int64 { lock.lock(); defer { lock.unlock() }; return value }
    /// Moves the clock by `seconds`.
    public func advance(_ seconds: Int64) { lock.lock(); value += seconds; lock.unlock() }
}
