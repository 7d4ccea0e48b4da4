public import Hummingbird
public import LedgerCore
public import NIOCore

/// The request context of the datatrust's routes: the client's socket address, which keys the
/// rate limit before login, and the caller a valid bearer token authenticated, which keys it
/// after (set once by the server's middleware, then read by the handlers).
public struct DatatrustRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connected client's address (nil when the transport has none, as in router tests).
    public let remoteAddress: SocketAddress?
    /// The address a valid `Authorization: Bearer` token authenticated, if any.
    public var caller: Address?

    /// A context for a request arriving on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, or "unknown".
    var clientIP: String { remoteAddress?.ipAddress ?? "unknown" }
}
