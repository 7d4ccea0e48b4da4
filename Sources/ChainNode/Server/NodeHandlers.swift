import Foundation
import LedgerCore
import OpenAPIRuntime

/// The node's operations, as the code generated from `Resources/openapi.json` calls them
/// (``APIProtocol``): each decodes nothing itself, calls the ``Node`` and answers with one of
/// the outputs the document declares. A failure is thrown as a ``NodeError``, which
/// ``NodeErrorMiddleware`` turns into the JSON error body with its status.
struct NodeHandlers: APIProtocol {
    let node: Node

    /// The most blocks one `GET /blocks` page holds.
    static let maxPage: UInt64 = 100
    /// The longest a submit with `wait` or an event-less stream waits, in seconds.
    static let maxWait: UInt64 = 120

    // MARK: - Document

    /// The committed document, parsed once.
    static let document: OpenAPIObjectContainer? = NodeServer.openAPIDocument().flatMap {
        try? JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data($0))
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        guard let document = Self.document else { throw NodeError.internalFailure("openapi.json is missing from the bundle") }
        return .ok(.init(body: .json(document)))
    }

    // MARK: - Transactions

    func submitTransaction(_ input: Operations.SubmitTransaction.Input) async throws -> Operations.SubmitTransaction.Output {
        let raw: [UInt8]
        switch input.body {
        case .binary(let body):
            // NodeErrorMiddleware has already held the body to the size limit.
            raw = Array(try await Data(collecting: body, upTo: node.configuration.maxBodyBytes))
        case .json(let body):
            do { raw = try Hex.decode(strip0x(body.transaction), field: "transaction") } catch {
                throw NodeError.badRequest("\(error); expected the transaction's canonical RLP bytes in 0x hex")
            }
        }
        let tx: SignedTransaction
        do { tx = try SignedTransaction(encoded: raw) } catch { throw NodeError.badRequest("transaction: \(error)") }
        let sender: Address
        do { sender = try tx.recoverSender() } catch { throw NodeError.refusal(error) }
        let timeout = try waitTimeout(input.query.timeout)
        let hash = try await node.submit(tx, sender: sender)
        let status: TransactionStatus?
        if input.query.wait == true {
            status = try await node.waitForOutcome(of: hash, timeout: .seconds(Int64(timeout)))
        } else {
            status = try await node.status(of: hash)
        }
        let body = NodeAPI.TransactionStatusBody(hash: hash, status: status ?? .pending)
        switch status ?? .pending {
        case .pending: return .accepted(.init(body: .json(body)))
        case .included: return .ok(.init(body: .json(body)))
        case .refused: return .unprocessableContent(.init(body: .json(.init(value2: body))))
        }
    }

    func getTransaction(_ input: Operations.GetTransaction.Input) async throws -> Operations.GetTransaction.Output {
        let hash: Hash32
        do { hash = try Hash32(hex: input.path.hash, field: "hash") } catch {
            throw NodeError.badRequest("\(error); expected a 0x-prefixed 32-byte transaction hash")
        }
        guard var status = try await node.status(of: hash) else {
            throw NodeError.notFound("hash: no transaction \(hash) is pending, included or refused on this node")
        }
        if input.query.wait == true, !status.isFinal {
            let timeout = try waitTimeout(input.query.timeout)
            status = try await node.waitForOutcome(of: hash, timeout: .seconds(Int64(timeout))) ?? status
        }
        // The lookup succeeded whatever the outcome: a refusal is 200 with status "refused".
        let body = NodeAPI.TransactionStatusBody(hash: hash, status: status)
        if case .pending = status { return .accepted(.init(body: .json(body))) }
        return .ok(.init(body: .json(body)))
    }

    // MARK: - Reads

    func getHead(_ input: Operations.GetHead.Input) async throws -> Operations.GetHead.Output {
        let chain = node.chain
        let state = chain.state
        let stateHash: Hash32
        do { stateHash = try state.stateHash(registry: chain.registry) } catch { throw NodeError.internalFailure("state hash: \(error)") }
        let body = NodeAPI.Head(
            chainID: chain.chainID, height: state.height, hash: state.lastBlockHash, timestamp: state.timestamp, stateHash: stateHash,
            pending: await node.pendingCount, dev: node.configuration.dev, modules: chain.registry.names,
            following: await node.followStatus.map(NodeAPI.Following.init))
        return .ok(.init(body: .json(body)))
    }

    func getAccount(_ input: Operations.GetAccount.Input) async throws -> Operations.GetAccount.Output {
        let address = input.path.address
        let ledger = node.chain.state.ledger
        let balances = ledger.tokens.sorted.map { id, token in
            NodeAPI.Balance(token: id, balance: ledger.balance(of: address, in: id), decimals: token.decimals)
        }
        let body = NodeAPI.Account(
            address: address, nonce: node.chain.nonce(of: address), pendingNonce: await node.pendingNonce(of: address), balances: balances)
        return .ok(.init(body: .json(body)))
    }

    func getBlock(_ input: Operations.GetBlock.Input) async throws -> Operations.GetBlock.Output {
        let height = input.path.height
        let block: Block?
        do { block = try node.chain.store.block(at: height) } catch { throw NodeError.internalFailure("reading block \(height): \(error)") }
        guard let block else { throw NodeError.notFound("height: no block \(height); the head is \(node.chain.height)") }
        return .ok(.init(body: .json(NodeAPI.BlockBody(block))))
    }

    func getBlocks(_ input: Operations.GetBlocks.Input) async throws -> Operations.GetBlocks.Output {
        let from = input.query.from ?? 0
        let to = input.query.to ?? .max
        guard from <= to else { throw NodeError.badRequest("from: \(from) is above to: \(to); expected from <= to") }
        let last = min(to, from &+ Self.maxPage - 1, node.chain.height)
        if Self.prefersBinary(input.headers.accept) { return try binaryBlocks(from: from, through: last) }
        var out: [NodeAPI.BlockBody] = []
        if from <= last {
            do {
                for height in from...last {
                    if let block = try node.chain.store.block(at: height) { out.append(NodeAPI.BlockBody(block)) }
                }
            } catch { throw NodeError.internalFailure("reading blocks from \(from): \(error)") }
        }
        let more = last < min(to, node.chain.height) && from <= last
        return .ok(.init(body: .json(NodeAPI.BlockPage(blocks: out, next: more ? last + 1 : nil))))
    }

    func getEvents(_ input: Operations.GetEvents.Input) async throws -> Operations.GetEvents.Output {
        let from = input.query.from ?? 0
        let to = input.query.to ?? .max
        let records: [Chain.EventRecord]
        do { records = try node.chain.events(from: from, to: to, account: input.query.account, kind: input.query.kind) } catch {
            throw NodeError.internalFailure("reading events: \(error)")
        }
        let body = NodeAPI.EventPage(events: records.map {
            NodeAPI.EventRecord(height: $0.height, timestamp: $0.timestamp, transactionHash: $0.transactionHash, event: $0.event)
        })
        return .ok(.init(body: .json(body)))
    }

    // MARK: - Stream

    /// Server-Sent Events: every block from `from` (or after `Last-Event-ID`) on, each as a
    /// `block` message followed by one `event` message per event, then new ones as they come;
    /// with `to`, the stream ends after that block.
    func streamBlocks(_ input: Operations.StreamBlocks.Input) async throws -> Operations.StreamBlocks.Output {
        var from = input.query.from ?? 0
        if let last = input.headers.lastEventID { from = last &+ 1 }
        let end = input.query.to ?? .max
        guard from <= end else { throw NodeError.badRequest("from: \(from) is above to: \(end); expected from <= to") }
        let stream = BlockEventStream(node: node, from: from, to: end)
        return .ok(.init(body: .textEventStream(HTTPBody(stream, length: .unknown, iterationBehavior: .single))))
    }

    // MARK: - Chain time

    func warpChain(_ input: Operations.WarpChain.Input) async throws -> Operations.WarpChain.Output {
        let seconds: UInt64
        switch input.body {
        case .json(let body): seconds = body.seconds
        }
        let block = try await node.warp(by: seconds)
        return .ok(.init(body: .json(NodeAPI.BlockBody(block))))
    }

    // MARK: - Input

    /// The seconds a `wait` may last: `timeout` (default 30), at most ``maxWait``.
    func waitTimeout(_ timeout: UInt64?) throws(NodeError) -> UInt64 {
        let timeout = timeout ?? 30
        guard timeout <= Self.maxWait else { throw .badRequest("timeout: \(timeout) s; expected at most \(Self.maxWait)") }
        return timeout
    }

    func strip0x(_ text: String) -> String {
        text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
    }
}
