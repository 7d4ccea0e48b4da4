/// A value flowing through a graph: a tensor, or the per-row class maps ZipMap produces.
public enum Value: Sendable, Equatable {
    /// A dense tensor.
    case tensor(Tensor)
    /// ONNX `seq(map(K, float))`: one map per row, all with the same keys.
    case maps(ClassMaps)

    /// The tensor, or nil for maps.
    public var tensor: Tensor? { if case .tensor(let t) = self { t } else { nil } }
}

/// ZipMap's output: for each row, a map from class label to score. All rows share the keys.
public struct ClassMaps: Sendable, Equatable {
    /// The map keys: integer or string class labels.
    public enum Keys: Sendable, Equatable {
        /// `int64` labels.
        case int64([Int64])
        /// `string` labels.
        case string([String])

        /// The number of keys.
        public var count: Int {
            switch self {
            case .int64(let k): k.count
            case .string(let k): k.count
            }
        }
    }

    /// The keys, in the order of the score columns.
    public let keys: Keys
    /// `rows[i][j]`: the score of key `j` in row `i`.
    public let rows: [[Float]]
}

/// The static type of a graph value, as far as it is known at load time.
public enum ValueType: Sendable, Equatable, CustomStringConvertible {
    /// A tensor of an element type; `shape` nil when the rank is unknown.
    case tensor(ElementType, shape: [Dimension]?)
    /// A sequence of maps from `key` to float.
    case maps(key: ElementType)

    /// ONNX-style text, e.g. `tensor(float)[N,30]`.
    public var description: String {
        switch self {
        case .tensor(let type, let shape):
            "tensor(\(type))" + (shape.map { "[" + $0.map(\.description).joined(separator: ",") + "]" } ?? "")
        case .maps(let key): "seq(map(\(key),float))"
        }
    }

    /// The element type of a tensor type.
    var elementType: ElementType? { if case .tensor(let t, _) = self { t } else { nil } }
    /// The shape of a tensor type, nil when unknown.
    var shape: [Dimension]? { if case .tensor(_, let s) = self { s } else { nil } }
}

/// One dimension of a static shape: a fixed size or a named/unknown one (a batch size).
public enum Dimension: Sendable, Equatable, CustomStringConvertible {
    /// A known size.
    case fixed(Int)
    /// A size only known when the model runs (`nil` name: anonymous).
    case symbolic(String?)

    /// The size, if fixed.
    public var value: Int? { if case .fixed(let v) = self { v } else { nil } }

    /// The size or the symbol.
    public var description: String {
        switch self {
        case .fixed(let v): "\(v)"
        case .symbolic(let name): name ?? "?"
        }
    }
}
