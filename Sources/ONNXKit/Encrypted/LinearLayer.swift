/// The first affine map of a model, as plain numbers: scores = W·x + b for raw input rows x,
/// with the model's input normalisation (Scaler, or Sub/Div/Mul/Add by constants) folded in.
///
/// This is what encrypted inference evaluates: a linear model's scores (before its logistic or
/// softmax), or an MLP's first layer (before its activation).
public struct LinearLayer: Sendable, Equatable {
    /// `weights[k][j]`: output `k`, input feature `j`.
    public let weights: [[Double]]
    /// One bias per output.
    public let biases: [Double]
    /// The operator that produced the layer (e.g. `LinearClassifier`, `Gemm`, `MatMul+Add`).
    public let source: String

    /// The number of input features.
    public var features: Int { weights.first?.count ?? 0 }

    /// A layer from explicit weights and biases.
    ///
    /// - Throws: `shapeMismatch` when rows differ in length or biases do not match the rows.
    public init(weights: [[Double]], biases: [Double], source: String = "explicit") throws(ONNXError) {
        let width = weights.first?.count ?? 0
        guard !weights.isEmpty, width > 0, weights.allSatisfy({ $0.count == width }), biases.count == weights.count else {
            throw .shapeMismatch(node: source, reason: "a layer needs equal rows of weights and one bias per row")
        }
        self.weights = weights
        self.biases = biases
        self.source = source
    }

    /// The plaintext scores of one row (the reference the encrypted paths are checked against).
    public func scores(_ row: [Double]) -> [Double] {
        zip(weights, biases).map { w, b in zip(w, row).reduce(b) { $0 + $1.0 * $1.1 } }
    }

