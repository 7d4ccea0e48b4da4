import DataMarketTesting
import Foundation
import Testing
@testable import DatatrustKit
import LedgerCore
#if canImport(Glibc)
import Glibc
#endif

/// Files written and read in aligned blocks, directly where the file system takes `O_DIRECT`
/// and through the page cache when asked not to (what a file system that refuses it gets):
/// byte-exact at every size around the block and alignment boundaries, whatever the pieces, on
/// the temporary folder's file system and on tmpfs.
@Suite struct BlockFileTests {
    static var cases: [(folder: String, direct: Bool)] {
        let folders = [NSTemporaryDirectory()] + (FileManager.default.fileExists(atPath: "/dev/shm") ? ["/dev/shm"] : [])
        return folders.flatMap { [($0, true), ($0, false)] }
    }

    @Test(arguments: cases)
    func writesAndReadsBackByteExactAroundBlockAndAlignmentBoundaries(under base: String, direct asked: Bool) throws {
        let folder = TempFolder(under: URL(fileURLWithPath: base)); defer { folder.cleanup() }
        var rng = SplitMix64(seed: 18)
        let block = BlockFile.blockBytes, page = BlockFile.alignment
        for size in [0, 1, page - 1, page, page + 1, block - 1, block, block + 1, 3 * block + 92, 2 * block + page + 17, 9 * block + 5] {
            let data = rng.bytes(size)
            let path = folder.url.appendingPathComponent("f-\(size)").path
            let (fd, direct) = BlockFile.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, direct: asked)
            try #require(fd >= 0)
            if !asked { #expect(!direct) }
            let writer = BlockWriter(descriptor: fd, direct: direct)
            var at = 0, n = 0
            let pieces = [92, 65_552, 1, 200_003, block, 4096]
            while at < size {
                let end = min(at + pieces[n % pieces.count], size)
                #expect(data[at..<end].withUnsafeBytes { writer.write($0) } == 0)
                at = end
                n += 1
            }
            #expect(writer.finish() == 0)
            #expect(!writer.direct)
            // What `finish` leaves must take an unaligned rewrite in place (the vault's key wrap).
            if size >= 4 {
                #expect(pwrite(fd, [UInt8](data[0..<4]), 4, 0) == 4)
            }
            #expect(close(fd) == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(data), "size \(size) under \(base), direct \(direct)")

            let readFD = open(path, O_RDONLY | O_CLOEXEC)
            try #require(readFD >= 0)
            defer { close(readFD) }
            let reader = BlockReader(descriptor: readFD, direct: asked && BlockFile.enterDirect(readFD))
            var back: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_552)
            while true {
                let got = buffer.withUnsafeMutableBytes { reader.read(into: $0) }
                try #require(got >= 0)
                back += buffer[0..<got]
                if got < buffer.count { break }
            }
            #expect(back == data, "size \(size) under \(base)")
            var probe = [UInt8](repeating: 0, count: 1)
            #expect(probe.withUnsafeMutableBytes { reader.read(into: $0) } == 0)
        }
    }

    /// A reader given up in the middle of a file (its read-ahead thread waiting with every slot
    /// full) stops that thread before the file is closed, and a new reader of the same file
    /// still reads it whole.
    @Test func aReaderGivenUpMidFileStopsItsReadAhead() throws {
        let folder = TempFolder(); defer { folder.cleanup() }
        var rng = SplitMix64(seed: 20)
        let data = rng.bytes(12 * BlockFile.blockBytes + 1)
        let path = folder.url.appendingPathComponent("big").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        for round in 0..<20 {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            try #require(fd >= 0)
            let reader = BlockReader(descriptor: fd, direct: BlockFile.enterDirect(fd))
            var piece = [UInt8](repeating: 0, count: 100_000 * (round % 3 + 1))
            #expect(piece.withUnsafeMutableBytes { reader.read(into: $0) } == piece.count)
            #expect(piece == Array(data[0..<piece.count]))
            if round % 2 == 0 { usleep(20_000) }  // let the read-ahead fill its slots
            reader.stop()
            #expect(close(fd) == 0)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let reader = BlockReader(descriptor: fd, direct: BlockFile.enterDirect(fd))
        var whole = [UInt8](repeating: 0, count: data.count + 10)
        #expect(whole.withUnsafeMutableBytes { reader.read(into: $0) } == data.count)
        #expect(Array(whole[0..<data.count]) == data)
    }

    /// A writer abandoned with blocks still queued behind it stops its thread before its owner
    /// closes the file; what reached the file is a prefix of what was written.
    @Test func aWriterAbandonedMidFileStopsWritingBehind() throws {
        let folder = TempFolder(); defer { folder.cleanup() }
        var rng = SplitMix64(seed: 21)
        let data = rng.bytes(7 * BlockFile.blockBytes + 3)
        for round in 0..<10 {
            let path = folder.url.appendingPathComponent("abandoned-\(round)").path
            let (fd, direct) = BlockFile.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
            try #require(fd >= 0)
            let writer = BlockWriter(descriptor: fd, direct: direct)
            let cut = (round + 2) * data.count / 12
            #expect(data[0..<cut].withUnsafeBytes { writer.write($0) } == 0)
            writer.abandon()
            #expect(close(fd) == 0)
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written.count <= cut && written == Data(data[0..<written.count]), "round \(round): \(written.count) of \(cut)")
        }
    }

    /// On Linux's ext4 and XFS the blocks do go around the page cache: a file written by a
    /// direct writer is not left in memory (`mincore` of a mapping of it finds no page resident).
    @Test func aDirectWriteLeavesTheFileOutOfThePageCache() throws {
        let folder = TempFolder(); defer { folder.cleanup() }
        let path = folder.url.appendingPathComponent("direct").path
        let (fd, direct) = BlockFile.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC)
        try #require(fd >= 0)
        guard direct else {
            close(fd)
            return  // this file system does not take O_DIRECT: the other test covers the fallback
        }
        var rng = SplitMix64(seed: 19)
        let data = rng.bytes(8 * BlockFile.blockBytes)
        let writer = BlockWriter(descriptor: fd, direct: direct)
        #expect(data.withUnsafeBytes { writer.write($0) } == 0)
        #expect(writer.finish() == 0)
        #expect(close(fd) == 0)
        let readFD = open(path, O_RDONLY)
        try #require(readFD >= 0)
        defer { close(readFD) }
        let map = mmap(nil, data.count, PROT_READ, MAP_SHARED, readFD, 0)
        try #require(map != MAP_FAILED)
        defer { munmap(map, data.count) }
        var resident = [UInt8](repeating: 0, count: data.count / Int(getpagesize()))
        #expect(mincore(map, data.count, &resident) == 0)
        #expect(resident.filter { $0 & 1 == 1 }.count == 0, "pages of a direct write found in the page cache")
    }
}
