public import Hummingbird

/// The request context of the node's server: Hummingbird's core context plus the client's IP,
/// which the rate limit counts by.
public struct NodeRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, when the connection has one.
    public let clientIP: String?

    /// A context for a request arriving on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        clientIP = source.channel.remoteAddress?.ipAddress
    }
}
