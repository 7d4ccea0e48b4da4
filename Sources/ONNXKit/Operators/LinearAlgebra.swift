/// C[m×n] = A·B for row-major float matrices with optional transposes, accumulated in float
/// (as ONNX Runtime does), row by row so the inner loop vectorises.
func matrixMultiply(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    guard m > 0, n > 0, k > 0 else { return c }
    // B with shape [k, n] in row-major order, transposed once if needed.
    let bk: [Float]
    if transB {
        var t = [Float](repeating: 0, count: k * n)
        for j in 0..<n { for p in 0..<k { t[p * n + j] = b[j * k + p] } }
        bk = t
    } else {
        bk = b
    }
    c.withUnsafeMutableBufferPointer { cp in
        bk.withUnsafeBufferPointer { bp in
            a.withUnsafeBufferPointer { ap in
                guard let cBase = cp.baseAddress, let bBase = bp.baseAddress else { return }
                for i in 0..<m {
                    let row = cBase + i * n
                    for p in 0..<k {
                        let x = transA ? ap[p * m + i] : ap[i * k + p]
                        if x == 0 { continue }
                        let brow = bBase + p * n
                        for j in 0..<n { row[j] += x * brow[j] }
                    }
                }
            }
        }
    }
    return c
}

// MARK: - Gemm

/// `Gemm`: Y = alpha·A'·B' + beta·C for 2-D float A and B (A' and B' optionally transposed)
/// and C broadcastable to the result.
struct Gemm: Operator {
    let label: String
    let alpha: Float, beta: Float
    let transA: Bool, transB: Bool

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 2...3)
        label = c.label
        alpha = try c.float("alpha", default: 1)
        beta = try c.float("beta", default: 1)
        transA = try c.int("transA", default: 0) != 0
        transB = try c.int("transB", default: 0) != 0
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let a = try requireFloat(type(inputs, 0), label, "A"), b = try requireFloat(type(inputs, 1), label, "B")
        let c = try requireFloat(type(inputs, 2), label, "C")
        guard let a, let b else { return [.tensor(.float, shape: [.symbolic(nil), .symbolic(nil)])] }
        guard a.count == 2, b.count == 2 else {
            throw .shapeMismatch(node: label, reason: "A and B must be 2-D, found rank \(a.count) and \(b.count)")
        }
        let m = transA ? a[1] : a[0], ka = transA ? a[0] : a[1]
        let kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1]
        try checkEqual(ka, kb, label, "inner dimensions of A and B")
        if let c { _ = try broadcastDimensions([m, n], c, label) }
        return [.tensor(.float, shape: [m, n])]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let at = try tensor(inputs, 0, label), bt = try tensor(inputs, 1, label)
        let a = try floats(at, label, "A"), b = try floats(bt, label, "B")
        guard at.shape.count == 2, bt.shape.count == 2 else {
            throw .shapeMismatch(node: label, reason: "A and B must be 2-D, found \(at.shape) and \(bt.shape)")
        }
        let m = transA ? at.shape[1] : at.shape[0], k = transA ? at.shape[0] : at.shape[1]
        let kb = transB ? bt.shape[1] : bt.shape[0], n = transB ? bt.shape[0] : bt.shape[1]
        guard k == kb else { throw .shapeMismatch(node: label, reason: "inner dimensions \(k) (A) and \(kb) (B) differ") }
        var y = matrixMultiply(a, b, m: m, k: k, n: n, transA: transA, transB: transB)
        if alpha != 1 { for i in y.indices { y[i] *= alpha } }
        if inputs.count > 2, let cv = inputs[2] {
            guard case .tensor(let ct) = cv else { throw .unsupportedType(node: label, found: "seq(map)", supported: "tensor(float) C") }
            let c = try floats(ct, label, "C")
            guard let shape = broadcastShape([m, n], ct.shape), shape == [m, n] else {
                throw .shapeMismatch(node: label, reason: "C of shape \(ct.shape) does not broadcast to [\(m), \(n)]")
            }
            let scaled = beta == 1 ? c : c.map { $0 * beta }
            y = broadcastApply(y, [m, n], scaled, ct.shape, [m, n], +)
        }
        return [.tensor(Tensor(unchecked: [m, n], .float(y)))]
    }
}

// MARK: - MatMul

/// `MatMul` (numpy semantics) for float tensors: [..., M, K] · [K, N], or 1-D operands
/// (promoted and squeezed). Batched right-hand operands are not supported.
struct MatMul: Operator {
    let label: String

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 2...2)
        label = c.label
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let a = try requireFloat(type(inputs, 0), label, "A"), b = try requireFloat(type(inputs, 1), label, "B")
        guard let a, let b else { return [.tensor(.float, shape: nil)] }
        guard !a.isEmpty, (1...2).contains(b.count) else {
            throw .shapeMismatch(node: label, reason: "supported: A of rank ≥ 1 and B of rank 1 or 2, found rank \(a.count) and \(b.count)")
        }
        let k = a[a.count - 1]
        try checkEqual(k, b[0], label, "inner dimensions of A and B")
        var out = Array(a.dropLast())
        if b.count == 2 { out.append(b[1]) }
        return [.tensor(.float, shape: out)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let at = try tensor(inputs, 0, label), bt = try tensor(inputs, 1, label)
        let a = try floats(at, label, "A"), b = try floats(bt, label, "B")
        guard !at.shape.isEmpty, (1...2).contains(bt.shape.count) else {
            throw .shapeMismatch(node: label, reason: "supported: A of rank ≥ 1 and B of rank 1 or 2, found \(at.shape) and \(bt.shape)")
        }
        let k = at.shape[at.shape.count - 1]
        guard k == bt.shape[0] else { throw .shapeMismatch(node: label, reason: "inner dimensions \(k) (A) and \(bt.shape[0]) (B) differ") }
        let n = bt.shape.count == 2 ? bt.shape[1] : 1
        let m = k == 0 ? (Tensor.elementCount(Array(at.shape.dropLast())) ?? 0) : a.count / k
        let y = matrixMultiply(a, b, m: m, k: k, n: n)
        var shape = Array(at.shape.dropLast())
        if bt.shape.count == 2 { shape.append(n) }
        return [.tensor(Tensor(unchecked: shape, .float(y)))]
    }
}
