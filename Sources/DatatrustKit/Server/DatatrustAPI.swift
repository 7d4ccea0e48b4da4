import Foundation
import LedgerCore
import OpenAPIRuntime

/// The datatrust's operations as the generated `APIProtocol` (Generated/Server.swift): each
/// handler takes the documented input and returns the documented success; a refusal is thrown
/// as a ``DatatrustError`` and answered by the server's edge (`DatatrustEdge`) with the JSON error body and
/// the error's status (each of which the document lists for the operation).
struct DatatrustAPI: APIProtocol {
    let datatrust: Datatrust

    /// Plaintext handed to the response per chunk: 1 MiB (16 vault chunks). Each chunk is one
    /// pass through the transport and one write to the socket, so the client is woken once per
    /// megabyte rather than per 64 KiB: with 64 KiB chunks a 1 GiB GET_DATAPOINT made 16,384
    /// such passes, and their wake-ups on both sides kept the client's hash off its core.
    /// The transport copies each chunk into a `ByteBuffer` of its own. With glibc's allocator
    /// untuned, a profile once found fresh zeroed pages for every such 1 MiB buffer; a serving
    /// process tunes it first (``ProcessAllocator``, 2 MiB thresholds), so the buffer is reused.
    static let responseChunkBytes = 16 * VaultFileFormat.chunkBytes

    // MARK: - Login and markets

    func authNonce(_ input: Operations.AuthNonce.Input) async throws -> Operations.AuthNonce.Output {
        .ok(.init(body: .json(try await datatrust.makeNonce())))
    }

    func authToken(_ input: Operations.AuthToken.Input) async throws -> Operations.AuthToken.Output {
        guard case .json(let request) = input.body else { throw DatatrustError.badRequest("body: expected JSON") }
        return .ok(.init(body: .json(try await datatrust.issueToken(request))))
    }

    func marketsSupported(_ input: Operations.MarketsSupported.Input) async throws -> Operations.MarketsSupported.Output {
        .ok(.init(body: .json(try await datatrust.marketsSupported())))
    }

    func getSchema(_ input: Operations.GetSchema.Input) async throws -> Operations.GetSchema.Output {
        .ok(.init(body: .json(try datatrust.schema(of: input.path.market))))
    }

    // MARK: - Datapoints

    /// ADD_DATAPOINT: the body is read as it arrives, straight into the upload (schema check,
    /// Keccak-256, encryption into a temporary vault file); nothing holds the whole body.
    func addDatapoint(_ input: Operations.AddDatapoint.Input) async throws -> Operations.AddDatapoint.Output {
        let caller = try await RequestFacts.current.authenticated(by: datatrust)
        var declared: Hash32?
        if let text = input.query.dataHash {
            do { declared = try Hash32(hex: text, field: "dataHash") } catch { throw DatatrustError.badRequest(error.description) }
        }
        guard case .binary(let body) = input.body else {
            throw DatatrustError.badRequest("Content-Type: expected application/octet-stream")
        }
        var length: Int64?
        if case .known(let value) = body.length { length = value }
        let upload: DatapointUpload
        do {
            switch try await datatrust.beginAdd(market: input.path.market, dataHash: declared, declaredSize: length, caller: caller) {
            case .finished(let result): return .created(.init(body: .json(result)))
            case .upload(let started): upload = started
            }
        } catch DatatrustError.payloadTooLarge(let detail) {
            // Refused before reading the body: close the connection instead of draining it.
            throw ClosingConnection(error: .payloadTooLarge(detail))
        }
        for try await chunk in body {
            await upload.roomToAppend(chunk.count)
            // Refused mid-body (too large, a row that breaks the schema): the rest is not read.
            if let error = Self.append(chunk, to: upload) { throw ClosingConnection(error: error) }
        }
        return .created(.init(body: .json(try await datatrust.finishAdd(upload))))
    }

    static func append(_ chunk: HTTPBody.ByteChunk, to upload: DatapointUpload) -> DatatrustError? {
        chunk.withUnsafeBytes { (bytes) -> DatatrustError? in
            do throws(DatatrustError) { try upload.append(bytes) } catch { return error }
            return nil
        }
    }

