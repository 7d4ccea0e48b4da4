import Foundation
import LedgerCore

/// The body of `GET /stream`: Server-Sent Events pulled block by block from the node as the
/// client reads them. The first chunk sets the client's reconnection delay; each later chunk is
/// up to a page of blocks (each a `block` message with `id:` its height, then one `event`
/// message per event), or a keep-alive comment after 15 s without a new block. The sequence ends
/// after block `to`, when the reading task is cancelled (the client went away), or when the
/// node shuts down.
struct BlockEventStream: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>

    let node: Node
    let from: UInt64
    let to: UInt64

    func makeAsyncIterator() -> Iterator {
        Iterator(node: node, height: from, end: to)
    }

    struct Iterator: AsyncIteratorProtocol {
        let node: Node
        /// The next height to send.
        var height: UInt64
        let end: UInt64
        var greeted = false
        /// Whether the last block (`end`) has been sent.
        var finished = false

        mutating func next() async throws -> ArraySlice<UInt8>? {
            if !greeted {
                greeted = true
                return ArraySlice("retry: 1000\n\n".utf8)
            }
            // A node shutting down ends every stream, so SIGTERM is not held up by its readers.
            while !finished, !Task.isCancelled, height <= end, await !node.isShuttingDown {
                let head = await node.head
                if head >= height {
                    // Catch up a bounded page at a time, then wait for the next block.
                    let last = Swift.min(head, end, height &+ NodeHandlers.maxPage - 1)
                    var text = ""
                    for h in height...last {
                        guard let block = try node.chain.store.block(at: h) else { break }
                        text += BlockEventStream.message(block)
                        if h == .max { finished = true } else { height = h + 1 }
                    }
                    if text.isEmpty {
                        try await Task.sleep(for: .milliseconds(100))
                        continue
                    }
                    return ArraySlice(text.utf8)
                }
                if await node.waitForHead(above: head, timeout: .seconds(15)) == head {
                    return ArraySlice(": keep-alive\n\n".utf8)
                }
            }
            return nil
        }
    }

    /// The messages of `block`: the block, then its events in order.
    static func message(_ block: Block) -> String {
        var text = "id: \(block.height)\nevent: block\ndata: "
        text += String(decoding: (try? NodeServer.encoder.encode(NodeAPI.BlockBody(block))) ?? Data("{}".utf8), as: UTF8.self)
        text += "\n\n"
        for receipt in block.receipts {
            for event in receipt.events {
                let record = NodeAPI.EventRecord(height: block.height, timestamp: block.header.timestamp, transactionHash: receipt.transactionHash, event: event)
                text += "event: event\ndata: "
                text += String(decoding: (try? NodeServer.encoder.encode(record)) ?? Data("{}".utf8), as: UTF8.self)
                text += "\n\n"
            }
        }
        return text
    }
}
