import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerCore

/// A Swift client of the datatrust REST API (URLSession), for `dmctl` and users' services.
///
/// ```swift
/// var client = DatatrustClient(baseURL: URL(string: "http://127.0.0.1:8080")!)
/// try await client.login(with: key)
/// let bytes = try await client.getDatapoint(market: "heart", dataHash: hash)
/// ```
public struct DatatrustClient: Sendable {
    /// The server's base URL.
    public let baseURL: URL
    /// The bearer token after ``login(with:)``.
    public var token: String?
    let session: URLSession

    /// A client of the server at `baseURL`.
    public init(baseURL: URL, token: String? = nil, session: URLSession = .shared) {
        self.baseURL = baseURL
        self.token = token
        self.session = session
    }

    // MARK: - Transport

    /// Sends a request; returns the body of a 2xx answer.
    /// - Throws: the server's ``DatatrustError`` for an error answer; ``DatatrustError/internalFailure(_:)``
    ///   when the server cannot be reached.
    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], body: Data? = nil, contentType: String = "application/json") async throws(DatatrustError) -> Data {
        var request = try makeRequest(method, path, query: query)
        request.httpBody = body
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw .internalFailure("cannot reach the datatrust at \(baseURL): \(error.localizedDescription)")
        }
        return try Self.checked(data, response)
    }

    /// A request to `path` with `query`, carrying the bearer token when logged in.
    func makeRequest(_ method: String, _ path: String, query: [URLQueryItem] = []) throws(DatatrustError) -> URLRequest {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw .badRequest("url: cannot build \(baseURL)\(path)")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw .badRequest("url: cannot build \(baseURL)\(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    /// `data` when `response` is a 2xx answer; else the server's error.
    static func checked(_ data: Data, _ response: URLResponse) throws(DatatrustError) -> Data {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            if let body = try? JSONDecoder().decode(ErrorBody.self, from: data) {
                throw DatatrustError(status: status, code: body.error, detail: body.detail)
            }
            throw DatatrustError(status: status, code: "http", detail: String(decoding: data.prefix(200), as: UTF8.self))
        }
        return data
    }

    func json<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, query: [URLQueryItem] = [], body: (any Encodable)? = nil) async throws(DatatrustError) -> T {
        var payload: Data?
        if let body {
            do { payload = try JSONEncoder().encode(body) } catch { throw .badRequest("body: \(error)") }
        }
        let data = try await send(method, path, query: query, body: payload)
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw .internalFailure("response of \(method) \(path): not the documented JSON (\(error))")
        }
    }

    // MARK: - Endpoints

    /// AUTHENTICATE: asks for a nonce, signs the login message with `key`, keeps the token.
    @discardableResult
    public mutating func login(with key: PrivateKey) async throws(DatatrustError) -> TokenGrant {
        let challenge = try await json(NonceChallenge.self, "POST", "/auth/nonce")
        let request = TokenRequest(address: key.address.checksummed, nonce: challenge.nonce, signature: key.signPersonalMessage(challenge.message).hex)
        let grant = try await json(TokenGrant.self, "POST", "/auth/token", body: request)
        token = grant.token
        return grant
    }

    /// MARKETS_SUPPORTED.
    public func markets() async throws(DatatrustError) -> [MarketSummary] { try await json([MarketSummary].self, "GET", "/markets") }

    /// GET_SCHEMA.
    public func schema(market: String) async throws(DatatrustError) -> MarketSchema {
        try await json(MarketSchema.self, "GET", "/markets/\(market)/schema")
    }

    /// ADD_DATAPOINT of bytes in memory, declaring their Keccak-256 (see ``addDatapoint(file:market:dataHash:progress:)`` for large data).
    public func addDatapoint(_ data: [UInt8], market: String) async throws(DatatrustError) -> AddResult {
        let body = try await send("POST", "/markets/\(market)/datapoints", query: [URLQueryItem(name: "dataHash", value: Keccak256.hash(data).hex)],
                                  body: Data(data), contentType: "application/octet-stream")
        do { return try JSONDecoder().decode(AddResult.self, from: body) } catch { throw .internalFailure("add: unexpected response (\(error))") }
    }

    /// GET_DATAPOINT; verifies Keccak-256 of the bytes received.
    public func getDatapoint(market: String, dataHash: Hash32, job: UInt64? = nil) async throws(DatatrustError) -> [UInt8] {
        let data = try await send("GET", "/markets/\(market)/datapoints/\(dataHash.hex)", query: job.map { [URLQueryItem(name: "job", value: "\($0)")] } ?? [])
        let bytes = [UInt8](data)
        guard Keccak256.hash(bytes) == dataHash else {
            throw .integrity("dataHash: the server sent data hashing to \(Keccak256.hash(bytes).hex), expected \(dataHash.hex)")
        }
        return bytes
    }

    // MARK: - Streams to and from files

    /// Keccak-256 of the file at `url`, read in 1 MiB pieces; `progress` gets the bytes hashed so far.
    public static func hash(file url: URL, progress: (Int64) -> Void = { _ in }) throws(DatatrustError) -> (hash: Hash32, size: Int64) {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw .badRequest("file: cannot read \(url.path) (\(error.localizedDescription)); expected a readable file")
        }
        defer { try? handle.close() }
        var hasher = Keccak256()
        var size: Int64 = 0
        while true {
            let piece: Data?
            do { piece = try handle.read(upToCount: 1 << 20) } catch {
                throw .badRequest("file: cannot read \(url.path) (\(error.localizedDescription)); expected a readable regular file")
            }
            guard let piece, !piece.isEmpty else { break }
            piece.withUnsafeBytes { hasher.update($0) }
            size += Int64(piece.count)
            progress(size)
        }
        return (hasher.finalize(), size)
    }

    /// ADD_DATAPOINT streamed from a file: its Keccak-256 is computed first and declared
    /// (`?dataHash=`), so the server checks the listing before the upload and may accept up to
    /// the market's maximum datapoint size; the body is sent from the file, never held in memory.
    /// - Parameters:
    ///   - url: the file to upload.
    ///   - market: the market the datapoint is listed in.
    ///   - dataHash: the file's Keccak-256 when the caller already computed it (else it is computed here).
    ///   - progress: called with the bytes sent so far and the total, as the upload goes.
    public func addDatapoint(file url: URL, market: String, dataHash: Hash32? = nil,
                             progress: (@Sendable (_ sent: Int64, _ total: Int64) -> Void)? = nil) async throws(DatatrustError) -> AddResult {
        let hash: Hash32
        if let dataHash { hash = dataHash } else { hash = try Self.hash(file: url).hash }
        let size: Int64
        do { size = ((try FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0 } catch {
            throw .badRequest("file: cannot read \(url.path) (\(error.localizedDescription)); expected a readable file")
        }
        var request = try makeRequest("POST", "/markets/\(market)/datapoints", query: [URLQueryItem(name: "dataHash", value: hash.hex)])
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        request.setValue("\(size)", forHTTPHeaderField: "Content-Length")
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.upload(for: request, fromFile: url, delegate: progress.map(UploadProgress.init)) } catch {
            throw .internalFailure("cannot reach the datatrust at \(baseURL): \(error.localizedDescription)")
        }
        let body = try Self.checked(data, response)
        do { return try JSONDecoder().decode(AddResult.self, from: body) } catch { throw .internalFailure("add: unexpected response (\(error))") }
    }

    /// GET_DATAPOINT streamed to the file `destination`: the body goes to a temporary file
    /// beside it, is verified against `dataHash` (Keccak-256, read back in pieces) and only then
    /// renamed to `destination`; on any failure `destination` is left untouched.
    /// - Parameters:
    ///   - market: the market the datapoint is listed in.
    ///   - dataHash: the datapoint's Keccak-256.
    ///   - job: the paid job the download is for, when there is one.
    ///   - destination: the file to write.
    ///   - verifying: called with the bytes verified so far while the download is read back.
    /// - Returns: the bytes written.
    @discardableResult
    public func getDatapoint(market: String, dataHash: Hash32, job: UInt64? = nil, to destination: URL,
                             verifying: (Int64) -> Void = { _ in }) async throws(DatatrustError) -> Int64 {
        let request = try makeRequest("GET", "/markets/\(market)/datapoints/\(dataHash.hex)",
                                      query: job.map { [URLQueryItem(name: "job", value: "\($0)")] } ?? [])
        let downloaded: URL
        let response: URLResponse
        do { (downloaded, response) = try await session.download(for: request) } catch {
            throw .internalFailure("cannot reach the datatrust at \(baseURL): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let head = (try? FileHandle(forReadingFrom: downloaded)).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 64 << 10)
            } ?? Data()
            try? FileManager.default.removeItem(at: downloaded)
            _ = try Self.checked(head, response)
            throw .internalFailure("GET: status \(status)")
        }
        let staged = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).part")
        do {
            // The download lands in the system temporary folder; moveItem copies across file systems.
            try? FileManager.default.removeItem(at: staged)
            do { try FileManager.default.moveItem(at: downloaded, to: staged) } catch {
                try? FileManager.default.removeItem(at: downloaded)
                throw DatatrustError.internalFailure("file: cannot write \(staged.path) (\(error.localizedDescription))")
            }
            let (actual, size) = try Self.hash(file: staged, progress: verifying)
            guard actual == dataHash else {
                throw DatatrustError.integrity("dataHash: the server sent \(size) bytes hashing to \(actual.hex), expected \(dataHash.hex)")
            }
            if let expected = (response as? HTTPURLResponse)?.expectedContentLength, expected >= 0, expected != size {
                throw DatatrustError.integrity("body: \(size) bytes received, the server announced \(expected)")
            }
            try? FileManager.default.removeItem(at: destination)
            do { try FileManager.default.moveItem(at: staged, to: destination) } catch {
                throw DatatrustError.internalFailure("file: cannot write \(destination.path) (\(error.localizedDescription))")
            }
            return size
        } catch let error as DatatrustError {
            try? FileManager.default.removeItem(at: staged)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: staged)
            throw .internalFailure("\(error)")
        }
    }

    /// REMOVE_DATAPOINT.
    public func removeDatapoint(market: String, dataHash: Hash32) async throws(DatatrustError) -> RemoveResult {
        try await json(RemoveResult.self, "DELETE", "/markets/\(market)/datapoints/\(dataHash.hex)")
    }

    /// RUN_QUERY.
    public func query(_ request: QueryRequest) async throws(DatatrustError) -> QueryResult {
        try await json(QueryResult.self, "POST", "/query", body: request)
    }

    /// GET_COMPUTE_COST.
    public func computeCost(_ request: QueryRequest) async throws(DatatrustError) -> CostQuote {
        try await json(CostQuote.self, "POST", "/query/cost", body: request)
    }

    /// GET_EPSILON.
    public func epsilon(_ request: QueryRequest) async throws(DatatrustError) -> EpsilonQuote {
        try await json(EpsilonQuote.self, "POST", "/query/epsilon", body: request)
    }
}

/// Hands an upload's progress to a closure (URLSession's per-task delegate).
/// `@unchecked Sendable`: its only state is an immutable `@Sendable` closure.
final class UploadProgress: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let report: @Sendable (Int64, Int64) -> Void

    init(_ report: @escaping @Sendable (Int64, Int64) -> Void) { self.report = report }

    func urlSession(_ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64, totalBytesSent: Int64,
                    totalBytesExpectedToSend: Int64) {
        report(totalBytesSent, totalBytesExpectedToSend)
    }
}
