package import Foundation
package import Hummingbird

/// The responses every server of the project builds the same way: JSON with sorted keys, and
/// the error body `{"detail": text, "error": code}` (the shape the three OpenAPI documents
/// declare).
package enum EdgeResponse {
    /// The encoder of every JSON body: sorted keys, compact.
    package static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    /// `value` as a JSON response with `status` (`{}` when it does not encode).
    package static func json<T: Encodable>(_ value: T, status: Int = 200) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return rawJSON(data, status: status)
    }

    /// Bytes that already are JSON, as a response with `status`.
    package static func rawJSON(_ data: some Sequence<UInt8>, status: Int = 200) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The JSON error body for `code` and `detail` with `status`, plus `headers`.
    package static func error(code: String, detail: String, status: Int, headers: HTTPFields = [:]) -> Response {
        var response = json(ErrorBody(error: code, detail: detail), status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    /// The wire shape of an error.
    struct ErrorBody: Encodable {
        let error: String
        let detail: String
    }
}
