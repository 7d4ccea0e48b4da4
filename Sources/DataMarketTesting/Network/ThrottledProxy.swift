#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A TCP forwarder on 127.0.0.1 that passes every connection on to a server on loopback and
/// delivers the server's answers at no more than a set number of bytes per second; requests
/// go through unthrottled.
///
/// It puts a slow network between two real processes, so a test can act while a transfer is
/// under way (a follower killed mid-sync) however fast or loaded the machine is: the transfer
/// takes as long as its bytes need at the set rate. Each connection is served by two threads
/// of its own; ``close()`` stops accepting and cuts every open connection.
///
/// ```swift
/// let slow = try ThrottledProxy(toPort: 8545, bytesPerSecond: 256 * 1024)
/// defer { slow.close() }
/// // point the client at slow.url instead of http://127.0.0.1:8545
/// ```
///
/// `@unchecked Sendable`: the socket descriptors are immutable or guarded by `lock`.
public final class ThrottledProxy: @unchecked Sendable {
    /// The proxy's base URL, `http://127.0.0.1:<port>`.
    public let url: String
    /// The port it listens on.
    public let port: Int
    /// The loopback port it forwards to.
    public let targetPort: Int
    /// The most bytes per second each connection receives from the server.
    public let bytesPerSecond: Int

    private let listener: Int32
    private let lock = NSLock()
    private var open: Set<Int32> = []
    private var closed = false

    /// Listens on a free loopback port and forwards to `127.0.0.1:targetPort`, answers paced at
    /// `bytesPerSecond` per connection.
    /// - Throws: ``ProcessTestError/socket(_:)`` when the listening socket cannot be made.
    public init(toPort targetPort: Int, bytesPerSecond: Int) throws {
        precondition(bytesPerSecond > 0, "a rate of \(bytesPerSecond) bytes per second")
        self.targetPort = targetPort
        self.bytesPerSecond = bytesPerSecond
        let fd = tcpSocket()
        guard fd >= 0 else { throw ProcessTestError.socket("socket(): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: 0)
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
        guard bound == 0, listen(fd, 64) == 0 else {
            let code = errno
            closeSocket(fd)
            throw ProcessTestError.socket("bind/listen on 127.0.0.1: errno \(code)")
        }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        url = "http://127.0.0.1:\(port)"
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Stops accepting and closes every open connection (both ends see a reset or end of file).
    /// The proxy's threads hold it until then: call this when the test is done with it.
    public func close() {
        let toClose = lock.withLock { () -> [Int32]? in
            guard !closed else { return nil }
            closed = true
            defer { open = [] }
            return Array(open)
        }
        guard let toClose else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in toClose { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: - Connections

    private func acceptLoop() {
        defer { closeSocket(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let server = tcpSocket()
            var address = loopbackAddress(port: targetPort)
            let connected = server >= 0 && withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            let admitted = connected && lock.withLock { () -> Bool in
                guard !closed else { return false }
                open.formUnion([client, server])
                return true
            }
            guard admitted else {
                closeSocket(client)
                if server >= 0 { closeSocket(server) }
                if lock.withLock({ closed }) { return }
                continue
            }
            // Both pumps end before the descriptors are closed, so neither reads a reused number.
            let done = DispatchGroup()
            for (from, to, paced) in [(client, server, false), (server, client, true)] {
                done.enter()
                Thread.detachNewThread { [self] in
                    pump(from: from, to: to, paced: paced)
                    done.leave()
                }
            }
            Thread.detachNewThread { [self] in
                done.wait()
                lock.withLock { open.subtract([client, server]) }
                closeSocket(client)
                closeSocket(server)
            }
        }
    }

    /// Copies `from` to `to` until either end closes; when `paced`, sleeps so that the bytes
    /// sent never run ahead of `bytesPerSecond` since the first.
    private func pump(from: Int32, to: Int32, paced: Bool) {
        let piece = paced ? max(1, min(16 * 1024, bytesPerSecond / 20)) : 64 * 1024
        var buffer = [UInt8](repeating: 0, count: piece)
        var sent = 0
        var started: ContinuousClock.Instant?
        loop: while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, piece) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            if paced {
                let start = started ?? .now
                started = start
                let due = start + .microseconds(Int64(sent) * 1_000_000 / Int64(bytesPerSecond))
                let wait = due - .now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18) }
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { bytes in
                    bytes.baseAddress.map { send(to, $0 + offset, count - offset, Int32(MSG_NOSIGNAL)) } ?? -1
                }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { break loop }
                offset += written
            }
            sent += count
        }
        // Either end closing ends the connection (HTTP does not half-close): the other pump's
        // read returns too, and the closing thread closes both descriptors.
        shutdown(to, Int32(SHUT_RDWR))
        shutdown(from, Int32(SHUT_RDWR))
    }
}

/// `close(2)`, named apart from ``ThrottledProxy/close()``.
private func closeSocket(_ fd: Int32) { close(fd) }
