import Foundation

/// How many short-lived children ``CLIRunner/runAsync(_:stdin:stdinPath:env:timeout:)`` runs
/// at once across the whole test process: twice the cores, or `DATAMARKET_TEST_PROCESSES`.
///
/// Async process tests no longer hold a cooperative thread while a child runs, so Swift Testing
/// starts as many of them as it has suites; without a bound, dozens of `dmctl` children (each
/// unlocking a key with Argon2id) would take the cores from the in-process tests and their
/// timeouts. Waiting for a slot suspends the task; it holds no thread.
actor ProcessSlots {
    /// The slots every runner shares.
    static let shared = ProcessSlots(limit: ProcessInfo.processInfo.environment["DATAMARKET_TEST_PROCESSES"].flatMap { Int($0) }
        ?? max(2, 2 * ProcessInfo.processInfo.activeProcessorCount))

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = max(1, limit) }

    /// Waits for a free slot and takes it.
    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
