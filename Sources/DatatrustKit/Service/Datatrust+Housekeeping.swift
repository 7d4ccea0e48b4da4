import Foundation
import LedgerCore
import Logging

/// Housekeeping: the datatrust's background work, each piece callable directly (tests,
/// `dmctl datatrust housekeep`) and as a ``ScheduledJob`` run beside the server.
extension Datatrust {
    /// Deletes login nonces and bearer tokens that have expired; returns how many went.
    @discardableResult
    public func purgeExpiredLogins() async throws(DatatrustError) -> Int {
        do { return try await store.purgeExpired(now: clock()) } catch { throw error.asDatatrustError }
    }

    /// Removes vault objects no index entry names and stale `.part` files older than
    /// `gracePeriod` seconds (``DatatrustConfiguration/orphanGracePeriod`` by default; 0 when no
    /// add can be in flight, e.g. with the server stopped).
    @discardableResult
    public func sweepVault(gracePeriod: Int64? = nil) async throws(DatatrustError) -> Vault.Sweep {
        let held: Set<Hash32>
        do { held = try await store.heldHashes() } catch { throw error.asDatatrustError }
        // File times are wall time, whatever clock the protocol runs on.
        let wallNow = Int64(Date().timeIntervalSince1970)
        do { return try vault.sweep(keeping: held, olderThan: gracePeriod ?? configuration.orphanGracePeriod, now: wallNow) } catch {
            throw error.asDatatrustError
        }
    }

    /// The background jobs to run beside the server: the outbox (every
    /// ``DatatrustConfiguration/outboxInterval`` seconds), and the purge of expired logins and
    /// the vault sweep (every ``DatatrustConfiguration/housekeepingInterval`` seconds).
    public func backgroundJobs() -> [ScheduledJob] {
        let outboxEvery = Duration.seconds(max(configuration.outboxInterval, 1))
        let housekeepingEvery = Duration.seconds(max(configuration.housekeepingInterval, 1))
        return [
            ScheduledJob(name: "outbox", interval: outboxEvery, logger: logger) { [self] in
                let pass = await flushOutbox()
                guard pass.included + pass.alreadyDone + pass.postponed > 0 else { return nil }
                return ["included": "\(pass.included)", "alreadyDone": "\(pass.alreadyDone)", "postponed": "\(pass.postponed)", "pending": "\(pass.pending)"]
            },
            ScheduledJob(name: "purge-logins", interval: housekeepingEvery, logger: logger) { [self] in
                do {
                    let purged = try await purgeExpiredLogins()
                    return purged == 0 ? nil : ["purged": "\(purged)"]
                } catch {
                    return ["error": "\(error)"]
                }
            },
            ScheduledJob(name: "vault-sweep", interval: housekeepingEvery, logger: logger) { [self] in
                do {
                    let sweep = try await sweepVault()
                    guard !sweep.orphans.isEmpty || sweep.partFiles > 0 else { return nil }
                    return ["orphans": "\(sweep.orphans.map(\.hex))", "partFiles": "\(sweep.partFiles)"]
                } catch {
                    return ["error": "\(error)"]
                }
            },
        ]
    }
}
