import Foundation

/// `Softmax` on float tensors. From opset 13 along one axis (default −1); before 13 over the
/// input coerced to 2-D at `axis` (default 1), as the operator was then defined.
struct Softmax: Operator {
    let label: String
    let axis: Int64
    let coerced: Bool

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        coerced = c.opset < 13
        axis = try c.int("axis", default: coerced ? 1 : -1)
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let shape = try requireFloat(type(inputs, 0), label)
        if let shape { _ = try NodeContextAxis.normalise(axis, rank: shape.count, label) }
        return [.tensor(.float, shape: shape)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        var x = try floats(t, label)
        let a = try NodeContextAxis.normalise(axis, rank: t.shape.count, label)
        let outer = Tensor.elementCount(Array(t.shape[..<a])) ?? 0
        let length = coerced ? (Tensor.elementCount(Array(t.shape[a...])) ?? 0) : t.shape[a]
        let inner = coerced ? 1 : (Tensor.elementCount(Array(t.shape[(a + 1)...])) ?? 0)
        guard length > 0 else { return [.tensor(t)] }
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var top = -Float.infinity
                for j in 0..<length { top = max(top, x[base + j * inner]) }
                var sum: Float = 0
                for j in 0..<length {
                    let e = exp(x[base + j * inner] - top)
                    x[base + j * inner] = e
                    sum += e
                }
                for j in 0..<length { x[base + j * inner] /= sum }
            }
        }
        return [.tensor(Tensor(unchecked: t.shape, .float(x)))]
    }
}

/// Axis normalisation for kernels that only learn the rank when they run.
enum NodeContextAxis {
    /// `axis` in 0..<rank (negative counts from the end), or `invalidAttribute`.
    static func normalise(_ axis: Int64, rank: Int, _ label: String, allowEnd: Bool = false) throws(ONNXError) -> Int {
        let limit = Int64(rank) + (allowEnd ? 1 : 0)
        let n = axis < 0 ? axis + limit : axis
        guard n >= 0, n < limit else {
            throw .invalidAttribute(node: label, attribute: "axis", reason: "is \(axis), expected \(-limit)...\(limit - 1) for rank \(rank)")
        }
        return Int(n)
    }
}

// MARK: - ArgMax

/// `ArgMax` over one axis of a float, double, int64 or int32 tensor; int64 indices, first
/// (or with `select_last_index`, last) maximum.
struct ArgMax: Operator {
    let label: String
    let axis: Int64
    let keepDims: Bool
    let selectLast: Bool

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        axis = try c.int("axis", default: 0)
        keepDims = try c.int("keepdims", default: 1) != 0
        selectLast = try c.int("select_last_index", default: 0) != 0
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        guard let shape = try requireNumeric(type(inputs, 0), label) else { return [.tensor(.int64, shape: nil)] }
        let a = try NodeContextAxis.normalise(axis, rank: shape.count, label)
        var out = shape
        if keepDims { out[a] = .fixed(1) } else { out.remove(at: a) }
        return [.tensor(.int64, shape: out)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let x: [Double]
        switch t.storage {
        case .float(let v): x = v.map(Double.init)
        case .double(let v): x = v
        case .int64(let v): x = v.map(Double.init)
        case .int32(let v): x = v.map(Double.init)
        default: throw .unsupportedType(node: label, found: "tensor(\(t.elementType))", supported: "tensor(float|double|int64|int32)")
        }
        let a = try NodeContextAxis.normalise(axis, rank: t.shape.count, label)
        let outer = Tensor.elementCount(Array(t.shape[..<a])) ?? 0
        let length = t.shape[a]
        let inner = Tensor.elementCount(Array(t.shape[(a + 1)...])) ?? 0
        guard length > 0 else { throw .shapeMismatch(node: label, reason: "ArgMax over an empty axis \(a) of \(t.shape)") }
        var result: [Int64] = []
        result.reserveCapacity(outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * length * inner + i
                var best = 0
                for j in 1..<max(1, length) {
                    let v = x[base + j * inner], b = x[base + best * inner]
                    if v > b || (selectLast && v == b) { best = j }
                }
                result.append(Int64(best))
            }
        }
        var shape = t.shape
        if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
        return [.tensor(Tensor(unchecked: shape, .int64(result)))]
    }
}
