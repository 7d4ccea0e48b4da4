@testable import DatatrustKit
import Testing

/// The datatrust's edge maps each error to one status, and the client reads that answer back
/// into the same error: the two mappings stay inverse as cases are added.
@Suite struct ErrorStatusTests {
    static let every: [DatatrustError] = [
        .badRequest("b"), .unauthenticated("u"), .forbidden("f"), .budgetExhausted("e"), .notFound("n"),
        .methodNotAllowed("m"), .conflict("c"), .payloadTooLarge("p"), .unprocessable("x"), .rateLimited("r"),
        .integrity("i"), .chainUnavailable("h"), .internalFailure("z"),
    ]

    @Test(arguments: every) func theClientReadsBackTheErrorTheServerAnswered(_ error: DatatrustError) {
        let status = DatatrustServer.status(for: error)
        #expect((400..<600).contains(status))
        let read = ClientMiddlewares.ErrorAnswers.error(status: status, code: error.code, detail: error.detail)
        if case .internalFailure = error {
            // The server's own failure is read back naming the answer it came as.
            #expect(read == .internalFailure("HTTP 500 internal_error: z"))
        } else {
            #expect(read == error)
        }
    }

    @Test func onlyServerFailuresAnswerWithA5xx() {
        let failures = Self.every.filter { DatatrustServer.status(for: $0) >= 500 }
        #expect(failures == [.integrity("i"), .chainUnavailable("h"), .internalFailure("z")])
    }

    @Test func anUnknownStatusBecomesAnInternalFailureNamingIt() {
        #expect(ClientMiddlewares.ErrorAnswers.error(status: 418, code: "teapot", detail: "short and stout")
                == .internalFailure("HTTP 418 teapot: short and stout"))
    }
}
