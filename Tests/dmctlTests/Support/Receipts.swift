import Foundation

/// The value of field `name` of the first event of `kind` in a `--json` receipt.
func eventField(_ json: String, kind: String, _ name: String) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        let events = object["events"] as? [[String: Any]],
        let event = events.first(where: { $0["kind"] as? String == kind }),
        let fields = event["fields"] as? [String: String]
    else { return nil }
    return fields[name]
}
