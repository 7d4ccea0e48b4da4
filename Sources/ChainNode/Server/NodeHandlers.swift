import Foundation
import Hummingbird
import LedgerCore

/// The endpoint handlers of ``NodeServer``.
struct NodeHandlers: Sendable {
    let node: Node

    /// The most blocks one `GET /blocks` page holds.
    static let maxPage: UInt64 = 100
    /// The longest a submit with `wait` or an event-less stream waits, in seconds.
    static let maxWait: UInt64 = 120

    // MARK: - Transactions

    func submit(_ request: Request, _ context: NodeRequestContext) async throws -> Response {
        var request = request
        let bytes = try await collect(&request)
        let raw: [UInt8]
        if request.headers[.contentType]?.hasPrefix("application/octet-stream") == true {
            raw = bytes
        } else {
            let body: NodeAPI.SubmitRequest = try decode(bytes)
            do { raw = try Hex.decode(strip0x(body.transaction), field: "transaction") } catch {
                throw NodeError.badRequest("\(error); expected the transaction's canonical RLP bytes in 0x hex")
            }
        }
        let tx: SignedTransaction
        do { tx = try SignedTransaction(encoded: raw) } catch { throw NodeError.badRequest("transaction: \(error)") }
        let sender: Address
        do { sender = try tx.recoverSender() } catch { throw NodeError.refusal(error) }
        let wait = try flag("wait", request)
        let timeout = try integer("timeout", request) ?? 30
        guard timeout <= NodeHandlers.maxWait else {
            throw NodeError.badRequest("timeout: \(timeout) s; expected at most \(NodeHandlers.maxWait)")
        }
        let hash = try await node.submit(tx, sender: sender)
        let status: TransactionStatus?
        if wait {
            status = try await node.waitForOutcome(of: hash, timeout: .seconds(Int64(timeout)))
        } else {
            status = try await node.status(of: hash)
        }
        return statusResponse(hash, status ?? .pending)
    }

    func statusResponse(_ hash: Hash32, _ status: TransactionStatus) -> Response {
        let body = NodeAPI.TransactionStatusBody(hash: hash, status: status)
        switch status {
        case .pending: return NodeServer.json(body, status: 202)
        case .included: return NodeServer.json(body)
        case .refused: return NodeServer.json(body, status: 422)
        }
    }

    func transaction(_ request: Request, _ context: NodeRequestContext) async throws -> Response {
        let hash: Hash32
        do { hash = try Hash32(hex: try parameter("hash", context), field: "hash") } catch let e as HexError {
            throw NodeError.badRequest("\(e); expected a 0x-prefixed 32-byte transaction hash")
        }
        guard let status = try await node.status(of: hash) else {
            throw NodeError.notFound("hash: no transaction \(hash) is pending, included or refused on this node")
        }
        let wait = try flag("wait", request)
        if wait, !status.isFinal {
            let timeout = try integer("timeout", request) ?? 30
            guard timeout <= NodeHandlers.maxWait else { throw NodeError.badRequest("timeout: \(timeout) s; expected at most \(NodeHandlers.maxWait)") }
            return statusResponse(hash, try await node.waitForOutcome(of: hash, timeout: .seconds(Int64(timeout))) ?? status)
        }
        var response = statusResponse(hash, status)
        if case .refused = status { response.status = .ok }  // the lookup succeeded; the body says refused
        return response
    }

    // MARK: - Reads

    func head() async throws -> Response {
        let chain = node.chain
        let state = chain.state
        let stateHash: Hash32
        do { stateHash = try state.stateHash(registry: chain.registry) } catch { throw NodeError.internalFailure("state hash: \(error)") }
        let body = NodeAPI.Head(
            chainID: chain.chainID, height: state.height, hash: state.lastBlockHash, timestamp: state.timestamp, stateHash: stateHash,
            pending: await node.pendingCount, dev: node.configuration.dev, modules: chain.registry.names,
            following: await node.followStatus.map(NodeAPI.Following.init))
        return NodeServer.json(body)
    }

    func account(_ context: NodeRequestContext) async throws -> Response {
        let text = try parameter("address", context)
        let address: Address
        do { address = try Address(text) } catch { throw NodeError.badRequest("address: \(error)") }
        let ledger = node.chain.state.ledger
        let balances = ledger.tokens.sorted.map { id, token in
            NodeAPI.Balance(token: id, balance: ledger.balance(of: address, in: id), decimals: token.decimals)
        }
        let body = NodeAPI.Account(
            address: address, nonce: node.chain.nonce(of: address), pendingNonce: await node.pendingNonce(of: address), balances: balances)
        return NodeServer.json(body)
    }

    func block(_ context: NodeRequestContext) async throws -> Response {
        let text = try parameter("height", context)
        guard let height = UInt64(text) else { throw NodeError.badRequest("height: \"\(text.prefix(40))\" is not an unsigned integer") }
        let block: Block?
        do { block = try node.chain.store.block(at: height) } catch { throw NodeError.internalFailure("reading block \(height): \(error)") }
        guard let block else { throw NodeError.notFound("height: no block \(height); the head is \(node.chain.height)") }
        return NodeServer.json(NodeAPI.BlockBody(block))
    }

