import Foundation

/// The score transforms of ai.onnx.ml's linear operators.
enum PostTransform: String, Sendable {
    case none = "NONE", logistic = "LOGISTIC", softmax = "SOFTMAX", softmaxZero = "SOFTMAX_ZERO"

    init(_ c: NodeContext) throws(ONNXError) {
        let text = try c.string("post_transform", default: "NONE")
        guard let t = PostTransform(rawValue: text) else {
            throw .invalidAttribute(node: c.label, attribute: "post_transform", reason: "is \(text); supported: NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO")
        }
        self = t
    }

    /// Applies the transform to one row of scores in place.
    func apply(_ row: inout ArraySlice<Float>) {
        switch self {
        case .none: return
        case .logistic:
            // ONNX Runtime's form for the ML operators: 1 − v for negative scores, so tiny
            // probabilities carry the same float rounding as theirs.
            for i in row.indices {
                let v = 1 / (1 + exp(-abs(row[i])))
                row[i] = row[i] < 0 ? 1 - v : v
            }
        case .softmax:
            let top = row.max() ?? 0
            var sum: Float = 0
            for i in row.indices { row[i] = exp(row[i] - top); sum += row[i] }
            for i in row.indices { row[i] /= sum }
        case .softmaxZero:
            // Zero scores stay (nearly) zero: they are not exponentiated.
            let top = row.max() ?? 0
            let scale = exp(-top)
            var sum: Float = 0
            for i in row.indices {
                if abs(row[i]) > 1e-7 { row[i] = exp(row[i] - top); sum += row[i] } else { row[i] *= scale }
            }
            for i in row.indices { row[i] /= sum }
        }
    }
}

/// The rows and features of a classifier/regressor input: [N, F] or a single row [F].
func batchShape(_ t: Tensor, _ label: String) throws(ONNXError) -> (rows: Int, features: Int) {
    switch t.shape.count {
    case 1: return (1, t.shape[0])
    case 2: return (t.shape[0], t.shape[1])
    default: throw .shapeMismatch(node: label, reason: "input must be [N, F] or [F], found \(t.shape)")
    }
}

/// Static form of `batchShape`: the batch dimension and the feature dimension, when known.
func batchDimensions(_ shape: [Dimension]?, _ label: String) throws(ONNXError) -> (rows: Dimension, features: Dimension)? {
    guard let shape else { return nil }
    switch shape.count {
    case 1: return (.fixed(1), shape[0])
    case 2: return (shape[0], shape[1])
    default: throw .shapeMismatch(node: label, reason: "input must be [N, F] or [F], found rank \(shape.count)")
    }
}

// MARK: - LinearClassifier

