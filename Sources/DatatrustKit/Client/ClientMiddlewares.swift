import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The generated client's middlewares (``DatatrustClient``).
enum ClientMiddlewares {
    /// Sends `Authorization: Bearer <token>` once logged in.
    struct Authorization: ClientMiddleware {
        let token: String?

        func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                       next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?) {
            var request = request
            if let token { request.headerFields[.authorization] = "Bearer \(token)" }
            return try await next(request, body, baseURL)
        }
    }

    /// Turns an error answer (any status outside 2xx) into the server's ``DatatrustError``, read
    /// from the JSON error body (its first 64 KiB), so every call throws the same error whatever
    /// statuses the document lists for its operation.
    struct ErrorAnswers: ClientMiddleware {
        static let errorBodyLimit = 64 << 10

        func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                       next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?) {
            let (response, responseBody) = try await next(request, body, baseURL)
            let status = response.status.code
            guard !(200..<300).contains(status) else { return (response, responseBody) }
            var head: [UInt8] = []
            if let responseBody {
                for try await chunk in responseBody {
                    head += chunk.prefix(Self.errorBodyLimit - head.count)
                    if head.count >= Self.errorBodyLimit { break }
                }
            }
            if let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(head)) {
                throw Self.error(status: status, code: error.error, detail: error.detail)
            }
            throw Self.error(status: status, code: "http", detail: String(decoding: head.prefix(200), as: UTF8.self))
        }

        /// The ``DatatrustError`` an answer's status, code and detail stand for: the inverse of
        /// ``DatatrustServer/status(for:)`` (the code tells apart the cases that share a status).
        static func error(status: Int, code: String, detail: String) -> DatatrustError {
            switch (status, code) {
            case (400, _): .badRequest(detail)
            case (401, _): .unauthenticated(detail)
            case (403, "epsilon_budget_exhausted"): .budgetExhausted(detail)
            case (403, _): .forbidden(detail)
            case (404, _): .notFound(detail)
            case (405, _): .methodNotAllowed(detail)
            case (409, _): .conflict(detail)
            case (413, _): .payloadTooLarge(detail)
            case (422, _): .unprocessable(detail)
            case (429, _): .rateLimited(detail)
            case (500, "integrity_error"): .integrity(detail)
            case (502, _): .chainUnavailable(detail)
            default: .internalFailure("HTTP \(status) \(code): \(detail)")
            }
        }
    }
}