    func blocks(_ request: Request) async throws -> Response {
        let from = try integer("from", request) ?? 0
        let to = try integer("to", request) ?? .max
        guard from <= to else { throw NodeError.badRequest("from: \(from) is above to: \(to); expected from <= to") }
        let last = min(to, from &+ NodeHandlers.maxPage - 1, node.chain.height)
        var out: [NodeAPI.BlockBody] = []
        if from <= last {
            do {
                for height in from...last {
                    if let block = try node.chain.store.block(at: height) { out.append(NodeAPI.BlockBody(block)) }
                }
            } catch { throw NodeError.internalFailure("reading blocks from \(from): \(error)") }
        }
        let more = last < min(to, node.chain.height) && from <= last
        return NodeServer.json(NodeAPI.BlockPage(blocks: out, next: more ? last + 1 : nil))
    }

    func events(_ request: Request) async throws -> Response {
        let from = try integer("from", request) ?? 0
        let to = try integer("to", request) ?? .max
        let kind = request.uri.queryParameters.get("kind")
        let account: Address?
        if let text = request.uri.queryParameters.get("account") {
            do { account = try Address(text) } catch { throw NodeError.badRequest("account: \(error)") }
        } else {
            account = nil
        }
        let records: [Chain.EventRecord]
        do { records = try node.chain.events(from: from, to: to, account: account, kind: kind) } catch {
            throw NodeError.internalFailure("reading events: \(error)")
        }
        let body = NodeAPI.EventPage(events: records.map {
            NodeAPI.EventRecord(height: $0.height, timestamp: $0.timestamp, transactionHash: $0.transactionHash, event: $0.event)
        })
        return NodeServer.json(body)
    }

    // MARK: - Stream

    /// Server-Sent Events: every block from `from` (or after `Last-Event-ID`) on, each as a
    /// `block` message followed by one `event` message per event, then new ones as they come;
    /// with `to`, the stream ends after that block.
    func stream(_ request: Request) async throws -> Response {
        var from = try integer("from", request) ?? 0
        if let text = request.headers.first(where: { $0.name.canonicalName == "last-event-id" })?.value {
            guard let last = UInt64(text) else { throw NodeError.badRequest("Last-Event-ID: \"\(text.prefix(40))\" is not a block height") }
            from = last &+ 1
        }
        let end = try integer("to", request) ?? .max
        guard from <= end else { throw NodeError.badRequest("from: \(from) is above to: \(end); expected from <= to") }
        let node = self.node
        let start = from
        let body = ResponseBody { writer in
            var next = start
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !Task.isCancelled, next <= end {
                let head = await node.head
                if head >= next {
                    // Catch up a bounded page at a time, then wait for the next block.
                    let last = min(head, end, next &+ NodeHandlers.maxPage - 1)
                    let before = next
                    for height in next...last {
                        guard let block = try node.chain.store.block(at: height) else { break }
                        try await writer.write(ByteBuffer(string: Self.message(block)))
                        next = height + 1
                    }
                    if next == before { try await Task.sleep(for: .milliseconds(100)) }
                    continue
                }
                if await node.waitForHead(above: head, timeout: .seconds(15)) == head {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body)
    }

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

    // MARK: - Chain time

    func warp(_ request: Request, _ context: NodeRequestContext) async throws -> Response {
        var request = request
        let body: NodeAPI.WarpRequest = try decode(try await collect(&request))
        let block = try await node.warp(by: body.seconds)
        return NodeServer.json(NodeAPI.BlockBody(block))
    }

    // MARK: - Input

    func parameter(_ name: String, _ context: NodeRequestContext) throws(NodeError) -> String {
        guard let value = context.parameters.get(name) else { throw .badRequest("\(name): missing from the path") }
        return value
    }

    func integer(_ name: String, _ request: Request) throws(NodeError) -> UInt64? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let value = UInt64(text) else { throw .badRequest("\(name): \"\(text.prefix(40))\" is not an unsigned integer") }
        return value
    }

    func flag(_ name: String, _ request: Request) throws(NodeError) -> Bool {
        guard let text = request.uri.queryParameters.get(name) else { return false }
        switch text {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw .badRequest("\(name): \"\(text.prefix(40))\"; expected true or false")
        }
    }

    func strip0x(_ text: String) -> String {
        text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
    }

    func collect(_ request: inout Request) async throws -> [UInt8] {
        let limit = node.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw NodeError.payloadTooLarge("body: \(length) bytes; expected at most \(limit)")
        }
        do {
            return Array(try await request.collectBody(upTo: limit).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw NodeError.payloadTooLarge("body: larger than \(limit) bytes")
        }
    }

    func decode<T: Decodable>(_ bytes: [UInt8]) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let error as DecodingError {
            throw NodeError.badRequest("body: \(CanonicalJSON.describeBody(error)); see /openapi.json for the schema")
        }
    }

}
