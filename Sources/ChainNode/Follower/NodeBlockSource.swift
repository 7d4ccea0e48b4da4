import Foundation
public import LedgerCore
import OpenAPIRuntime

/// A `BlockSource` over another node's HTTP API: blocks arrive live through its
/// Server-Sent Events stream (`GET /stream?from=H`) and are handed out from a bounded buffer;
/// when the buffer does not hold the height asked for (first start, a broken stream, a
/// follower far behind) they are read a page at a time from `GET /blocks?from=H`, as binary
/// pages (each block a 4-byte big-endian length, then its canonical `Block.encoded` bytes).
/// After a full page the next one is fetched at once, while the caller verifies the one it got.
///
/// A broken stream is reopened, after 100 ms, then twice as long after each failure up to 5 s;
/// until then waiting polls. The source is not trusted: whoever applies its blocks
/// (``Node`` in follower mode, a `ChainFollower`) checks every one of them.
///
/// ```swift
/// let source = NodeBlockSource(node: RemoteNode(base: URL(string: "http://10.0.0.1:8545")!))
/// let follower = ChainFollower(genesis: try await source.node.genesis(), modules: modules, source: source, state: genesisState)
/// ```
public final class NodeBlockSource: BlockSource, @unchecked Sendable {
    // @unchecked: every mutable property is read and written only while holding `lock`, which
    // is never held across an await or a network call; `node` is immutable and Sendable.
    private let lock = NSLock()
    private var buffer: [UInt64: Block] = [:]
    private var announced: UInt64?
    private var waiters: [UInt64: (after: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
    private var nextWaiter: UInt64 = 0
    private var connection: StreamConnection?
    private var failures = 0
    private var retryAt = ContinuousClock.now
    private var closed = false
    private var prefetched: (height: UInt64, task: Task<[Block], any Error>)?

    /// The node followed.
    public let node: RemoteNode
    /// The most blocks held from the stream before they are asked for.
    public let bufferLimit: Int

    /// A source following `node`, holding at most `bufferLimit` streamed blocks ahead.
    public init(node: RemoteNode, bufferLimit: Int = 2_000) {
        self.node = node
        self.bufferLimit = max(1, bufferLimit)
    }

    deinit {
        connection?.cancel()
        prefetched?.task.cancel()
    }

    /// Closes the stream; later waits poll until the stream is asked for again.
    public func close() {
        let (open, fetch) = lock.withLock { () -> (StreamConnection?, Task<[Block], any Error>?) in
            closed = true
            defer { (connection, prefetched) = (nil, nil) }
            return (connection, prefetched?.task)
        }
        open?.cancel()
        fetch?.cancel()
    }

    /// Whether a stream to the node is open now.
    public var isStreaming: Bool { lock.withLock { connection != nil } }

    // MARK: - BlockSource

    /// The streamed blocks from `height` on when the buffer holds `height`, else one page from
    /// `GET /blocks?from=height` (the one fetched ahead when it starts at `height`); after a
    /// full page, starts fetching the next.
    public func blocks(from height: UInt64) async throws -> [Block] {
        let (run, ahead) = lock.withLock { () -> ([Block], Task<[Block], any Error>?) in
            for old in buffer.keys where old < height { buffer[old] = nil }
            var run: [Block] = []
            var next = height
            while let block = buffer[next] {
                run.append(block)
                buffer[next] = nil
                next += 1
            }
            // A page fetched ahead for another height is of no use.
            let fetch = prefetched
            prefetched = nil
            if let fetch, fetch.height != height || !run.isEmpty {
                fetch.task.cancel()
                return (run, nil)
            }
            return (run, fetch?.task)
        }
        if !run.isEmpty { return run }
        let page: [Block]
        if let ahead { page = try await ahead.value } else { page = try await node.blocks(from: height) }
        if UInt64(page.count) >= NodeHandlers.maxPage, let last = page.last { fetchAhead(from: last.height + 1) }
        return page
    }

    /// Starts reading the page from `height` now, for the next ``blocks(from:)``.
    private func fetchAhead(from height: UInt64) {
        let node = self.node
        lock.withLock {
            guard !closed, prefetched == nil else { return }
            prefetched = (height, Task { try await node.blocks(from: height) })
        }
    }

    /// Returns once the stream announces a block above `height`, or after `timeout`; opens the
    /// stream from `height + 1` when none is open (and the back-off allows).
    public func waitForBlocks(after height: UInt64, timeout: Duration) async throws {
        openStreamIfNeeded(from: height + 1)
        let id: UInt64? = lock.withLock {
            if let announced, announced > height { return nil }
            if !buffer.isEmpty, buffer.keys.contains(where: { $0 > height }) { return nil }
            defer { nextWaiter += 1 }
            return nextWaiter
        }
        guard let id else { return }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let early = lock.withLock { () -> Bool in
                    if let announced, announced > height { return true }
                    waiters[id] = (height, continuation)
                    return false
                }
                if early { continuation.resume() }
            }
        } onCancel: {
            self.wake(id)
        }
        timer.cancel()
        try Task.checkCancellation()
    }

