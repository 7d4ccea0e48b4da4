import Foundation

// MARK: - Broadcasting (numpy's multidirectional rule, as ONNX specifies)

/// The broadcast shape of `a` and `b`, or nil when they do not broadcast.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard x == y || x == 1 || y == 1 else { return nil }
        out[i] = x == 1 ? y : x
    }
    return out
}

/// The static broadcast shape; unknown dimensions stay symbolic unless the other side fixes them.
func broadcastDimensions(_ a: [Dimension], _ b: [Dimension], _ label: String) throws(ONNXError) -> [Dimension] {
    let rank = max(a.count, b.count)
    var out: [Dimension] = []
    for i in 0..<rank {
        let x: Dimension = i < rank - a.count ? .fixed(1) : a[i - (rank - a.count)]
        let y: Dimension = i < rank - b.count ? .fixed(1) : b[i - (rank - b.count)]
        switch (x.value, y.value) {
        case (let p?, let q?):
            guard p == q || p == 1 || q == 1 else {
                throw .shapeMismatch(node: label, reason: "cannot broadcast [\(a.map(\.description).joined(separator: ","))] with [\(b.map(\.description).joined(separator: ","))]")
            }
            out.append(.fixed(p == 1 ? q : p))
        case (1?, _): out.append(y)
        case (_, 1?): out.append(x)
        case (nil, _): out.append(y.value != nil ? y : x)
        case (_, nil): out.append(x)
        }
    }
    return out
}

/// Row-major strides of `shape` aligned to `rank`, with 0 where the dimension is broadcast.
private func broadcastStrides(_ shape: [Int], rank: Int) -> [Int] {
    var strides = [Int](repeating: 0, count: rank)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        let target = i + (rank - shape.count)
        strides[target] = shape[i] == 1 ? 0 : step
        step *= shape[i]
    }
    return strides
}

/// Applies `f` element-wise with broadcasting.
func broadcastApply<T, R>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], _ out: [Int], _ f: (T, T) -> R) -> [R] {
    let count = Tensor.elementCount(out) ?? 0
    if aShape == bShape { return zip(a, b).map(f) }
    if b.count == 1 { let y = b[0]; return a.map { f($0, y) } }
    if a.count == 1 { let x = a[0]; return b.map { f(x, $0) } }
    let rank = out.count
    // Fast path: b is a trailing block (a bias row) repeated over a's leading dimensions.
    let bCore = Array(bShape.drop(while: { $0 == 1 }))
    if aShape == out, Array(out.suffix(bCore.count)) == bCore, !b.isEmpty, count % b.count == 0 {
        let block = b.count
        var result: [R] = []
        result.reserveCapacity(count)
        var i = 0
        while i < count {
            for j in 0..<block { result.append(f(a[i + j], b[j])) }
            i += block
        }
        return result
    }
    let sa = broadcastStrides(aShape, rank: rank), sb = broadcastStrides(bShape, rank: rank)
    var index = [Int](repeating: 0, count: rank)
    var ia = 0, ib = 0
    var result: [R] = []
    result.reserveCapacity(count)
    for _ in 0..<count {
        result.append(f(a[ia], b[ib]))
        var d = rank - 1
        while d >= 0 {
            index[d] += 1
            ia += sa[d]
            ib += sb[d]
            if index[d] < out[d] { break }
            ia -= sa[d] * out[d]
            ib -= sb[d] * out[d]
            index[d] = 0
            d -= 1
        }
    }
    return result
}

// MARK: - Add, Sub, Mul, Div

/// `Add`, `Sub`, `Mul`, `Div` with broadcasting, on float, double, int64 or int32 tensors of
/// the same type. Integer division truncates toward zero; division by zero is an error.
struct Binary: Operator {
    enum Kind: String, Sendable { case add = "Add", sub = "Sub", mul = "Mul", div = "Div" }
    let kind: Kind
    let label: String