    /// Extracts the first linear layer fed by the model's (single) input.
    ///
    /// - Throws: `invalidGraph` naming the node where the walk stopped when the model does not
    ///   start with a supported affine chain (Identity, Cast, Flatten, Scaler, Sub/Div/Mul/Add by
    ///   constants) followed by LinearClassifier, LinearRegressor, Gemm or MatMul(+Add).
    public init(firstLayerOf model: ONNXModel) throws(ONNXError) {
        guard model.inputs.count == 1, case .tensor(_, let shape?)? = model.inputs[0].type, let f = shape.last?.value, f > 0 else {
            throw .invalidGraph(reason: "encrypted inference needs one input of shape [N, F] with F fixed")
        }
        var constants: [Int: Tensor] = [:]
        for (slot, t) in model.constantSlots { constants[slot] = t }
        // y_j = scale_j · x_j + offset_j, composed as the walk passes normalisation nodes.
        var scale = [Double](repeating: 1, count: f), offset = [Double](repeating: 0, count: f)
        var current = model.inputSlots[0]
        func perFeature(_ t: Tensor) -> [Double]? {
            guard let v = t.floats, v.count == f || v.count == 1 else { return nil }
            return v.count == 1 ? [Double](repeating: Double(v[0]), count: f) : v.map(Double.init)
        }
        var index = 0
        while index < model.steps.count {
            let step = model.steps[index]
            index += 1
            guard step.inputs.contains(current) else { continue }
            let label = (step.op as? any Labeled)?.label ?? "node"
            switch step.op {
            case is Identity, is Flatten:
                current = step.outputs[0] ?? -1
            case let c as Cast where c.target == .float:
                current = step.outputs[0] ?? -1
            case let s as Scaler:
                for j in 0..<f {
                    let o = s.offset.isEmpty ? 0 : Double(s.offset[s.offset.count == 1 ? 0 : j])
                    let k = s.scale.isEmpty ? 1 : Double(s.scale[s.scale.count == 1 ? 0 : j])
                    scale[j] *= k
                    offset[j] = (offset[j] - o) * k
                }
                current = step.outputs[0] ?? -1
            case let b as Binary:
                guard step.inputs.count == 2, step.inputs[0] == current, let other = step.inputs[1], let c = constants[other].flatMap(perFeature) else {
                    throw .invalidGraph(reason: "\(label): only an input combined with a per-feature constant can be folded into the encrypted layer")
                }
                for j in 0..<f {
                    switch b.kind {
                    case .add: offset[j] += c[j]
                    case .sub: offset[j] -= c[j]
                    case .mul: scale[j] *= c[j]; offset[j] *= c[j]
                    case .div: scale[j] /= c[j]; offset[j] /= c[j]
                    }
                }
                current = step.outputs[0] ?? -1
            case let l as LinearClassifier:
                let rows = (0..<l.classCount).map { k in (0..<l.features).map { Double(l.coefficients[k * l.features + $0]) } }
                let bias = l.intercepts.isEmpty ? [Double](repeating: 0, count: l.classCount) : l.intercepts.map(Double.init)
                self = try LinearLayer.folded(rows, bias, scale, offset, source: "LinearClassifier")
                return
            case let l as LinearRegressor:
                let rows = (0..<l.targets).map { k in (0..<l.features).map { Double(l.coefficients[k * l.features + $0]) } }
                let bias = l.intercepts.isEmpty ? [Double](repeating: 0, count: l.targets) : l.intercepts.map(Double.init)
                self = try LinearLayer.folded(rows, bias, scale, offset, source: "LinearRegressor")
                return
            case let g as Gemm:
                guard step.inputs[0] == current, !g.transA, let bSlot = step.inputs[1], let b = constants[bSlot], let bv = b.floats, b.shape.count == 2 else {
                    throw .invalidGraph(reason: "\(label): Gemm needs the input as A (not transposed) and constant weights B")
                }
                let (k, n) = g.transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
                let rows = (0..<n).map { o in (0..<k).map { j in Double(g.alpha) * Double(g.transB ? bv[o * k + j] : bv[j * n + o]) } }
                var bias = [Double](repeating: 0, count: n)
                if step.inputs.count > 2, let cSlot = step.inputs[2] {
                    guard let c = constants[cSlot]?.floats, c.count == n || c.count == 1 else {
                        throw .invalidGraph(reason: "\(label): Gemm's C must be a constant of \(n) values")
                    }
                    bias = (0..<n).map { Double(g.beta) * Double(c[c.count == 1 ? 0 : $0]) }
                }
                self = try LinearLayer.folded(rows, bias, scale, offset, source: "Gemm")
                return
            case is MatMul:
                guard step.inputs[0] == current, let bSlot = step.inputs[1], let b = constants[bSlot], let bv = b.floats, b.shape.count == 2 else {
                    throw .invalidGraph(reason: "\(label): MatMul needs the input on the left and constant weights on the right")
                }
                let (k, n) = (b.shape[0], b.shape[1])
                let rows = (0..<n).map { o in (0..<k).map { j in Double(bv[j * n + o]) } }
                var bias = [Double](repeating: 0, count: n)
                var source = "MatMul"
                // A following Add of a constant bias belongs to the layer.
                let product = step.outputs[0] ?? -1
                if let next = model.steps[index...].first(where: { $0.inputs.contains(product) }), let add = next.op as? Binary, add.kind == .add {
                    let other = next.inputs.first { $0 != product } ?? nil
                    if let other, let c = constants[other]?.floats, c.count == n || c.count == 1 {
                        bias = (0..<n).map { Double(c[c.count == 1 ? 0 : $0]) }
                        source = "MatMul+Add"
                    }
                }
                self = try LinearLayer.folded(rows, bias, scale, offset, source: source)
                return
            default:
                throw .invalidGraph(reason: "\(label): cannot be evaluated under encryption; expected a linear layer after the input normalisation")
            }
        }
        throw .invalidGraph(reason: "no linear layer follows the input")
    }

    /// W·(scale ⊙ x + offset) + b as a layer on raw x.
    private static func folded(_ w: [[Double]], _ b: [Double], _ scale: [Double], _ offset: [Double], source: String) throws(ONNXError) -> LinearLayer {
        guard let width = w.first?.count, width == scale.count else {
            throw .shapeMismatch(node: source, reason: "layer has \(w.first?.count ?? 0) inputs, the model input \(scale.count) features")
        }
        let weights = w.map { row in zip(row, scale).map { $0 * $1 } }
        let biases = zip(w, b).map { row, bias in zip(row, offset).reduce(bias) { $0 + $1.0 * $1.1 } }
        return try LinearLayer(weights: weights, biases: biases, source: source)
    }
}

/// Operators that carry their node's label (for messages about a walk over the graph).
protocol Labeled { var label: String { get } }
extension Identity: Labeled {}
extension Flatten: Labeled {}
extension Cast: Labeled {}
extension Scaler: Labeled {}
extension Binary: Labeled {}
extension LinearClassifier: Labeled {}
extension LinearRegressor: Labeled {}
extension Gemm: Labeled {}
extension MatMul: Labeled {}
extension Unary: Labeled {}
extension Softmax: Labeled {}
extension ArgMax: Labeled {}
extension Reshape: Labeled {}
extension Concat: Labeled {}
extension Normalizer: Labeled {}
extension ZipMap: Labeled {}
extension ArrayFeatureExtractor: Labeled {}