    private func wake(_ id: UInt64) {
        lock.withLock { waiters.removeValue(forKey: id) }?.continuation.resume()
    }

    // MARK: - The stream

    private func openStreamIfNeeded(from height: UInt64) {
        let start = lock.withLock { () -> Bool in
            guard self.connection == nil, !closed, ContinuousClock.now >= retryAt else { return false }
            return true
        }
        guard start else { return }
        let opened = StreamConnection(from: height)
        let won = lock.withLock { () -> Bool in
            guard connection == nil else { return false }
            connection = opened
            return true
        }
        if won { opened.start(node: node, source: self) }
    }

    /// A message from the stream `connection`.
    fileprivate func received(_ message: ServerSentEvent, on connection: StreamConnection) {
        guard message.event == "block", let height = message.id.flatMap(UInt64.init) else { return }
        // A block that does not decode is not buffered; the page read will report it.
        var block: Block?
        if let body = try? JSONDecoder().decode(NodeAPI.BlockBody.self, from: Data(message.data.utf8)) {
            block = try? RemoteNode.block(from: body)
        }
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            guard self.connection === connection else { return [] }
            failures = 0
            announced = max(announced ?? 0, height)
            if let block, block.height == height, buffer.count < bufferLimit { buffer[height] = block }
            let ready = waiters.filter { $0.value.after < height }
            for id in ready.keys { waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// The stream `connection` ended or failed: back off before the next one.
    fileprivate func ended(_ connection: StreamConnection) {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            guard self.connection === connection else { return [] }
            self.connection = nil
            failures += 1
            let delay = min(5_000, 100 << min(failures - 1, 6))
            retryAt = ContinuousClock.now.advanced(by: .milliseconds(delay))
            // Waiters go back to their caller, which reads a page and polls until the stream is back.
            let all = waiters.values.map(\.continuation)
            waiters = [:]
            return all
        }
        for continuation in woken { continuation.resume() }
    }
}

/// One open `GET /stream` request, read by a task of its own (the generated client's
/// response body, through async-http-client) and fed to its ``NodeBlockSource`` message by
/// message; cancelling the task closes the connection.
private final class StreamConnection: @unchecked Sendable {
    // @unchecked: `task` is read and written only while holding `lock`; `height` is immutable.
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var cancelled = false
    private let height: UInt64

    init(from height: UInt64) {
        self.height = height
    }

    func start(node: RemoteNode, source: NodeBlockSource) {
        let height = self.height
        let task = Task { [weak source] in
            do {
                let body = try await node.eventStream(from: height)
                var parser = ServerSentEventParser()
                for try await chunk in body {
                    guard let source else { break }
                    for message in parser.feed(chunk) { source.received(message, on: self) }
                }
            } catch {
                // A refused or broken stream: the source backs off and reads pages meanwhile.
            }
            source?.ended(self)
        }
        let late = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if late { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> Task<Void, Never>? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