    init(_ c: NodeContext, _ kind: Kind) throws(ONNXError) {
        try c.expect(inputs: 2...2)
        self.kind = kind
        label = c.label
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let a = type(inputs, 0), b = type(inputs, 1)
        _ = try requireNumeric(a, label)
        _ = try requireNumeric(b, label)
        if let ea = a?.elementType, let eb = b?.elementType, ea != eb {
            throw .unsupportedType(node: label, found: "tensor(\(ea)) and tensor(\(eb))", supported: "two inputs of the same type")
        }
        let element = a?.elementType ?? b?.elementType ?? .float
        guard let sa = a?.shape, let sb = b?.shape else { return [.tensor(element, shape: nil)] }
        return [.tensor(element, shape: try broadcastDimensions(sa, sb, label))]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let a = try tensor(inputs, 0, label), b = try tensor(inputs, 1, label)
        guard let out = broadcastShape(a.shape, b.shape) else {
            throw .shapeMismatch(node: label, reason: "cannot broadcast \(a.shape) with \(b.shape)")
        }
        let storage: Tensor.Storage
        switch (a.storage, b.storage) {
        case (.float(let x), .float(let y)):
            storage = .float(floating(x, a.shape, y, b.shape, out))
        case (.double(let x), .double(let y)):
            storage = .double(floating(x, a.shape, y, b.shape, out))
        case (.int64(let x), .int64(let y)):
            storage = .int64(try integer(x, a.shape, y, b.shape, out))
        case (.int32(let x), .int32(let y)):
            storage = .int32(try integer(x, a.shape, y, b.shape, out))
        default:
            throw .unsupportedType(node: label, found: "tensor(\(a.elementType)) and tensor(\(b.elementType))",
                                   supported: "two tensors of the same type among float, double, int64, int32")
        }
        return [.tensor(Tensor(unchecked: out, storage))]
    }

    /// IEEE arithmetic on float or double elements (division by zero gives ±inf or NaN).
    private func floating<T: FloatingPoint>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int]) -> [T] {
        switch kind {
        case .add: broadcastApply(x, xs, y, ys, out, +)
        case .sub: broadcastApply(x, xs, y, ys, out, -)
        case .mul: broadcastApply(x, xs, y, ys, out, *)
        case .div: broadcastApply(x, xs, y, ys, out, /)
        }
    }

    /// Wrapping integer arithmetic (as ONNX Runtime does); division by zero is refused.
    private func integer<T: FixedWidthInteger>(_ x: [T], _ xs: [Int], _ y: [T], _ ys: [Int], _ out: [Int]) throws(ONNXError) -> [T] {
        switch kind {
        case .add: return broadcastApply(x, xs, y, ys, out, &+)
        case .sub: return broadcastApply(x, xs, y, ys, out, &-)
        case .mul: return broadcastApply(x, xs, y, ys, out, &*)
        case .div:
            guard !y.contains(0) else { throw .shapeMismatch(node: label, reason: "integer division by zero") }
            return broadcastApply(x, xs, y, ys, out) { a, b in a.dividedReportingOverflow(by: b).partialValue }
        }
    }
}

// MARK: - Relu, Sigmoid, Tanh

/// `Relu`, `Sigmoid`, `Tanh` on float tensors.
struct Unary: Operator {
    enum Kind: Sendable { case relu, sigmoid, tanh }
    let kind: Kind
    let label: String

    init(_ c: NodeContext, _ kind: Kind) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        self.kind = kind
        label = c.label
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        [.tensor(.float, shape: try requireFloat(type(inputs, 0), label))]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let x = try floats(t, label)
        let y: [Float]
        switch kind {
        case .relu: y = x.map { max($0, 0) }
        case .sigmoid: y = x.map(logisticSigmoid)
        case .tanh: y = x.map { Foundation.tanh($0) }
        }
        return [.tensor(Tensor(unchecked: t.shape, .float(y)))]
    }
}

/// 1 / (1 + e^−x), computed without overflow for large |x|.
@inline(__always) func logisticSigmoid(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + exp(-x)) }
    let e = exp(x)
    return e / (1 + e)
}
