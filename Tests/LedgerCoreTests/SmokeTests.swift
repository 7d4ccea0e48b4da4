import Testing
@testable import LedgerCore

@Test func encodingVersionIsOne() { #expect(LedgerCoreInfo.encodingVersion == 1) }
