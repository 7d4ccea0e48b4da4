/// Polls `condition` until it holds or `timeout` passes, sleeping with `Task.sleep` between
/// polls so no thread of the cooperative pool is held while waiting. A condition that already
/// holds returns at once.
/// - Returns: whether the condition held before the deadline (false also when cancelled).
public func eventually(
    timeout: Duration = .seconds(600), every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if clock.now >= deadline || Task.isCancelled { return false }
        try? await Task.sleep(for: interval)
    }
}
