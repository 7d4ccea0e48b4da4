package import Foundation
package import Hummingbird
package import Logging

/// The setup the project's servers share: the application around a router, and the committed
/// OpenAPI document each serves at `/openapi.json`.
package enum EdgeServer {
    /// An application serving `router` on `host:port` under `serverName`; `onBound` gets the
    /// address and port actually bound once the server listens (port 0 picks a free one).
    package static func application<Builder: HTTPResponderBuilder>(
        router: Builder, host: String, port: Int, serverName: String, logger: Logger,
        onBound: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in }
    ) -> Application<Builder.Responder> {
        Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: serverName),
            onServerRunning: { channel in
                await onBound(channel.localAddress?.ipAddress ?? host, channel.localAddress?.port ?? port)
            },
            logger: logger)
    }

    /// The bytes of `openapi.json` in `bundle` (a target's `Bundle.module`), nil when missing.
    package static func openAPIDocument(in bundle: Bundle) -> [UInt8]? {
        guard let url = bundle.url(forResource: "openapi", withExtension: "json"),
              let data = try? Data(contentsOf: url) else { return nil }
        return [UInt8](data)
    }
}
