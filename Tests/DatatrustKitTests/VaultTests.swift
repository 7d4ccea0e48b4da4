import DataMarketTesting
import Foundation
import Testing
@testable import DatatrustKit
import LedgerCore

@Suite struct VaultTests {
    @Test func roundTripsDatapointsOfEverySizeAroundChunkBoundaries() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: 1)
        for size in [0, 1, 1000, 65_535, 65_536, 65_537, 3 * 65_536, 200_001] {
            let data = rng.bytes(size)
            let stored = try vault.put(data)
            #expect(stored.dataHash == Keccak256.hash(data))
            #expect(stored.size == Int64(size))
            #expect(try vault.get(stored.dataHash) == data)
        }
    }

    /// Sizes around the writer's one-write-per-16-chunks batch and the hashing ring (64 slots of
    /// 64 KiB), appended in uneven pieces ending with a 1-byte one: the file keeps the documented
    /// layout (full 64 KiB chunks, then one shorter final chunk) and reads back byte-exact.
    @Test(arguments: [16 * 65_536, 16 * 65_536 + 1, 17 * 65_536 - 1, 33 * 65_536 + 1, 64 * 65_536, 129 * 65_536 + 1])
    func batchedWritesKeepTheChunkLayoutAndRoundTrip(size: Int) throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: UInt64(size))
        let data = rng.bytes(size)
        let writer = try vault.beginPut()
        let pieces = [7_777, 65_536, 1, 200_003, 131_072]
        var at = 0, n = 0
        while at < size - 1 {
            let end = min(at + pieces[n % pieces.count], size - 1)
            try writer.append(Array(data[at..<end]))
            at = end
            n += 1
        }
        #expect(size - at == 1)
        try writer.append(Array(data[at...]))
        let hash = try writer.finish(master: vault.masterKey, sync: false)
        #expect(hash == Keccak256.hash(data))
        let stored = try vault.commit(finished: writer, hash: hash)
        let fileSize = try FileManager.default.attributesOfItem(atPath: vault.path(for: stored.dataHash).file)[.size] as? Int
        let chunk = VaultFileFormat.chunkBytes, version = VaultFileFormat.Version.current, overhead = version.chunkOverhead
        #expect(fileSize == version.headerBytes + (size / chunk) * (chunk + overhead) + (size % chunk + overhead))
        #expect(try vault.get(stored.dataHash) == data)
    }

    /// The hashing thread's digest is Keccak-256 of everything submitted, whatever the pieces:
    /// larger than a slot (split), empty, and more than twice what the ring holds.
    @Test func pipelinedHasherDigestsPiecesOfAnySizeThroughItsRing() {
        var rng = SplitMix64(seed: 5)
        let data = rng.bytes(2 * PipelinedHasher.depth * PipelinedHasher.slotBytes + 3 * PipelinedHasher.slotBytes + 3)
        let hasher = PipelinedHasher()
        var at = 0
        for piece in [0, 1, 3 * PipelinedHasher.slotBytes + 5, PipelinedHasher.slotBytes, 999] + Array(repeating: 50_000, count: 200) {
            let end = min(at + piece, data.count)
            data[at..<end].withUnsafeBytes { hasher.submit($0) }
            at = end
        }
        data[at...].withUnsafeBytes { hasher.submit($0) }
        #expect(hasher.finish() == Keccak256.hash(data))
        // A cancelled hasher takes no more and ends its thread (no hang here).
        let cancelled = PipelinedHasher()
        data.withUnsafeBytes { cancelled.submit(UnsafeRawBufferPointer(rebasing: $0[0..<1000])) }
        cancelled.cancel()
        data.withUnsafeBytes { cancelled.submit($0) }
    }

    /// Chunks queued by reference (a transport's arrays, any size, more bytes than it holds at
    /// once and more chunks than its queue) and slots filled in place (how the vault writer
    /// hands over its plaintext) hash to Keccak-256 of the same bytes, as copies do.
    @Test func pipelinedHasherTakesSharedChunksAndClaimedSlotsWithoutCopying() {
        var rng = SplitMix64(seed: 6)
        let data = rng.bytes(PipelinedHasher.heldBytesLimit + 1_000_007)
        let byReference = PipelinedHasher()
        var at = 0
        for piece in [1, 65_536, 1_000_000, 0, 12_345] + Array(repeating: 3_000, count: 2 * PipelinedHasher.queueLimit) + Array(repeating: 70_000, count: 200) {
            let end = min(at + piece, data.count)
            byReference.submit(data[at..<end])
            at = end
        }
        byReference.submit(data[at...])
        #expect(byReference.finish() == Keccak256.hash(data))

        let inPlace = PipelinedHasher()
        at = 0
        while at < data.count {
            guard let slot = inPlace.claimSlot() else {
                Issue.record("no slot before the hasher finished")
                return
            }
            // Claiming again before queueing hands out the same slot.
            #expect(inPlace.claimSlot()?.baseAddress == slot.baseAddress)
            let take = min(slot.count, data.count - at)
            data[at..<(at + take)].withUnsafeBytes { slot.copyMemory(from: $0) }
            inPlace.queueClaimedSlot(length: take)
            at += take
        }
        #expect(inPlace.finish() == Keccak256.hash(data))
        #expect(inPlace.claimSlot() == nil)
    }

    /// A producer that asks for room before each submit or claim (as the upload handler and the
    /// download loop do) is suspended while the queue is full and never blocks its thread; the
    /// digest is still Keccak-256 of everything it handed over.
    @Test func askingForRoomFirstSuspendsInsteadOfBlockingAThread() async {
        var rng = SplitMix64(seed: 7)
        let data = rng.bytes(3 * PipelinedHasher.heldBytesLimit + 11)
        let expected = Keccak256.hash(data)

        let byReference = PipelinedHasher()
        var at = 0
        while at < data.count {
            let end = min(at + 65_536, data.count)
            await byReference.room(held: end - at)
            byReference.submit(data[at..<end])
            at = end
        }
        #expect(byReference.finish() == expected)
        #expect(byReference.blockedWaits == 0)
        #expect(byReference.suspendedWaits > 0)

        let inPlace = PipelinedHasher()
        at = 0
        while at < data.count {
            await inPlace.room(copies: 1)
            guard let slot = inPlace.claimSlot() else {
                Issue.record("no slot before the hasher finished")
                return
            }
            let take = min(slot.count, data.count - at)
            data[at..<(at + take)].withUnsafeBytes { slot.copyMemory(from: $0) }
            inPlace.queueClaimedSlot(length: take)
            at += take
        }
        #expect(inPlace.finish() == expected)
        #expect(inPlace.blockedWaits == 0)
        #expect(inPlace.suspendedWaits > 0)

        // Once the hash is cancelled, asking for room returns at once.
        let cancelled = PipelinedHasher()
        cancelled.cancel()
        await cancelled.room(copies: 1, held: 1)
    }

    @Test func flippedByteAnywhereIsAnIntegrityErrorNeverWrongData() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: 2)
        let data = rng.bytes(150_000)
        let stored = try vault.put(data)
        let file = vault.path(for: stored.dataHash).file
        let original = try Data(contentsOf: URL(fileURLWithPath: file))
        for offset in [0, 10, 30, 60, 100, 116, 5000, 65_600, original.count - 1] {
            var tampered = original
            tampered[offset] ^= 0x01
            try tampered.write(to: URL(fileURLWithPath: file))
            #expect(throws: VaultError.self) { try vault.get(stored.dataHash) }
        }
        try original.write(to: URL(fileURLWithPath: file))
        #expect(try vault.get(stored.dataHash) == data)
    }

    /// Each file version (DTV2, which vaults write, and DTV1, which they still read) refuses a
    /// file cut at a chunk boundary, cut inside a chunk, extended, with two chunks swapped or
    /// with its last chunk dropped, each with its typed error; the intact file reads back, also
    /// after a master-key rotation, which keeps the version.
    @Test(arguments: [VaultFileFormat.Version.v2, .v1])
    func everyFileVersionRefusesCutExtendedAndReorderedFiles(version: VaultFileFormat.Version) throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: 3)
        let data = rng.bytes(3 * 65_536 + 1000)
        let writer = try VaultWriter(tempFolder: vault.tempPath, version: version)
        try writer.append(data)
        let hash = try writer.finish(master: vault.masterKey, sync: false)
        let stored = try vault.commit(finished: writer, hash: hash)
        let url = URL(fileURLWithPath: vault.path(for: stored.dataHash).file)
        let original = try Data(contentsOf: url)
        #expect(Array(original.prefix(4)) == version.magic)
        let header = version.headerBytes, full = 65_536 + version.chunkOverhead
        #expect(original.count == header + 3 * full + 1000 + version.chunkOverhead)
        #expect(try vault.get(stored.dataHash) == data)

        func expectRefused(_ damaged: Data, _ detail: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            try damaged.write(to: url)
            #expect(throws: VaultError.integrity(dataHash: stored.dataHash, detail: detail), sourceLocation: sourceLocation) {
                try vault.get(stored.dataHash)
            }
        }
        // Cut at a chunk boundary: every remaining chunk authenticates, only the end is missing.
        try expectRefused(original.prefix(header + 2 * full), "truncated: stream ends after chunk 2 without the final tag")
        // Cut inside a chunk: DTV2 opens it as the last chunk, which it was not sealed as; DTV1's tag fails.
        try expectRefused(original.prefix(header + full + 5000), "chunk 1 does not authenticate")
        // A byte appended joins the short last chunk, which then fails.
        try expectRefused(original + Data([0]), "chunk 3 does not authenticate")
        var swapped = original
        swapped.replaceSubrange(header..<(header + full), with: original[(header + full)..<(header + 2 * full)])
        swapped.replaceSubrange((header + full)..<(header + 2 * full), with: original[header..<(header + full)])
        try expectRefused(swapped, "chunk 0 does not authenticate")
        // Without the last chunk, the third full chunk is last: sealed as not last, it does not end the stream.
        try expectRefused(original.prefix(header + 3 * full), "truncated: stream ends after chunk 3 without the final tag")

        try original.write(to: url)
        let (rotated, count) = try vault.rotate(to: .generate())
        #expect(count == 1)
        #expect(Array(try Data(contentsOf: url).prefix(4)) == version.magic)
        #expect(try rotated.get(stored.dataHash) == data)
    }

    @Test func fileSwappedUnderAnotherHashIsRefused() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        let a = try vault.put(Array("alpha".utf8))
        let b = try vault.put(Array("bravo".utf8))
        try FileManager.default.removeItem(atPath: vault.path(for: b.dataHash).file)
        try FileManager.default.copyItem(atPath: vault.path(for: a.dataHash).file, toPath: vault.path(for: b.dataHash).file)
        #expect(throws: VaultError.integrity(dataHash: b.dataHash, detail: "the wrapped datapoint key does not authenticate")) {
            try vault.get(b.dataHash)
        }
    }

    @Test func putWithWrongExpectedHashStoresNothing() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url, masterKey: .generate(), syncWrites: false)
        let data = Array("payload".utf8)
        #expect(throws: VaultError.hashMismatch(expected: .zero, actual: Keccak256.hash(data))) { try vault.put(data, expecting: .zero) }
        #expect(try vault.storedHashes().isEmpty)
        #expect(allFiles(under: tmp.url).isEmpty)
    }

    @Test func rotationRewrapsKeysAndOldKeyNoLongerOpens() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let old = MasterKey.generate()
        let vault = try Vault(folder: tmp.url, masterKey: old, syncWrites: false)
        let items = try (0..<5).map { try vault.put(Array("datapoint \($0)".utf8)) }
        let cipherBefore = try Data(contentsOf: URL(fileURLWithPath: vault.path(for: items[0].dataHash).file))
        let newKey = MasterKey.generate()
        let (rotated, count) = try vault.rotate(to: newKey)
        #expect(count == 5)
        for (i, item) in items.enumerated() { #expect(try rotated.get(item.dataHash) == Array("datapoint \(i)".utf8)) }
        let cipherAfter = try Data(contentsOf: URL(fileURLWithPath: vault.path(for: items[0].dataHash).file))
        #expect(cipherBefore.dropFirst(92) == cipherAfter.dropFirst(92))
        #expect(throws: VaultError.wrongMasterKey(dataHash: items[0].dataHash, fileKeyID: newKey.idHex, expectedKeyID: old.idHex)) {
            try vault.get(items[0].dataHash)
        }
        #expect(try rotated.rotate(to: newKey).rewrapped == 0)
    }

    @Test func streamsFromFileHandleAndAsyncChunks() async throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url.appendingPathComponent("v"), masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: 4)
        let data = rng.bytes(3 << 20)
        let source = tmp.url.appendingPathComponent("in.bin")
        try Data(data).write(to: source)
        let stored = try vault.put(from: FileHandle(forReadingFrom: source))
        #expect(stored.dataHash == Keccak256.hash(data))
        let out = tmp.url.appendingPathComponent("out.bin")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        #expect(try vault.get(stored.dataHash, to: handle) == Int64(data.count))
        try handle.close()
        #expect(try Data(contentsOf: out) == Data(data))
        let chunks = AsyncStream<[UInt8]> { c in
            for start in stride(from: 0, to: data.count, by: 100_000) { c.yield(Array(data[start..<min(start + 100_000, data.count)])) }
            c.finish()
        }
        let again = try await vault.put(chunks: chunks)
        #expect(again == stored)
    }

    /// `get(_:toFile:)` writes in direct blocks plus a buffered tail, replaces the destination
    /// only once the whole datapoint verified, and leaves no temporary file whatever fails.
    @Test func getToFileReplacesTheDestinationOnlyWhenVerifiedAndLeavesNothingOnFailure() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let vault = try Vault(folder: tmp.url.appendingPathComponent("v"), masterKey: .generate(), syncWrites: false)
        var rng = SplitMix64(seed: 5)
        let data = rng.bytes(9 << 20 + 12_345)  // past Vault's direct-read size, not a whole block
        let stored = try vault.put(data)
        let outFolder = tmp.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: outFolder, withIntermediateDirectories: true)
        let out = outFolder.appendingPathComponent("data.bin")
        func leftovers() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: outFolder.path).filter { $0 != "data.bin" } }

        #expect(try vault.get(stored.dataHash, toFile: out) == Int64(data.count))
        #expect(try Data(contentsOf: out) == Data(data))
        #expect(try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int == 0o600)
        #expect(try leftovers().isEmpty)

        // A stored file damaged in its last chunk fails after most bytes were written: the
        // destination keeps what it held and the temporary file is gone.
        try Data("old".utf8).write(to: out)
        let file = URL(fileURLWithPath: vault.path(for: stored.dataHash).file)
        let original = try Data(contentsOf: file)
        var tampered = original
        tampered[original.count - 1] ^= 0x01
        try tampered.write(to: file)
        #expect(throws: VaultError.integrity(dataHash: stored.dataHash, detail: "chunk 144 does not authenticate")) {
            try vault.get(stored.dataHash, toFile: out)
        }
        #expect(try Data(contentsOf: out) == Data("old".utf8))
        #expect(try leftovers().isEmpty)
        try original.write(to: file)

        // Nothing stored: refused before any file is made.
        let unknown = Keccak256.hash(Array("not stored".utf8))
        #expect(throws: VaultError.notFound(dataHash: unknown)) { try vault.get(unknown, toFile: out) }
        #expect(try leftovers().isEmpty)
        // A folder that does not exist: the error names the temporary path and the call.
        let missing = tmp.url.appendingPathComponent("no-such-folder/data.bin")
        do {
            try vault.get(stored.dataHash, toFile: missing)
            Issue.record("expected an io error")
        } catch {
            guard case .io(let path, let detail) = error else { Issue.record("expected .io, got \(error)"); return }
            #expect(path.hasPrefix(tmp.url.appendingPathComponent("no-such-folder/.data.bin.").path) && path.hasSuffix(".part"))
            #expect(detail == "open: No such file or directory")
        }
        #expect(try Data(contentsOf: out) == Data("old".utf8))
        // A folder as the destination is refused at the rename and stays as it was.
        let folder = outFolder.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("kept".utf8).write(to: folder.appendingPathComponent("inside.txt"))
        #expect(throws: VaultError.io(path: folder.path, detail: "rename: Is a directory")) { try vault.get(stored.dataHash, toFile: folder) }
        #expect(try Data(contentsOf: folder.appendingPathComponent("inside.txt")) == Data("kept".utf8))
        #expect(try leftovers() == ["a-folder"])
    }

    @Test func keyFileIsCreatedWithMode0600AndLaxModesAreRefused() throws {
        let tmp = TempFolder(); defer { tmp.cleanup() }
        let file = tmp.url.appendingPathComponent("master.key")
        let key = try MasterKey.loadOrCreate(keyFile: file)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try MasterKey.loadOrCreate(keyFile: file) == key)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: VaultError.invalidKeyFile(path: file.path, reason: "mode 644 lets others read it, expected 600")) {
            try MasterKey.load(keyFile: file)
        }
    }

    @Test func passphraseDerivationIsDeterministicPerSalt() throws {
        let salt = [UInt8](repeating: 7, count: 16)
        let a = try MasterKey.derive(passphrase: "correct horse", salt: salt, cost: .minimum)
        let b = try MasterKey.derive(passphrase: "correct horse", salt: salt, cost: .minimum)
        let c = try MasterKey.derive(passphrase: "correct horse", salt: [UInt8](repeating: 8, count: 16), cost: .minimum)
        #expect(a == b)
        #expect(a != c)
        #expect(throws: VaultError.keyDerivationFailed(reason: "salt is 3 bytes, expected 16")) {
            try MasterKey.derive(passphrase: "x", salt: [1, 2, 3], cost: .minimum)
        }
    }
}
