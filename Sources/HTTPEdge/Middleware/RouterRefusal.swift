package import Hummingbird

/// What the router (not a handler) refused, read from the `HTTPResponseError` it threw, with the
/// texts the servers answer for it.
package enum RouterRefusal: Equatable, Sendable {
    /// No route has this path (404).
    case noEndpoint
    /// The path is served, but not with this method (405).
    case methodNotServed
    /// The body passed the server's limit (413).
    case bodyTooLarge
    /// Anything else the framework refused: its message, or the status's reason phrase.
    case other(String)

    /// The refusal `error` stands for.
    package init(_ error: any HTTPResponseError) {
        switch error.status.code {
        case 404: self = .noEndpoint
        case 405: self = .methodNotServed
        case 413: self = .bodyTooLarge
        default: self = .other((error as? HTTPError)?.body ?? error.status.reasonPhrase)
        }
    }

    /// `path: GET /x is not an endpoint; see /openapi.json`.
    package static func noEndpointDetail(_ request: Request) -> String {
        "path: \(request.method) \(request.uri.path) is not an endpoint; see /openapi.json"
    }

    /// `method: PUT is not served on /x`.
    package static func methodNotServedDetail(_ request: Request) -> String {
        "method: \(request.method) is not served on \(request.uri.path)"
    }
}
