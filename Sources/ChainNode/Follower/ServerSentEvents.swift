/// One message of a Server-Sent Events stream.
struct ServerSentEvent: Sendable, Equatable {
    /// The `id:` field (the node sends the block height), if any.
    var id: String?
    /// The `event:` field (`block` or `event` from a node), `message` when absent.
    var event: String
    /// The `data:` lines joined with `\n`.
    var data: String
}

/// Splits the bytes of a `text/event-stream` body into messages as they arrive, whatever the
/// chunk boundaries: lines end with LF (a CR before it is dropped), a blank line ends a
/// message, lines starting with `:` are comments (keep-alives).
struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var id: String?
    private var event: String?
    private var data: [String] = []

    /// Feeds a chunk and returns the messages it completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var out: [ServerSentEvent] = []
        for byte in bytes {
            guard byte == UInt8(ascii: "\n") else {
                line.append(byte)
                continue
            }
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            line.removeAll(keepingCapacity: true)
            if text.isEmpty {
                if event != nil || !data.isEmpty {
                    out.append(ServerSentEvent(id: id, event: event ?? "message", data: data.joined(separator: "\n")))
                }
                event = nil
                data = []
                continue
            }
            if text.hasPrefix(":") { continue }
            let field: Substring, value: Substring
            if let colon = text.firstIndex(of: ":") {
                field = text[..<colon]
                let rest = text[text.index(after: colon)...]
                value = rest.hasPrefix(" ") ? rest.dropFirst() : rest
            } else {
                (field, value) = (Substring(text), "")
            }
            switch field {
            case "id": id = String(value)
            case "event": event = String(value)
            case "data": data.append(String(value))
            default: continue  // `retry:` and unknown fields
            }
        }
        return out
    }
}
