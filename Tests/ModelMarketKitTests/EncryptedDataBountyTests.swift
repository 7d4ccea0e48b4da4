import Foundation
import Testing
import HECore
import LedgerCore
import ModelMarketKit

/// The encrypted path of seed 004 with HECore: owners encrypt their gradients under the
/// sponsor's Paillier key, the rotating aggregator adds ciphertexts, the sponsor decrypts
/// only the sum. The chain sees the key's fingerprint and hashes, never a gradient.
@Suite struct EncryptedDataBountyTests {
    /// Keccak-256 of an encrypted vector as delivered off chain (ciphertexts and exponents).
    func hash(_ v: Paillier.EncryptedVector) -> Hash32 {
        Keccak256.hash(v.elements.map { "\($0.ciphertext.decimalString):\($0.exponent)" }.joined(separator: ","))
    }

    @Test func fiveOwnersWithPaillierSecureAggregationReachTheTarget() throws {
        // 1024-bit keys keep the test fast; real bounties use 2048 bits or more.
        let key = try Paillier.PrivateKey.generate(bits: 1024)
        let fingerprint = Keccak256.hash(Array(key.publicKey.jwk()))
        let world = try World()
        var f = try DataBountyFixture(world: world, keyFingerprint: fingerprint)
        try f.joinAll()
        #expect(f.bounty?.terms.keyFingerprint == fingerprint)
        var previous = f.terms.initialError
        var expected = [UInt256](repeating: .zero, count: 5)
        var rounds = 0
        while f.bounty?.targetReachedAt == nil, rounds < 10 {
            rounds += 1
            let plain = f.gradients()
            let encrypted = try plain.map { try Paillier.EncryptedVector.encrypt($0, publicKey: key.publicKey) }
            // The aggregator sums what it received; it cannot read any single gradient.
            var sum = encrypted[0]
            for v in encrypted.dropFirst() { sum = try sum.adding(v) }
            try f.commitRound(encrypted.map(hash), aggregate: hash(sum))
            let decrypted = try key.decrypt(sum).map(\.doubleValue)
            let clear = (0..<31).map { j in plain.reduce(0) { $0 + $1[j] } }
            for j in 0..<31 { #expect(abs(decrypted[j] - clear[j]) < 1e-6 * max(1, abs(clear[j]))) }
            try f.post(sum: decrypted)
            let error = try #require(f.bounty?.rounds.last?.error)
            let effective = max(error, f.terms.targetError)
            if effective < previous {
                let p = try UInt256.multiplyThenDivide(f.terms.bounty, UInt256(previous - effective), UInt256(f.terms.initialError - f.terms.targetError)).quotient
                for i in 0..<5 { expected[i] = try expected[i] + (try p.dividedReportingRemainder(by: 5).quotient) }
            }
            previous = min(previous, error)
        }
        let b = try #require(f.bounty)
        #expect(b.targetReachedAt != nil && b.bestError <= f.terms.targetError, "best \(b.bestError) after \(rounds) rounds")
        for i in 0..<5 { #expect(b.owners[i].earned == expected[i]) }
        try f.reveal()
        try world.warp(3600)
        try f.send(.finalize(bounty: f.id), from: f.owner(5))
        let end = try #require(f.bounty)
        #expect(world.escrowHeld(end.escrow) == .zero && !end.sponsorSlashed)
        for i in 0..<5 { #expect(world.balance(f.owner(i + 1)) == (try u(1_000_000) + expected[i])) }
        #expect(world.balance(f.sponsor) == (try u(1_000_000) - end.paid))
        // Bounty paid ≤ bounty; a round at the target pays exactly what remains of the formula.
        #expect(end.paid <= f.terms.bounty)
    }
}
