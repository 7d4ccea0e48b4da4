import Foundation

// MARK: - Scaler

/// ai.onnx.ml `Scaler`: Y = (X − offset) · scale, per feature (or one value for all).
struct Scaler: Operator {
    let label: String
    let offset: [Float]
    let scale: [Float]

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        offset = try c.floats("offset")
        scale = try c.floats("scale")
        guard offset.count <= 1 || scale.count <= 1 || offset.count == scale.count else {
            throw .invalidAttribute(node: c.label, attribute: "scale", reason: "has \(scale.count) values but offset has \(offset.count)")
        }
    }

    private func check(features: Int) throws(ONNXError) {
        for (name, v) in [("offset", offset), ("scale", scale)] where v.count > 1 && v.count != features {
            throw .shapeMismatch(node: label, reason: "\(name) has \(v.count) values for \(features) features")
        }
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let shape = try requireNumeric(type(inputs, 0), label)
        if let last = shape?.last?.value { try check(features: last) }
        return [.tensor(.float, shape: shape)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        var x = try numericAsFloats(t, label)
        let f = t.shape.last ?? 1
        try check(features: f)
        if f > 0 {
            let o = (0..<f).map { j in offset.isEmpty ? Float(0) : offset[offset.count == 1 ? 0 : j] }
            let s = (0..<f).map { j in scale.isEmpty ? Float(1) : scale[scale.count == 1 ? 0 : j] }
            var base = 0
            while base < x.count {
                for j in 0..<f { x[base + j] = (x[base + j] - o[j]) * s[j] }
                base += f
            }
        }
        return [.tensor(Tensor(unchecked: t.shape, .float(x)))]
    }
}

// MARK: - Normalizer

/// ai.onnx.ml `Normalizer`: each row divided by its MAX, L1 or L2 norm.
struct Normalizer: Operator {
    enum Norm: String, Sendable { case max = "MAX", l1 = "L1", l2 = "L2" }
    let label: String
    let norm: Norm

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        let text = try c.string("norm", default: "MAX")
        guard let n = Norm(rawValue: text) else {
            throw .invalidAttribute(node: c.label, attribute: "norm", reason: "is \(text); supported: MAX, L1, L2")
        }
        norm = n
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let shape = try requireNumeric(type(inputs, 0), label)
        _ = try batchDimensions(shape, label)
        return [.tensor(.float, shape: shape)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let (rows, width) = try batchShape(t, label)
        var x = try numericAsFloats(t, label)
        for r in 0..<rows where width > 0 {
            let row = x[(r * width)..<((r + 1) * width)]
            let d: Float
            switch norm {
            case .max: d = row.max() ?? 1
            case .l1: d = row.reduce(0) { $0 + abs($1) }
            case .l2: d = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            }
            for i in (r * width)..<((r + 1) * width) { x[i] /= d }
        }
        return [.tensor(Tensor(unchecked: t.shape, .float(x)))]
    }
}

// MARK: - ZipMap

/// ai.onnx.ml `ZipMap`: each row of a [N, C] float tensor becomes a map from the C class labels
/// to the row's scores.
struct ZipMap: Operator {
    let label: String
    let keys: ClassMaps.Keys

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        let ints = try c.ints("classlabels_int64s"), strings = try c.strings("classlabels_strings")
        guard ints.isEmpty != strings.isEmpty else {
            throw .invalidAttribute(node: c.label, attribute: "classlabels_int64s", reason: "exactly one of classlabels_int64s and classlabels_strings must be given")
        }
        keys = ints.isEmpty ? .string(strings) : .int64(ints)
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let shape = try requireFloat(type(inputs, 0), label)
        if let dims = try batchDimensions(shape, label) { try checkEqual(dims.features, .fixed(keys.count), label, "score columns and class labels") }
        if case .string = keys { return [.maps(key: .string)] }
        return [.maps(key: .int64)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let x = try floats(t, label)
        let (rows, width) = try batchShape(t, label)
        guard width == keys.count else { throw .shapeMismatch(node: label, reason: "\(width) score columns for \(keys.count) class labels") }
        let maps = (0..<rows).map { Array(x[($0 * width)..<(($0 + 1) * width)]) }
        return [.maps(ClassMaps(keys: keys, rows: maps))]
    }
}

// MARK: - ArrayFeatureExtractor

/// ai.onnx.ml `ArrayFeatureExtractor`: selects the given indices along the last axis.
struct ArrayFeatureExtractor: Operator {
    let label: String

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 2...2)
        label = c.label
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        guard let x = type(inputs, 0), case .tensor(let e, let shape) = x else { return [.tensor(.float, shape: nil)] }
        if let y = type(inputs, 1), y.elementType != .int64 {
            throw .unsupportedType(node: label, found: "\(y) indices", supported: "tensor(int64)")
        }
        guard let shape, !shape.isEmpty else { return [.tensor(e, shape: nil)] }
        let lead: [Dimension] = shape.count == 1 ? [.fixed(1)] : Array(shape.dropLast())
        return [.tensor(e, shape: lead + [.symbolic(nil)])]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, label), y = try tensor(inputs, 1, label)
        guard case .int64(let indices) = y.storage else {
            throw .unsupportedType(node: label, found: "tensor(\(y.elementType)) indices", supported: "tensor(int64)")
        }
        guard let last = x.shape.last, last > 0 else { throw .shapeMismatch(node: label, reason: "cannot select from \(x.shape)") }
        for i in indices where i < 0 || i >= Int64(last) {
            throw .shapeMismatch(node: label, reason: "index \(i) outside 0..<\(last)")
        }
        let outer = x.count / last
        func pick<T>(_ v: [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(outer * indices.count)
            for o in 0..<outer { for i in indices { out.append(v[o * last + Int(i)]) } }
            return out
        }
        let storage: Tensor.Storage
        switch x.storage {
        case .float(let v): storage = .float(pick(v))
        case .double(let v): storage = .double(pick(v))
        case .int64(let v): storage = .int64(pick(v))
        case .int32(let v): storage = .int32(pick(v))
        case .bool(let v): storage = .bool(pick(v))
        case .string(let v): storage = .string(pick(v))
        }
        let shape = (x.shape.count == 1 ? [1] : Array(x.shape.dropLast())) + [indices.count]
        return [.tensor(Tensor(unchecked: shape, storage))]
    }
}