/// ai.onnx.ml `LinearClassifier`: scores = X·Wᵀ + b, a post transform, and the label of the
/// highest score. One coefficient row with two labels is the binary case: the label is the
/// second one when the raw score is positive, and the scores become [1 − p, p] with p the
/// score after a LOGISTIC transform, or the raw score otherwise (as ONNX Runtime 1.32 does).
struct LinearClassifier: Operator {
    let label: String
    let coefficients: [Float]
    let intercepts: [Float]
    let classCount: Int
    let features: Int
    let labels: ClassMaps.Keys
    let transform: PostTransform

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1, outputs: 1...2)
        label = c.label
        coefficients = try c.floats("coefficients")
        intercepts = try c.floats("intercepts")
        let ints = try c.ints("classlabels_ints"), strings = try c.strings("classlabels_strings")
        guard ints.isEmpty != strings.isEmpty else {
            throw .invalidAttribute(node: c.label, attribute: "classlabels_ints", reason: "exactly one of classlabels_ints and classlabels_strings must be given")
        }
        labels = ints.isEmpty ? .string(strings) : .int64(ints)
        classCount = intercepts.isEmpty ? (labels.count == 2 ? 1 : labels.count) : intercepts.count
        guard classCount > 0, !coefficients.isEmpty, coefficients.count % classCount == 0 else {
            throw .invalidAttribute(node: c.label, attribute: "coefficients", reason: "has \(coefficients.count) values, expected a positive multiple of \(classCount) classes")
        }
        features = coefficients.count / classCount
        guard classCount == labels.count || (classCount == 1 && labels.count == 2) else {
            throw .invalidAttribute(node: c.label, attribute: "intercepts", reason: "gives \(classCount) classes for \(labels.count) labels")
        }
        transform = try PostTransform(c)
    }

    private var outputClasses: Int { classCount == 1 && labels.count == 2 ? 2 : classCount }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let dims = try batchDimensions(try requireNumeric(type(inputs, 0), label), label)
        if let dims { try checkEqual(dims.features, .fixed(features), label, "features of the input and of the coefficients") }
        let rows = dims?.rows ?? .symbolic(nil)
        let labelType: ElementType = if case .string = labels { .string } else { .int64 }
        return [.tensor(labelType, shape: [rows]), .tensor(.float, shape: [rows, .fixed(outputClasses)])]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let (rows, f) = try batchShape(t, label)
        guard f == features else { throw .shapeMismatch(node: label, reason: "input has \(f) features, the coefficients \(features)") }
        let x = try numericAsFloats(t, label)
        var scores = matrixMultiply(x, coefficients, m: rows, k: features, n: classCount, transB: true)
        if !intercepts.isEmpty {
            for r in 0..<rows { for c in 0..<classCount { scores[r * classCount + c] += intercepts[c] } }
        }
        var winners: [Int] = []
        winners.reserveCapacity(rows)
        var out: [Float]
        if classCount == 1 {
            winners = scores.map { $0 > 0 ? 1 : 0 }
            if labels.count == 2 {
                // ONNX Runtime: the logistic transform (if any) first, then [1 − p, p].
                out = []
                out.reserveCapacity(rows * 2)
                for raw in scores {
                    var one = [raw][...]
                    if transform == .logistic { transform.apply(&one) }
                    let p = one[0]
                    out.append(1 - p)
                    out.append(p)
                }
            } else {
                out = scores
                for r in 0..<rows { transform.apply(&out[r..<(r + 1)]) }
            }
        } else {
            for r in 0..<rows {
                var best = 0
                for c in 1..<classCount where scores[r * classCount + c] > scores[r * classCount + best] { best = c }
                winners.append(best)
            }
            out = scores
            for r in 0..<rows { transform.apply(&out[(r * classCount)..<((r + 1) * classCount)]) }
        }
        let labelTensor: Tensor
        switch labels {
        case .int64(let l): labelTensor = Tensor(unchecked: [rows], .int64(winners.map { l.count == 2 && classCount == 1 ? l[$0] : (l.count > $0 ? l[$0] : Int64($0)) }))
        case .string(let l): labelTensor = Tensor(unchecked: [rows], .string(winners.map { l.count > $0 ? l[$0] : String($0) }))
        }
        return [.tensor(labelTensor), .tensor(Tensor(unchecked: [rows, outputClasses], .float(out)))]
    }
}

// MARK: - LinearRegressor

/// ai.onnx.ml `LinearRegressor`: Y = X·Wᵀ + b for `targets` outputs (post transform NONE).
struct LinearRegressor: Operator {
    let label: String
    let coefficients: [Float]
    let intercepts: [Float]
    let targets: Int
    let features: Int

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        coefficients = try c.floats("coefficients")
        intercepts = try c.floats("intercepts")
        let t = try c.int("targets", default: 1)
        guard t >= 1, t <= 1 << 20 else { throw .invalidAttribute(node: c.label, attribute: "targets", reason: "is \(t), expected ≥ 1") }
        targets = Int(t)
        guard !coefficients.isEmpty, coefficients.count % targets == 0 else {
            throw .invalidAttribute(node: c.label, attribute: "coefficients", reason: "has \(coefficients.count) values, expected a positive multiple of \(targets) targets")
        }
        guard intercepts.isEmpty || intercepts.count == targets else {
            throw .invalidAttribute(node: c.label, attribute: "intercepts", reason: "has \(intercepts.count) values, expected \(targets)")
        }
        features = coefficients.count / targets
        let transform = try c.string("post_transform", default: "NONE")
        guard transform == "NONE" else {
            throw .invalidAttribute(node: c.label, attribute: "post_transform", reason: "is \(transform); supported: NONE")
        }
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        let dims = try batchDimensions(try requireNumeric(type(inputs, 0), label), label)
        if let dims { try checkEqual(dims.features, .fixed(features), label, "features of the input and of the coefficients") }
        return [.tensor(.float, shape: [dims?.rows ?? .symbolic(nil), .fixed(targets)])]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let (rows, f) = try batchShape(t, label)
        guard f == features else { throw .shapeMismatch(node: label, reason: "input has \(f) features, the coefficients \(features)") }
        var y = matrixMultiply(try numericAsFloats(t, label), coefficients, m: rows, k: features, n: targets, transB: true)
        if !intercepts.isEmpty { for r in 0..<rows { for j in 0..<targets { y[r * targets + j] += intercepts[j] } } }
        return [.tensor(Tensor(unchecked: [rows, targets], .float(y)))]
    }
}
