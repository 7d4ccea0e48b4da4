public import LedgerCore
import Logging
import MarketKit

/// ADD_DATAPOINT and GET_DATAPOINT as streams: the bytes of an upload are checked against the
/// schema, hashed and encrypted as they arrive, and a download is decrypted and authenticated
/// chunk by chunk (its Keccak-256 checked by the client that receives it), so a datapoint of any size (up to its market's
/// ``MarketConfiguration/maxDatapointBytes``) passes in bounded memory.
extension Datatrust {
    /// What ``beginAdd(market:dataHash:declaredSize:caller:)`` decided.
    public enum AddStart {
        /// Send the bytes to this upload, then ``Datatrust/finishAdd(_:)``.
        case upload(DatapointUpload)
        /// Nothing to upload: the data was stored before a crash or a chain outage and only its
        /// attestation was outstanding; this is the finished add.
        case finished(AddResult)
    }

    /// Starts an ADD of `market`'s datapoint hashing to `dataHash`, declared up front so the
    /// listing, the owner and a duplicate are checked before any byte is read.
    ///
    /// - Parameters:
    ///   - name: the market.
    ///   - dataHash: the declared Keccak-256 of the bytes; nil checks the listing after the last
    ///     byte, and then only bodies up to ``DatatrustConfiguration/maxBodyBytes`` are accepted.
    ///   - declaredSize: the body's length when known (a `Content-Length`); above the market's
    ///     maximum it is refused here, before the body is read.
    ///   - caller: the logged-in address adding the datapoint.
    /// - Throws: ``DatatrustError/payloadTooLarge(_:)``, ``DatatrustError/forbidden(_:)``,
    ///   ``DatatrustError/conflict(_:)``, ``DatatrustError/notFound(_:)``.
    public func beginAdd(market name: String, dataHash: Hash32?, declaredSize: Int64?, caller: Address) async throws(DatatrustError) -> AddStart {
        let config = try marketConfiguration(name)
        let limit = dataHash == nil ? min(Int64(configuration.maxBodyBytes), config.maxDatapointBytes) : config.maxDatapointBytes
        if let declaredSize, declaredSize > limit {
            throw .payloadTooLarge(Self.tooLarge("\(declaredSize) bytes declared", limit: limit, declared: dataHash != nil, market: config.market))
        }
        if let dataHash, let done = try await admitAdd(config, hash: dataHash, caller: caller) { return .finished(done) }
        let writer: VaultWriter
        do { writer = try vault.beginPut() } catch { throw error.asDatatrustError }
        return .upload(DatapointUpload(config: config, caller: caller, declaredHash: dataHash, declaredSize: declaredSize, limit: limit, writer: writer))
    }

    static func tooLarge(_ what: String, limit: Int64, declared: Bool, market: MarketID) -> String {
        declared
            ? "body: \(what), expected at most \(limit), the largest datapoint of market \(market)"
            : "body: \(what), expected at most \(limit); declare ?dataHash= to send datapoints up to the market's maximum"
    }

    /// Finishes an upload after its last byte: the schema's last row, the size, the hash against
    /// the declared one; then stores the object, indexes it and attests it. On any refusal
    /// nothing is stored (the temporary file is removed).
    /// - Throws: ``DatatrustError/unprocessable(_:)`` when the bytes do not hash to the declared
    ///   dataHash or do not fit the schema; ``DatatrustError/badRequest(_:)`` for an empty body
    ///   or one shorter than declared.
    public func finishAdd(_ upload: DatapointUpload) async throws(DatatrustError) -> AddResult {
        let size = upload.writer.size
        guard size > 0 else { throw .badRequest("data: empty; expected the datapoint's bytes") }
        if let declared = upload.declaredSize, declared != size {
            throw .badRequest("body: \(size) bytes received, expected the \(declared) declared by Content-Length")
        }
        let rows = try upload.rows.finish()
        let hash: Hash32
        do { hash = try upload.writer.finish(master: vault.masterKey, sync: vault.syncWrites) } catch { throw error.asDatatrustError }
        if let declared = upload.declaredHash, declared != hash {
            throw .unprocessable("dataHash: Keccak-256 of the \(size) bytes received is \(hash.hex), expected the declared \(declared.hex); nothing was stored")
        }
        let market = upload.config.market
        if upload.declaredHash == nil, let done = try await admitAdd(upload.config, hash: hash, caller: upload.caller) { return done }
        let stored: Vault.Stored
        do { stored = try vault.commit(finished: upload.writer, hash: hash) } catch { throw error.asDatatrustError }
        let record = DatapointRecord(market: market, dataHash: hash, owner: upload.caller, size: stored.size, rowCount: rows, created: clock())
        // The index row and its attestation are one commit. A failure here leaves at most an
        // unindexed vault object, which the vault sweep removes (never removed here: a concurrent
        // add of the same data shares the object).
        let entry: OutboxEntry
        do { entry = try await store.insert(record) } catch { throw error.asDatatrustError }
        let attestation = await deliverNow(entry)
        logger.info("datapoint added", metadata: ["market": "\(market)", "dataHash": "\(hash.hex)", "rows": "\(rows)", "size": "\(size)",
                                                  "attestation": "\(attestation ?? "queued")"])
        return AddResult(market: market, dataHash: hash, size: stored.size, rows: rows, attestation: attestation)
    }

