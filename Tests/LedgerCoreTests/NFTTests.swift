import Testing
import LedgerCore

/// NFTs (data, model, portfolio) through signed transactions.
@Suite struct NFTTests {
    let alice = Fixture.alice, bob = Fixture.bob, carol = Fixture.carol

    func draft(_ kind: NFT.Kind = .data, links: [UInt64] = [], royalty: UInt16? = nil, metadata: [String: String] = ["name": "breast cancer"]) -> NFTDraft {
        NFTDraft(kind: kind, contentHash: Keccak256.hash(Array("content".utf8)), metadata: metadata,
                 royalty: royalty.map { NFT.Royalty(recipient: Fixture.alice.address, basisPoints: $0) }, links: links)
    }

    @Test func mintRecordsOwnerContentAndLinks() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(), to: nil), to: LedgerModule.self, from: alice)
        try chain.send(.mintNFT(draft: draft(.model, links: [1], royalty: 250), to: bob.address), to: LedgerModule.self, from: alice)
        let model = try #require(chain.state.ledger.nfts[2])
        #expect(model.owner == bob.address)
        #expect(model.kind == .model)
        #expect(model.links == [1])
        #expect(model.royalty?.basisPoints == 250)
        #expect(model.minter == .account(alice.address))
        #expect(model.mintedAt == Fixture.start)
        #expect(chain.state.ledger.nfts(ownedBy: alice.address).map(\.id) == [1])
        #expect(chain.state.ledger.nfts(ownedBy: bob.address).map(\.id) == [2])
    }

    @Test func onlyTheOwnerOrTheApprovedMayTransfer() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(), to: nil), to: LedgerModule.self, from: alice)
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: bob.address, owner: alice.address), on: chain) {
            try chain.send(.transferNFT(id: 1, to: bob.address), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: bob.address, owner: alice.address), on: chain) {
            try chain.send(.approveNFT(id: 1, spender: bob.address), to: LedgerModule.self, from: bob)
        }
        try chain.send(.approveNFT(id: 1, spender: carol.address), to: LedgerModule.self, from: alice)
        try chain.send(.transferNFT(id: 1, to: bob.address), to: LedgerModule.self, from: carol)
        #expect(chain.state.ledger.nfts[1]?.owner == bob.address)
        #expect(chain.state.ledger.nfts[1]?.approved == nil)
        // The approval was for one transfer only.
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: carol.address, owner: bob.address), on: chain) {
            try chain.send(.transferNFT(id: 1, to: carol.address), to: LedgerModule.self, from: carol)
        }
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: alice.address, owner: bob.address), on: chain) {
            try chain.send(.transferNFT(id: 1, to: alice.address), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.unknownNFT(7), on: chain) {
            try chain.send(.transferNFT(id: 7, to: alice.address), to: LedgerModule.self, from: alice)
        }
    }

    @Test func clearingAnApprovalRevokesIt() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(), to: nil), to: LedgerModule.self, from: alice)
        try chain.send(.approveNFT(id: 1, spender: carol.address), to: LedgerModule.self, from: alice)
        try chain.send(.approveNFT(id: 1, spender: nil), to: LedgerModule.self, from: alice)
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: carol.address, owner: alice.address), on: chain) {
            try chain.send(.transferNFT(id: 1, to: carol.address), to: LedgerModule.self, from: carol)
        }
    }

    @Test func linksToMissingNFTsAreRefused() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(), to: nil), to: LedgerModule.self, from: alice)
        try expectRefused(LedgerError.unknownLinkedNFT(id: 2, link: 5), on: chain) {
            try chain.send(.mintNFT(draft: draft(.portfolio, links: [1, 5]), to: nil), to: LedgerModule.self, from: alice)
        }
        try expectRefused(LedgerError.unknownLinkedNFT(id: 2, link: 2), on: chain) {  // not even itself
            try chain.send(.mintNFT(draft: draft(.portfolio, links: [2]), to: nil), to: LedgerModule.self, from: alice)
        }
    }

    @Test func royaltyAboveTenThousandBasisPointsIsRefused() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(royalty: 10_000), to: nil), to: LedgerModule.self, from: alice)
        try expectRefused(LedgerError.royaltyTooHigh(basisPoints: 10_001), on: chain) {
            try chain.send(.mintNFT(draft: draft(royalty: 10_001), to: nil), to: LedgerModule.self, from: alice)
        }
    }

    @Test func metadataAndLinkLimitsAreEnforced() throws {
        let chain = try Fixture.chain()
        let many = Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") })
        try expectRefused(LedgerError.invalidArgument(field: "metadata", reason: "at most 64 entries, got 65"), on: chain) {
            try chain.send(.mintNFT(draft: draft(metadata: many), to: nil), to: LedgerModule.self, from: alice)
        }
        let large = ["blob": String(repeating: "x", count: 4093)]
        try expectRefused(LedgerError.invalidArgument(field: "metadata", reason: "at most 4096 bytes, got 4097"), on: chain) {
            try chain.send(.mintNFT(draft: draft(metadata: large), to: nil), to: LedgerModule.self, from: alice)
        }
        try chain.send(.mintNFT(draft: draft(metadata: ["blob": String(repeating: "x", count: 4092)]), to: nil), to: LedgerModule.self, from: alice)
        try expectRefused(LedgerError.invalidArgument(field: "links", reason: "at most 1024 links, got 1025"), on: chain) {
            try chain.send(.mintNFT(draft: draft(links: Array(repeating: 1, count: 1025)), to: nil), to: LedgerModule.self, from: alice)
        }
    }

    @Test func metadataUpdatesByTheOwnerOnlyWithinLimits() throws {
        let chain = try Fixture.chain()
        try chain.send(.mintNFT(draft: draft(metadata: ["name": "a", "tag": "x"]), to: nil), to: LedgerModule.self, from: alice)
        try chain.send(.updateNFTMetadata(id: 1, entries: ["name": "b", "tag": ""]), to: LedgerModule.self, from: alice)
        #expect(chain.state.ledger.nfts[1]?.metadata == ["name": "b"])
        try expectRefused(LedgerError.notNFTOwner(id: 1, caller: bob.address, owner: alice.address), on: chain) {
            try chain.send(.updateNFTMetadata(id: 1, entries: ["name": "c"]), to: LedgerModule.self, from: bob)
        }
        try expectRefused(LedgerError.invalidArgument(field: "metadata", reason: "at most 64 entries and 4096 bytes after the update"), on: chain) {
            try chain.send(.updateNFTMetadata(id: 1, entries: ["big": String(repeating: "y", count: 4096)]), to: LedgerModule.self, from: alice)
        }
    }
}
