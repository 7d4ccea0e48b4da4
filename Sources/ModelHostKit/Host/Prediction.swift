import ONNXKit

/// The JSON answer to a prediction: the model and each graph output.
public struct Prediction: Codable, Sendable, Equatable {
    /// The `$Model` id.
    public let model: UInt64
    /// The graph outputs in declaration order.
    public let outputs: [PredictionOutput]
}

/// One graph output as JSON: a tensor's shape and values (floats or integers), or per-row class
/// scores.
public struct PredictionOutput: Codable, Sendable, Equatable {
    /// The output's name.
    public let name: String
    /// The tensor's shape (nil for class maps).
    public let shape: [Int]?
    /// Float values, row-major.
    public let floats: [Float]?
    /// Integer values (labels), row-major.
    public let integers: [Int64]?
    /// Class keys of per-row score maps.
    public let classes: [String]?
    /// Per-row scores, in the order of `classes`.
    public let scores: [[Float]]?

    /// The JSON form of a graph value.
    init(name: String, value: Value) {
        self.name = name
        switch value {
        case .tensor(let t):
            shape = t.shape
            floats = t.floats
            integers = t.int64s
            classes = nil
            scores = nil
        case .maps(let m):
            shape = nil
            floats = nil
            integers = nil
            switch m.keys {
            case .int64(let k): classes = k.map(String.init)
            case .string(let k): classes = k
            }
            scores = m.rows
        }
    }
}