    /// The ADD checks that need the hash: a live listing owned by the caller, and no earlier add.
    /// Returns the finished add when the data is stored and only its attestation was pending.
    func admitAdd(_ config: MarketConfiguration, hash: Hash32, caller: Address) async throws(DatatrustError) -> AddResult? {
        let market = config.market
        let listings = try await ask("listings") { try await chain.listings(market: market, dataHash: hash) }.filter { $0.state != .removed }
        guard let first = listings.first else {
            throw .forbidden("dataHash: \(hash.hex) is neither applied for nor listed in market \(market); expected a listing applied for or listed on chain first")
        }
        guard listings.contains(where: { $0.owner == caller }) else {
            throw .forbidden("dataHash: \(hash.hex) is listed by \(first.owner.checksummed), not the caller \(caller.checksummed)")
        }
        let existing: DatapointRecord?
        do { existing = try await store.datapoint(market: market, dataHash: hash) } catch { throw error.asDatatrustError }
        guard let existing else { return nil }
        if existing.removed == nil, existing.owner == caller, vault.contains(hash), let entry = try await pendingAttestation(market, hash) {
            // Stored before a crash or a chain outage but not attested yet: finish the job, not an error.
            let attestation = await deliverNow(entry)
            return AddResult(market: market, dataHash: hash, size: existing.size, rows: existing.rowCount, attestation: attestation)
        }
        throw .conflict("dataHash: \(hash.hex) was already \(existing.removed == nil ? "added" : "added and removed") in market \(market)")
    }

    // MARK: - GET

    /// Authorises a GET_DATAPOINT, charges a buyer's job, and opens the authenticated stream of
    /// the plaintext. The job is consumed before the first byte is sent (buyers pay before
    /// compute); the file's header and first chunk are authenticated before that (a datapoint of
    /// one chunk entirely, final tag included), so a missing, foreign or damaged file is refused
    /// without charging.
    ///
    /// The server does not recompute Keccak-256 here: the file's key opens only under this
    /// dataHash and the vault's chunk cipher authenticates every chunk, their order and the end, so damage is
    /// still an error; the client hashes what it receives (``DatatrustClient`` does), which
    /// keeps one Keccak pass on the path instead of two. Internal reads (queries, the SQL
    /// sandbox) still recompute it.
    public func openDatapoint(market name: String, dataHash hash: Hash32, caller: Address, job: UInt64? = nil) async throws(DatatrustError) -> DatapointDownload {
        try await openDatapoint(market: name, dataHash: hash, caller: caller, job: job, checksHash: false)
    }

    /// ``openDatapoint(market:dataHash:caller:job:)``, with the server's own Keccak-256 check
    /// when `checksHash` is true: for a reader in this process, where no client hashes after it.
    func openDatapoint(market name: String, dataHash hash: Hash32, caller: Address, job: UInt64?, checksHash: Bool) async throws(DatatrustError) -> DatapointDownload {
        let config = try marketConfiguration(name)
        let market = config.market
        let record = try await heldRecord(market, hash)
        var charge: QueryCharge?
        if record.owner != caller {
            let council = try await ask("council") { try await chain.isCouncilMember(caller, market: market) }
            if !council {
                guard let job else {
                    throw .forbidden("caller \(caller.checksummed) is not the listing's owner nor on market \(market)'s council; pass a paid job (?job=N)")
                }
                let price = try add(config.baseCost, try multiply(config.costPerRow, UInt256(UInt64(record.rowCount))))
                let paid = try await checkJob(market: market, job: job, caller: caller, price: price)
                let covered = try await readableData(market: market, job: paid)[hash] ?? []
                guard !covered.isEmpty else {
                    throw .forbidden("dataHash: \(hash.hex) has no listing that is listed in market \(market) and covered by job \(job); a job pays only for listed data")
                }
                charge = QueryCharge(market: market, job: job, milliEpsilon: 0, budgetMilliEpsilon: 0, listings: covered.map(\.listing))
            }
        }
        let reader: VaultReader
        do { reader = try vault.reader(for: hash, checksHash: checksHash) } catch {
            logger.critical("vault read refused", metadata: ["dataHash": "\(hash.hex)", "error": "\(error)"])
            throw error.asDatatrustError
        }
        let download = DatapointDownload(reader: reader, size: record.size, logger: logger)
        try download.prime()
        if let charge {
            let queued: [OutboxEntry]
            do { queued = try await store.charge([charge], buyer: caller, now: clock()) } catch { throw error.asDatatrustError }
            for entry in queued { _ = await deliverNow(entry) }
        }
        return download
    }
}

/// An upload in progress (``Datatrust/beginAdd(market:dataHash:declaredSize:caller:)``): each
/// ``append(_:)`` checks the bytes against the schema and the size limit, then hashes and
/// encrypts them into a temporary vault file. Dropping an unfinished upload removes that file.
public final class DatapointUpload {
    let config: MarketConfiguration
    let caller: Address
    let declaredHash: Hash32?
    let declaredSize: Int64?
    let limit: Int64
    let writer: VaultWriter
    var rows: RowStream

