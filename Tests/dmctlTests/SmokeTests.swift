import Testing

@Test func packageBuildsTheCLI() { #expect(Bool(true)) }
