public import AsyncHTTPClient
public import Foundation
import HTTPTypes
public import LedgerCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import NIOCore

/// A Swift client of the datatrust REST API, for `dmctl` and users' services: the code
/// generated from the OpenAPI document (Generated/Client.swift) over async-http-client.
/// Datapoints stream from files in 1 MiB pieces and to files as they arrive, never held whole in memory.
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
    let httpClient: HTTPClient

    /// The pieces a datapoint is read from a file and sent in: 1 MiB, read into one buffer
    /// that every piece reuses. The HTTP client pays a cost per piece of a streamed body, so
    /// smaller pieces made a 1 GiB upload slower (the `large` benchmark).
    public static let chunkBytes = 1 << 20

    /// The connection pool clients share unless given their own: async-http-client's shared
    /// configuration, except that a refused connection fails the call at once (a datatrust that
    /// is not listening is reported, not retried until the call's deadline).
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A client of the server at `baseURL`.
    /// - Parameters:
    ///   - baseURL: the datatrust's address, e.g. `http://127.0.0.1:8080`.
    ///   - token: a bearer token from ``login(with:)``, when the calls need a logged-in caller.
    ///   - httpClient: the connection pool; ``sharedHTTPClient`` by default.
    public init(baseURL: URL, token: String? = nil, httpClient: HTTPClient = DatatrustClient.sharedHTTPClient) {
        self.baseURL = baseURL
        self.token = token
        self.httpClient = httpClient
    }

    // MARK: - Transport

    /// The generated client; `streaming` allows a datapoint's whole transfer before the answer
    /// (a JSON call must be answered within a minute).
    func client(streaming: Bool = false) -> Client {
        let transport = AsyncHTTPClientTransport(configuration: .init(client: httpClient, timeout: streaming ? .hours(24) : .minutes(1)))
        return Client(serverURL: baseURL, transport: transport, middlewares: [ClientMiddlewares.Authorization(token: token), ClientMiddlewares.ErrorAnswers()])
    }

    /// Runs one call of the generated client; what it throws becomes the server's
    /// ``DatatrustError`` (read by ``ClientMiddlewares/ErrorAnswers``) or
    /// ``DatatrustError/internalFailure(_:)`` when the server cannot be reached.
    func call<T>(_ body: () async throws -> T) async throws(DatatrustError) -> T {
        do { return try await body() } catch {
            throw translate(error)
        }
    }

    func translate(_ error: any Error) -> DatatrustError {
        var underlying = error
        if let client = error as? ClientError { underlying = client.underlyingError }
        if let error = underlying as? DatatrustError { return error }
        if let client = error as? ClientError, client.response != nil {
            return .internalFailure("\(client.operationID): the answer is not the documented one (\(client.causeDescription))")
        }
        return .internalFailure("cannot reach the datatrust at \(baseURL): \(underlying)")
    }

    /// An answer the document does not list for a call the server answered with success.
    static func undocumented(_ operation: String, _ status: Int) -> DatatrustError {
        .internalFailure("\(operation): status \(status), which the OpenAPI document does not list")
    }

    // MARK: - Endpoints

    /// AUTHENTICATE: asks for a nonce, signs the login message with `key`, keeps the token.
    @discardableResult
    public mutating func login(with key: PrivateKey) async throws(DatatrustError) -> TokenGrant {
        let client = client()
        let challenge = try await call { try await client.authNonce().ok.body.json }
        let request = TokenRequest(address: key.address.checksummed, nonce: challenge.nonce, signature: key.signPersonalMessage(challenge.message).hex)
        let grant = try await call { try await client.authToken(body: .json(request)).ok.body.json }
        token = grant.token
        return grant
    }

    /// MARKETS_SUPPORTED.
    public func markets() async throws(DatatrustError) -> [MarketSummary] {
        let client = client()
        return try await call { try await client.marketsSupported().ok.body.json }
    }

    /// GET_SCHEMA.
    public func schema(market: String) async throws(DatatrustError) -> MarketSchema {
        let client = client()
        return try await call { try await client.getSchema(path: .init(market: market)).ok.body.json }
    }

    /// ADD_DATAPOINT of bytes in memory, declaring their Keccak-256 (see ``addDatapoint(file:market:dataHash:progress:)`` for large data).
    public func addDatapoint(_ data: [UInt8], market: String) async throws(DatatrustError) -> AddResult {
        let client = client()
        let hash = Keccak256.hash(data)
        return try await call {
            try await client.addDatapoint(path: .init(market: market), query: .init(dataHash: hash.hex),
                                          body: .binary(HTTPBody(data))).created.body.json
        }
    }

    /// GET_DATAPOINT into memory; verifies Keccak-256 of the bytes received (the server
    /// authenticates what it sends but leaves the hash to the client).
    /// - Throws: ``DatatrustError/integrity(_:)`` when the bytes do not hash to `dataHash` or the
    ///   server cut the response short.
    public func getDatapoint(market: String, dataHash: Hash32, job: UInt64? = nil) async throws(DatatrustError) -> [UInt8] {
        let client = client(streaming: true)
        var hasher = Keccak256()
        let body = try await call {
            try await client.getDatapoint(path: .init(market: market, dataHash: dataHash), query: .init(job: try Self.jobParameter(job)))
                .ok.body.binary
        }
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                chunk.withUnsafeBytes { hasher.update($0) }
                bytes += chunk
            }
        } catch {
            throw Self.cutShort(after: Int64(bytes.count), of: body.length, error)
        }
        let actual = hasher.finalize()
        guard actual == dataHash else {
            throw .integrity("dataHash: the server sent data hashing to \(actual.hex), expected \(dataHash.hex)")
        }
        return bytes
    }

    /// A GET_DATAPOINT body that failed after `received` bytes: the server closes the connection
    /// mid-body when the stored file fails authentication, so the bytes so far are not the datapoint.
    static func cutShort(after received: Int64, of length: HTTPBody.Length, _ error: any Error) -> DatatrustError {
        var announced = "an unannounced number of"
        if case .known(let value) = length { announced = "\(value)" }
        return .integrity("body: the response ended after \(received) of \(announced) bytes (\(error)); expected the whole datapoint "
            + "(the server cuts a response short when the stored file fails authentication)")
    }

    static func jobParameter(_ job: UInt64?) throws(DatatrustError) -> Int? {
        guard let job else { return nil }
        guard let value = Int(exactly: job) else { throw .badRequest("job: \(job) is larger than the document's integer") }
        return value
    }

    // MARK: - Streams to and from files

    /// Keccak-256 of the file at `url`, read in 1 MiB pieces; `progress` gets the bytes hashed so far.
    public static func hash(file url: URL, progress: (Int64) -> Void = { _ in }) throws(DatatrustError) -> (hash: Hash32, size: Int64) {
        let file = try FileChunks.Reader(path: url.path, chunkBytes: chunkBytes)
        var hasher = Keccak256()
        var size: Int64 = 0
        while let piece = try file.read() {
            piece.withUnsafeBytes { hasher.update($0) }
            size += Int64(piece.count)
            progress(size)
        }
        return (hasher.finalize(), size)
    }

    /// ADD_DATAPOINT streamed from a file: its Keccak-256 is declared (`?dataHash=`), so the
    /// server checks the listing before the upload and may accept up to the market's maximum
    /// datapoint size; the body is sent from the file in 1 MiB pieces, never held in memory.
    ///
    /// The file is read twice when `dataHash` is nil (once to hash, once to send): the protocol
    /// declares the hash before the body, because the server refuses an unlisted, foreign or
    /// duplicate datapoint before reading a byte of it.
    /// - Parameters:
    ///   - url: the file to upload.
    ///   - market: the market the datapoint is listed in.
    ///   - dataHash: the file's Keccak-256 when the caller already computed it (else it is computed here).
    ///   - progress: called with the bytes sent so far and the total, as the upload goes.
    public func addDatapoint(file url: URL, market: String, dataHash: Hash32? = nil,
                             progress: (@Sendable (_ sent: Int64, _ total: Int64) -> Void)? = nil) async throws(DatatrustError) -> AddResult {
        let hash: Hash32
        if let dataHash { hash = dataHash } else { hash = try Self.hash(file: url).hash }
        let reader = try FileChunks.Reader(path: url.path, chunkBytes: Self.chunkBytes)
        let size = reader.size
        let body = HTTPBody(FileChunks(reader: UncheckedSendableBox(reader), total: size, progress: progress),
                            length: .known(size), iterationBehavior: .single)
        let client = client(streaming: true)
        return try await call {
            try await client.addDatapoint(path: .init(market: market), query: .init(dataHash: hash.hex),
                                          body: .binary(body)).created.body.json
        }
    }

    /// GET_DATAPOINT streamed to the file `destination`: the body is hashed (Keccak-256) as it is
    /// written to a temporary file beside it, and that file is renamed to `destination` only
    /// when the bytes hash to `dataHash` and number what the server announced; on any failure
    /// `destination` is left untouched.
    ///
    /// This is where a download's Keccak-256 is checked (the server authenticates every chunk
    /// but does not hash what it sends): the hash runs on a thread of its own while this task
    /// receives and writes, so the two overlap on two cores.
    /// - Parameters:
    ///   - market: the market the datapoint is listed in.
    ///   - dataHash: the datapoint's Keccak-256.
    ///   - job: the paid job the download is for, when there is one.
    ///   - destination: the file to write.
    ///   - verifying: called with the bytes received and handed to the hash so far.
    /// - Returns: the bytes written.
    /// - Throws: ``DatatrustError/integrity(_:)`` when the bytes do not hash to `dataHash`, or the
    ///   server cut the response short (it does when the stored file fails authentication).
    @discardableResult
    public func getDatapoint(market: String, dataHash: Hash32, job: UInt64? = nil, to destination: URL,
                             verifying: (Int64) -> Void = { _ in }) async throws(DatatrustError) -> Int64 {
        let client = client(streaming: true)
        let output: StagedBlockFile
        do { output = try StagedBlockFile(destination: destination.path) } catch { throw Self.cannotWrite(destination, error) }
        let hasher = PipelinedHasher()
        var size: Int64 = 0
        do {
            let body = try await call {
                try await client.getDatapoint(path: .init(market: market, dataHash: dataHash), query: .init(job: try Self.jobParameter(job)))
                    .ok.body.binary
            }
            var announced: Int64?
            if case .known(let expected) = body.length { announced = expected }
            do {
                for try await chunk in body {
                    // The transport's chunk is never written again: the hash takes it by reference,
                    // after this task waited (suspended, not blocking a thread) for room in its queue.
                    await hasher.room(held: chunk.count)
                    hasher.submit(chunk)
                    do throws(BlockFileFailure) { try output.write(chunk) } catch { throw Self.cannotWrite(destination, error) }
                    size += Int64(chunk.count)
                    verifying(size)
                }
            } catch let error as DatatrustError {
                throw error
            } catch {
                throw Self.cutShort(after: size, of: body.length, error)
            }
            let actual = hasher.finish()
            guard actual == dataHash else {
                throw DatatrustError.integrity("dataHash: the server sent \(size) bytes hashing to \(actual.hex), expected \(dataHash.hex)")
            }
            if let announced, announced != size {
                throw DatatrustError.integrity("body: \(size) bytes received, the server announced \(announced)")
            }
            do { try output.commit() } catch { throw Self.cannotWrite(destination, error) }
            return size
        } catch {
            hasher.cancel()  // `output` removes its temporary file when released
            throw (error as? DatatrustError) ?? translate(error)
        }
    }

    private static func cannotWrite(_ destination: URL, _ failure: BlockFileFailure) -> DatatrustError {
        .internalFailure("file: cannot write \(destination.path) (\(failure.path): \(failure.detail))")
    }

    /// REMOVE_DATAPOINT.
    public func removeDatapoint(market: String, dataHash: Hash32) async throws(DatatrustError) -> RemoveResult {
        let client = client()
        return try await call { try await client.removeDatapoint(path: .init(market: market, dataHash: dataHash)).ok.body.json }
    }

    /// RUN_QUERY.
    public func query(_ request: QueryRequest) async throws(DatatrustError) -> QueryResult {
        let client = client()
        return try await call { try await client.runQuery(body: .json(request)).ok.body.json }
    }

    /// GET_COMPUTE_COST.
    public func computeCost(_ request: QueryRequest) async throws(DatatrustError) -> CostQuote {
        let client = client()
        return try await call { try await client.getComputeCost(body: .json(request)).ok.body.json }
    }

    /// GET_EPSILON.
    public func epsilon(_ request: QueryRequest) async throws(DatatrustError) -> EpsilonQuote {
        let client = client()
        return try await call { try await client.getEpsilon(body: .json(request)).ok.body.json }
    }
}
