import HTTPEdge
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct EdgeResponseTests {
    @Test func anErrorIsTheSortedJSONBodyWithItsStatusAndHeaders() {
        let response = EdgeResponse.error(code: "rate_limited", detail: "slow down / wait", status: 429, headers: [.retryAfter: "7"])
        #expect(response.status.code == 429)
        #expect(response.headers[.contentType] == "application/json")
        #expect(response.headers[.retryAfter] == "7")
    }

    @Test func theErrorBodyOnTheWireIsDetailThenError() async throws {
        let router = Router()
        router.get("/e") { _, _ in EdgeResponse.error(code: "not_found", detail: "market: \"x\" is unknown", status: 404) }
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/e", method: .get) { r in
                #expect(r.status.code == 404)
                #expect(String(buffer: r.body) == #"{"detail":"market: \"x\" is unknown","error":"not_found"}"#)
            }
        }
    }

    @Test func routerRefusalsAreReadFromTheFrameworksStatus() {
        #expect(RouterRefusal(HTTPError(.notFound)) == .noEndpoint)
        #expect(RouterRefusal(HTTPError(.methodNotAllowed)) == .methodNotServed)
        #expect(RouterRefusal(HTTPError(.contentTooLarge)) == .bodyTooLarge)
        #expect(RouterRefusal(HTTPError(.badRequest, message: "bad header")) == .other("bad header"))
        #expect(RouterRefusal(HTTPError(.unsupportedMediaType)) == .other("Unsupported Media Type"))
    }
}

@Suite struct BodyLimitTests {
    func app(limit: Int) -> some ApplicationProtocol {
        let router = Router()
        router.post("/b") { request, _ -> Response in
            var request = request
            do {
                let body = try await request.collectBody(limitedTo: limit)
                return EdgeResponse.json(["bytes": body.readableBytes])
            } catch let error as BodyTooLarge {
                return EdgeResponse.error(code: "payload_too_large", detail: error.detail, status: 413)
            }
        }
        return Application(router: router)
    }

    @Test func aBodyWithinTheLimitIsCollectedWhole() async throws {
        try await app(limit: 10).test(.router) { client in
            try await client.execute(uri: "/b", method: .post, body: ByteBuffer(string: "0123456789")) { r in
                #expect(r.status.code == 200)
                #expect(String(buffer: r.body) == #"{"bytes":10}"#)
            }
        }
    }

    @Test func aDeclaredLengthPastTheLimitIsRefusedNamingBoth() async throws {
        try await app(limit: 10).test(.router) { client in
            try await client.execute(uri: "/b", method: .post, body: ByteBuffer(string: "0123456789A")) { r in
                #expect(r.status.code == 413)
                #expect(String(buffer: r.body).contains("body: 11 bytes, expected at most 10"))
            }
        }
    }

    @Test func theDetailSaysWhatWasSentAndWhatIsAccepted() {
        #expect(BodyTooLarge(declared: 2_000, limit: 1_000).detail == "body: 2000 bytes, expected at most 1000")
        #expect(BodyTooLarge(declared: nil, limit: 1_000).detail == "body: larger than 1000 bytes, expected at most 1000")
    }
}
