public import Logging
public import ServiceLifecycle

/// A piece of work run on a schedule as a ServiceLifecycle `Service`, beside the HTTP server in
/// one `ServiceGroup`: it runs once at start, then every `interval`, and stops at graceful
/// shutdown or cancellation (between runs; a run in progress is finished).
///
/// ```swift
/// let group = ServiceGroup(services: [app] + datatrust.backgroundJobs(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public struct ScheduledJob: Service {
    /// The job's name in the log (`job` metadata).
    public let name: String
    /// The pause between the end of one run and the start of the next.
    public let interval: Duration
    let logger: Logger
    let work: @Sendable () async -> Logger.Metadata?

    /// A job running `work`, which returns what it did for the log, or nil when it did nothing
    /// worth an info line (the run is then logged at debug level).
    public init(name: String, interval: Duration, logger: Logger, work: @escaping @Sendable () async -> Logger.Metadata?) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.work = work
    }

    /// Runs until graceful shutdown or cancellation.
    public func run() async throws {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            if var metadata = await work() {
                metadata["job"] = "\(name)"
                logger.info("housekeeping", metadata: metadata)
            } else {
                logger.debug("housekeeping: nothing to do", metadata: ["job": "\(name)"])
            }
            let pause = interval
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) } } catch { return }
        }
    }
}
