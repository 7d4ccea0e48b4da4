import LedgerCore
import OpenAPIRuntime

extension NodeHandlers {
    /// Whether a `GET /blocks` request's Accept header prefers the binary page
    /// (``BinaryBlockPage``) to JSON: octet-stream listed with a higher quality than
    /// `application/json` and any wildcard. Ties, and the generated client's default (every type
    /// at 1.0), answer JSON, as the node always has.
    static func prefersBinary(_ accept: [AcceptHeaderContentType<Operations.GetBlocks.AcceptableContentType>]) -> Bool {
        var binary = -1.0, other = -1.0
        for entry in accept {
            switch entry.contentType {
            case .binary: binary = max(binary, entry.quality.doubleValue)
            case .json: other = max(other, entry.quality.doubleValue)
            case .other(let type):
                if type == "*/*" || type.lowercased() == "application/*" { other = max(other, entry.quality.doubleValue) }
            }
        }
        return binary > 0 && binary > other
    }

    /// The blocks `from...last` as a binary page (none when `from > last`): each block's stored
    /// record decoded (checksum and roots checked, as for the JSON page) and framed.
    func binaryBlocks(from: UInt64, through last: UInt64) throws -> Operations.GetBlocks.Output {
        var page: [UInt8] = []
        if from <= last {
            do {
                for height in from...last {
                    guard let block = try node.chain.store.block(at: height) else { break }
                    BinaryBlockPage.append(block.encoded, to: &page)
                }
            } catch { throw NodeError.internalFailure("reading blocks from \(from): \(error)") }
        }
        return .ok(.init(body: .binary(HTTPBody(page))))
    }
}