    /// GET_DATAPOINT: authenticated chunks sent as they are decrypted, with the size as
    /// `Content-Length`. A chunk that fails authentication (or a file without its final tag)
    /// ends the response short (the connection is closed), so a client never takes a tampered
    /// datapoint for a whole one; the client checks Keccak-256 of what it receives.
    func getDatapoint(_ input: Operations.GetDatapoint.Input) async throws -> Operations.GetDatapoint.Output {
        let caller = try await RequestFacts.current.authenticated(by: datatrust)
        var job: UInt64?
        if let value = input.query.job {
            guard let unsigned = UInt64(exactly: value) else { throw DatatrustError.badRequest("job: \(value) is not an unsigned integer") }
            job = unsigned
        }
        let download = try await datatrust.openDatapoint(market: input.path.market, dataHash: input.path.dataHash, caller: caller, job: job)
        let body = HTTPBody(DownloadChunks(download: UncheckedSendableBox(download), chunkBytes: Self.responseChunkBytes),
                            length: .known(download.size), iterationBehavior: .single)
        return .ok(.init(body: .binary(body)))
    }

    func removeDatapoint(_ input: Operations.RemoveDatapoint.Input) async throws -> Operations.RemoveDatapoint.Output {
        let caller = try await RequestFacts.current.authenticated(by: datatrust)
        return .ok(.init(body: .json(try await datatrust.removeDatapoint(market: input.path.market, dataHash: input.path.dataHash, caller: caller))))
    }

    // MARK: - Queries

    func runQuery(_ input: Operations.RunQuery.Input) async throws -> Operations.RunQuery.Output {
        let caller = try await RequestFacts.current.authenticated(by: datatrust)
        guard case .json(let request) = input.body else { throw DatatrustError.badRequest("body: expected JSON") }
        return .ok(.init(body: .json(try await datatrust.runQuery(request, caller: caller))))
    }

    func getComputeCost(_ input: Operations.GetComputeCost.Input) async throws -> Operations.GetComputeCost.Output {
        let caller = try await RequestFacts.current.optionallyAuthenticated(by: datatrust)
        guard case .json(let request) = input.body else { throw DatatrustError.badRequest("body: expected JSON") }
        return .ok(.init(body: .json(try await datatrust.computeCost(request, caller: caller))))
    }

    func getEpsilon(_ input: Operations.GetEpsilon.Input) async throws -> Operations.GetEpsilon.Output {
        let caller = try await RequestFacts.current.optionallyAuthenticated(by: datatrust)
        guard case .json(let request) = input.body else { throw DatatrustError.badRequest("body: expected JSON") }
        return .ok(.init(body: .json(try await datatrust.epsilon(request, caller: caller))))
    }
}

/// A download's authenticated plaintext as the chunks of a response body, each up to
/// `chunkBytes`, decrypted straight into one buffer that every chunk reuses: the transport
/// copies a chunk into its own buffer and lets it go before asking for the next, so the
/// buffer is unshared again when it is refilled (were it still shared, the refill would copy
/// it first rather than change bytes somebody holds). Iterated once (the body's
/// `iterationBehavior` is `.single`).
struct DownloadChunks: AsyncSequence, Sendable {
    typealias Element = HTTPBody.ByteChunk
    let download: UncheckedSendableBox<DatapointDownload>
    let chunkBytes: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let download: DatapointDownload
        var buffer: [UInt8]
        var done = false

        mutating func next() async throws -> HTTPBody.ByteChunk? {
            guard !done else { return nil }
            let download = download
            let filled: Result<Int, DatatrustError> = buffer.withUnsafeMutableBytes { bytes in
                do throws(DatatrustError) { return .success(try download.fill(bytes)) } catch { return .failure(error) }
            }
            let count = try filled.get()
            if count == 0 { done = true }
            return count == 0 ? nil : buffer[0..<count]
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(download: download.value, buffer: [UInt8](repeating: 0, count: chunkBytes))
    }
}
