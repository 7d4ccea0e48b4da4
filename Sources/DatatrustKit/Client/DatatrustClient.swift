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
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw .badRequest("url: cannot build \(baseURL)\(path)")
        }
        if !query.isEmpty { components.queryItems = query }
        guard let url = components.url else { throw .badRequest("url: cannot build \(baseURL)\(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let data: Data
        let response: URLResponse
        do { (data, response) = try await session.data(for: request) } catch {
            throw .internalFailure("cannot reach the datatrust at \(baseURL): \(error.localizedDescription)")
        }
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

    /// ADD_DATAPOINT.
    public func addDatapoint(_ data: [UInt8], market: String) async throws(DatatrustError) -> AddResult {
        let body = try await send("POST", "/markets/\(market)/datapoints", body: Data(data), contentType: "application/octet-stream")
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
