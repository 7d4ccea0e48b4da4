import Testing
import LedgerCore

/// Digests cross-checked with pycryptodome 3.24.1 (`Crypto.Hash.keccak`, 256-bit), an
/// independent Keccak implementation, at the time these tests were written.
@Suite struct Keccak256Tests {
    /// `i mod 256` for i in 0 ..< count: a message that exercises every byte value.
    static func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0) } }

    @Test func emptyInputHashesToEthereumEmptyHash() {
        #expect(Keccak256.hash([UInt8]()).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hash("").hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abcMatchesPublishedDigest() {
        #expect(Keccak256.hash("abc").hex == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func isNotSHA3() {
        // SHA3-256("") is a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a.
        #expect(Keccak256.hash("").hex != "0xa7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test func quickBrownFoxMatchesPublishedDigest() {
        #expect(
            Keccak256.hash("The quick brown fox jumps over the lazy dog").hex
                == "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
    }

    @Test func nistStyle448And896BitMessagesMatch() {
        #expect(
            Keccak256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
                == "0x45d3b367a6904e6e8d502ee04999a7c27647f91fa845d456525fd352ae3d7371")
        #expect(
            Keccak256.hash(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ).hex == "0xf519747ed599024f3882238e5ab43960132572b7345fbeb9a90769dafd21ad67")
    }

    @Test func oneMillionLetterAMatches() {
        let digest = Keccak256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest.hex == "0xfadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }

    @Test(arguments: [
        (135, "0xcbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"),
        (136, "0x7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"),
        (137, "0xac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"),
        (272, "0xfdf2ec49e749960d3c8521a0219af8d03e30e2b3bf19bd16150ee0eaf133d66e"),
    ])
    func inputsAroundTheBlockBoundaryMatch(count: Int, expected: String) {
        #expect(Keccak256.hash(Self.pattern(count)).hex == expected)
    }

    @Test func splittingAtEveryOffsetEqualsOneShot() {
        let message = Self.pattern(300)
        let expected = Keccak256.hash(message)
        for cut in 0...message.count {
            var hasher = Keccak256()
            hasher.update(message[..<cut])
            hasher.update(message[cut...])
            #expect(hasher.finalize() == expected, "split at \(cut)")
        }
    }

    @Test func seededRandomChunkingEqualsOneShot() {
        var rng = SplitMix64(seed: 0x6b65_6363_616b)
        for _ in 0..<200 {
            let message = rng.bytes(Int.random(in: 0...700, using: &rng))
            var hasher = Keccak256()
            var offset = 0
            while offset < message.count {
                let length = min(Int.random(in: 0...150, using: &rng), message.count - offset)
                message[offset..<offset + length].withUnsafeBytes { hasher.update($0) }
                offset += length
            }
            #expect(hasher.finalize() == Keccak256.hash(message), "length \(message.count)")
        }
    }

    @Test func nonContiguousCollectionsHashLikeArrays() {
        let message = Self.pattern(400)
        let lazyBytes = (0..<400).lazy.map { UInt8(truncatingIfNeeded: $0) }
        #expect(Keccak256.hash(lazyBytes) == Keccak256.hash(message))
        var hasher = Keccak256()
        hasher.update(message[..<50])
        hasher.update(lazyBytes.dropFirst(50))
        #expect(hasher.finalize() == Keccak256.hash(message))
    }

    @Test func finalizeLeavesTheHasherUsable() {
        var hasher = Keccak256()
        hasher.update(Array("ab".utf8))
        let partial = hasher.finalize()
        hasher.update(Array("c".utf8))
        #expect(partial == Keccak256.hash("ab"))
        #expect(hasher.finalize() == Keccak256.hash("abc"))
    }

    @Test func stringAndUTF8BytesHashTheSame() {
        let text = "Grüße, 世界 🌍"
        #expect(Keccak256.hash(text) == Keccak256.hash(Array(text.utf8)))
    }
}