    init(config: MarketConfiguration, caller: Address, declaredHash: Hash32?, declaredSize: Int64?, limit: Int64, writer: VaultWriter) {
        self.config = config
        self.caller = caller
        self.declaredHash = declaredHash
        self.declaredSize = declaredSize
        self.limit = limit
        self.writer = writer
        rows = RowStream(schema: config.schema)
    }

    /// Bytes received so far.
    public var size: Int64 { writer.size }

    /// Suspends, without holding a thread, until the upload can take `count` more bytes without
    /// blocking on its hash: a request handler calls it before each ``append(_:)``, so uploads
    /// that outrun Keccak-256 wait as suspended tasks, not as blocked threads of the cooperative
    /// pool (which has one thread per core). Writing to the disk may still block briefly.
    public func roomToAppend(_ count: Int) async { await writer.roomToAppend(count) }

    /// Takes the next bytes of the body.
    /// - Throws: ``DatatrustError/payloadTooLarge(_:)`` past the limit, ``DatatrustError/unprocessable(_:)``
    ///   at the first value that does not fit the schema (with its row and column).
    public func append(_ bytes: UnsafeRawBufferPointer) throws(DatatrustError) {
        let total = writer.size + Int64(bytes.count)
        guard total <= limit else {
            throw .payloadTooLarge(Datatrust.tooLarge("more than \(limit) bytes", limit: limit, declared: declaredHash != nil, market: config.market))
        }
        if let declaredSize, total > declaredSize {
            throw .badRequest("body: more than the \(declaredSize) bytes declared by Content-Length")
        }
        try rows.feed(bytes)
        if let error = writer.append(bytes) { throw error.asDatatrustError }
    }
}

/// The authenticated plaintext of one datapoint, chunk by chunk
/// (``Datatrust/openDatapoint(market:dataHash:caller:job:)``). Every chunk is authenticated
/// by the vault's chunk cipher and the end requires the last chunk; Keccak-256 is the receiver's to check.
public final class DatapointDownload {
    let reader: VaultReader
    let logger: Logger
    /// The plaintext's size, bytes (what a `Content-Length` announces).
    public let size: Int64

    init(reader: VaultReader, size: Int64, logger: Logger) {
        self.reader = reader
        self.size = size
        self.logger = logger
    }

    private var first: [UInt8]?

    /// Reads and authenticates the first chunk ahead, so a file that fails at once (or a
    /// datapoint of one chunk that is damaged or cut) is refused before a status line is sent.
    func prime() throws(DatatrustError) {
        var chunk: [UInt8] = []
        if try read({ chunk = Array($0) }) { first = chunk }
    }

    /// Hands the next authenticated chunk (at most 64 KiB) to `body`; false after the last one,
    /// once the final tag was read.
    /// - Throws: ``DatatrustError/integrity(_:)`` for a tampered or truncated file, after which
    ///   whatever was received must be discarded.
    public func next(_ body: (UnsafeRawBufferPointer) -> Void) throws(DatatrustError) -> Bool {
        if let chunk = first {
            first = nil
            chunk.withUnsafeBytes { body($0) }
            return true
        }
        return try read(body)
    }

    /// Fills `destination` with the next authenticated chunks, decrypted in place (no copy), as
    /// long as a whole vault chunk still fits; the bytes written, fewer than fit only at the end
    /// (0 once the data ended).
    /// - Throws: ``DatatrustError/integrity(_:)`` as ``next(_:)`` does.
    func fill(_ destination: UnsafeMutableRawBufferPointer) throws(DatatrustError) -> Int {
        // A smaller buffer would read as the end of the data: a short body, never allowed.
        guard destination.count >= VaultFileFormat.chunkBytes else {
            throw .internalFailure("download: a \(destination.count)-byte buffer is smaller than a vault chunk (\(VaultFileFormat.chunkBytes) bytes)")
        }
        var filled = 0
        if let chunk = first {
            first = nil
            UnsafeMutableRawBufferPointer(rebasing: destination[0..<chunk.count]).copyBytes(from: chunk)
            filled = chunk.count
        }
        while destination.count - filled >= VaultFileFormat.chunkBytes {
            let length: Int?
            do { length = try reader.next(into: UnsafeMutableRawBufferPointer(rebasing: destination[filled...])) } catch {
                logger.critical("vault read refused", metadata: ["dataHash": "\(reader.hash.hex)", "error": "\(error)"])
                throw error.asDatatrustError
            }
            guard let length else { break }
            filled += length
        }
        return filled
    }

    private func read(_ body: (UnsafeRawBufferPointer) -> Void) throws(DatatrustError) -> Bool {
        do { return try reader.next { body($0) } } catch {
            logger.critical("vault read refused", metadata: ["dataHash": "\(reader.hash.hex)", "error": "\(error)"])
            throw error.asDatatrustError
        }
    }
}
