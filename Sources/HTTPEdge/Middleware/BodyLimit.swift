package import Hummingbird

/// A request body past a server's limit.
package struct BodyTooLarge: Error, Equatable, Sendable {
    /// The length the `Content-Length` header declared, if the refusal came from it.
    package let declared: Int?
    /// The limit, bytes.
    package let limit: Int

    /// A refusal of a body past `limit` bytes; `declared` is the `Content-Length` that said so.
    package init(declared: Int?, limit: Int) {
        self.declared = declared
        self.limit = limit
    }

    /// What was wrong and what was expected, for the error body.
    package var detail: String {
        if let declared { return "body: \(declared) bytes, expected at most \(limit)" }
        return "body: larger than \(limit) bytes, expected at most \(limit)"
    }
}

extension Request {
    /// Collects the body, refusing it past `limit` bytes: at once when a `Content-Length`
    /// says so, else (a chunked body) as soon as collecting passes the limit.
    /// - Throws: ``BodyTooLarge``; any other failure reading the body as it is.
    package mutating func collectBody(limitedTo limit: Int) async throws -> ByteBuffer {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw BodyTooLarge(declared: length, limit: limit)
        }
        do {
            return try await collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw BodyTooLarge(declared: nil, limit: limit)
        }
    }
}
