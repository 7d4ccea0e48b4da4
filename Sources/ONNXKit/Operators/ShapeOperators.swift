import Foundation

// MARK: - Identity

/// `Identity`: the input, unchanged (tensor or maps).
struct Identity: Operator {
    let label: String
    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
    }
    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] { [type(inputs, 0) ?? .tensor(.float, shape: nil)] }
    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        guard let v = inputs.first ?? nil else { throw .arity(node: label, reason: "input 0 is missing") }
        return [v]
    }
}

// MARK: - Reshape

/// `Reshape` to the shape given by the second (int64) input; 0 copies the input's dimension
/// (unless `allowzero`), −1 is inferred.
struct Reshape: Operator {
    let label: String
    let allowZero: Bool
    let constantShape: [Int64]?

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 2...2)
        label = c.label
        allowZero = try c.int("allowzero", default: 0) != 0
        if let s = c.constant(input: 1) {
            guard case .int64(let v) = s.storage, s.shape.count == 1 else {
                throw .unsupportedType(node: c.label, found: "shape tensor tensor(\(s.elementType))\(s.shape)", supported: "a 1-D tensor(int64)")
            }
            constantShape = v
        } else {
            constantShape = nil
        }
    }

    /// The output shape for an input of `input` elements per known dimension.
    func resolve(_ requested: [Int64], input: [Int]) throws(ONNXError) -> [Int] {
        var out: [Int] = []
        var inferred: Int?
        for (i, d) in requested.enumerated() {
            switch d {
            case -1:
                guard inferred == nil else { throw .shapeMismatch(node: label, reason: "more than one -1 in the requested shape \(requested)") }
                inferred = i
                out.append(1)
            case 0 where !allowZero:
                guard i < input.count else { throw .shapeMismatch(node: label, reason: "0 at position \(i) of \(requested) but the input has rank \(input.count)") }
                out.append(input[i])
            default:
                guard d >= 0, d <= Int64(Int32.max) else { throw .shapeMismatch(node: label, reason: "invalid dimension \(d) in \(requested)") }
                out.append(Int(d))
            }
        }
        guard let total = Tensor.elementCount(input), let known = Tensor.elementCount(out) else {
            throw .shapeMismatch(node: label, reason: "shape \(requested) is too large")
        }
        if let i = inferred {
            guard known > 0, total % known == 0 else {
                throw .shapeMismatch(node: label, reason: "cannot reshape \(input) (\(total) elements) to \(requested)")
            }
            out[i] = total / known
        } else if known != total {
            throw .shapeMismatch(node: label, reason: "cannot reshape \(input) (\(total) elements) to \(requested)")
        }
        return out
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        guard let a = type(inputs, 0), case .tensor(let e, let shape) = a else {
            if let a = type(inputs, 0) { throw .unsupportedType(node: label, found: "\(a)", supported: "a tensor") }
            return [.tensor(.float, shape: nil)]
        }
        guard let requested = constantShape else { return [.tensor(e, shape: nil)] }
        guard let shape, shape.allSatisfy({ $0.value != nil }) else {
            // Unknown input dimensions: copy what is fixed in the request, leave the rest symbolic.
            let known = shape ?? []
            return [.tensor(e, shape: requested.enumerated().map { i, d in
                d > 0 ? .fixed(Int(d)) : (d == 0 && !allowZero && i < known.count ? known[i] : .symbolic(nil))
            })]
        }
        return [.tensor(e, shape: try resolve(requested, input: shape.compactMap(\.value)).map { .fixed($0) })]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let requested: [Int64]
        if let constantShape { requested = constantShape } else {
            let s = try tensor(inputs, 1, label)
            guard case .int64(let v) = s.storage, s.shape.count == 1 else {
                throw .unsupportedType(node: label, found: "shape tensor tensor(\(s.elementType))\(s.shape)", supported: "a 1-D tensor(int64)")
            }
            requested = v
        }
        return [.tensor(Tensor(unchecked: try resolve(requested, input: t.shape), t.storage))]
    }
}

// MARK: - Flatten

/// `Flatten` to 2-D: [product of dimensions before `axis`, product of the rest].
struct Flatten: Operator {
    let label: String
    let axis: Int64

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        axis = try c.int("axis", default: 1)
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        guard let a = type(inputs, 0), case .tensor(let e, let shape) = a else { return [.tensor(.float, shape: nil)] }
        guard let shape else { return [.tensor(e, shape: [.symbolic(nil), .symbolic(nil)])] }
        let k = try NodeContextAxis.normalise(axis, rank: shape.count, label, allowEnd: true)
        func product(_ dims: ArraySlice<Dimension>) -> Dimension {
            var p = 1
            for d in dims { guard let v = d.value else { return dims.count == 1 ? d : .symbolic(nil) }; p *= v }
            return .fixed(p)
        }
        return [.tensor(e, shape: [product(shape[..<k]), product(shape[k...])])]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        let k = try NodeContextAxis.normalise(axis, rank: t.shape.count, label, allowEnd: true)
        let rows = Tensor.elementCount(Array(t.shape[..<k])) ?? 0, cols = Tensor.elementCount(Array(t.shape[k...])) ?? 0
        return [.tensor(Tensor(unchecked: [rows, cols], t.storage))]
    }
}

// MARK: - Cast

/// `Cast` between float, double, int64, int32, bool and string. Float to integer truncates
/// toward zero and saturates (NaN becomes 0); strings parse as numbers.
struct Cast: Operator {
    let label: String
    let target: ElementType

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...1)
        label = c.label
        let to = try c.int("to")
        guard let t = ElementType(rawValue: Int32(clamping: to)) else {
            throw .unsupportedType(node: c.label, found: "cast to \(ElementType.name(ofCode: Int32(clamping: to)))", supported: ElementType.supportedList)
        }
        target = t
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        guard let a = type(inputs, 0) else { return [.tensor(target, shape: nil)] }
        guard case .tensor(_, let shape) = a else { throw .unsupportedType(node: label, found: "\(a)", supported: "a tensor") }
        return [.tensor(target, shape: shape)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let t = try tensor(inputs, 0, label)
        if t.elementType == target { return [.tensor(t)] }
        // Via Double for numbers (exact for every int32 and float; int64 beyond 2^53 rounds).
        let storage: Tensor.Storage
        if case .string(let s) = t.storage {
            var values: [Double] = []
            for (i, text) in s.enumerated() {
                guard let v = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw .unsupportedType(node: label, found: "string element \(i) '\(text)'", supported: "strings that are numbers")
                }
                values.append(v)
            }
            storage = convert(values)
        } else {
            let values: [Double]
            switch t.storage {
            case .float(let v): values = v.map(Double.init)
            case .double(let v): values = v
            case .int64(let v):
                if target == .string { return [.tensor(Tensor(unchecked: t.shape, .string(v.map { String($0) })))] }
                if target == .int32 { return [.tensor(Tensor(unchecked: t.shape, .int32(v.map { Int32(truncatingIfNeeded: $0) })))] }
                values = v.map(Double.init)
            case .int32(let v):
                if target == .int64 { return [.tensor(Tensor(unchecked: t.shape, .int64(v.map(Int64.init))))] }
                values = v.map(Double.init)
            case .bool(let v): values = v.map { $0 ? 1 : 0 }
            case .string: values = []
            }
            storage = convert(values)
        }
        return [.tensor(Tensor(unchecked: t.shape, storage))]
    }

    private func convert(_ v: [Double]) -> Tensor.Storage {
        switch target {
        case .float: .float(v.map { Float($0) })
        case .double: .double(v)
        case .int64: .int64(v.map { saturating($0) })
        case .int32: .int32(v.map { Int32(clamping: saturating($0)) })
        case .bool: .bool(v.map { $0 != 0 })
        case .string: .string(v.map { Float($0).description })
        }
    }

    private func saturating(_ x: Double) -> Int64 {
        if x.isNaN { return 0 }
        if x >= 9.223372036854775807e18 { return .max }
        if x <= -9.223372036854775808e18 { return .min }
        return Int64(x.rounded(.towardZero))
    }
}

// MARK: - Concat

/// `Concat` of tensors of one element type along `axis`.
struct Concat: Operator {
    let label: String
    let axis: Int64

    init(_ c: NodeContext) throws(ONNXError) {
        try c.expect(inputs: 1...64)
        label = c.label
        axis = try c.int("axis")
    }

    func outputTypes(_ inputs: [ValueType?]) throws(ONNXError) -> [ValueType] {
        var element: ElementType?
        var shapes: [[Dimension]] = []
        var allKnown = true
        for case let t? in inputs {
            guard case .tensor(let e, let s) = t else { throw .unsupportedType(node: label, found: "\(t)", supported: "tensors") }
            if let element, element != e { throw .unsupportedType(node: label, found: "tensor(\(element)) and tensor(\(e))", supported: "inputs of one type") }
            element = e
            if let s { shapes.append(s) } else { allKnown = false }
        }
        guard allKnown, let first = shapes.first, shapes.count == inputs.count else { return [.tensor(element ?? .float, shape: nil)] }
        let a = try NodeContextAxis.normalise(axis, rank: first.count, label)
        var out = first
        var total: Int? = 0
        for s in shapes {
            guard s.count == first.count else { throw .shapeMismatch(node: label, reason: "inputs of rank \(first.count) and \(s.count)") }
            for d in 0..<s.count where d != a { try checkEqual(first[d], s[d], label, "dimension \(d) of the inputs") }
            if let t = total, let v = s[a].value { total = t + v } else { total = nil }
        }
        out[a] = total.map { .fixed($0) } ?? .symbolic(nil)
        return [.tensor(element ?? .float, shape: out)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        var tensors: [Tensor] = []
        for i in inputs.indices { tensors.append(try tensor(inputs, i, label)) }
        guard let first = tensors.first else { throw .arity(node: label, reason: "needs at least one input") }
        let a = try NodeContextAxis.normalise(axis, rank: first.shape.count, label)
        var outShape = first.shape
        outShape[a] = 0
        for t in tensors {
            guard t.elementType == first.elementType else {
                throw .unsupportedType(node: label, found: "tensor(\(first.elementType)) and tensor(\(t.elementType))", supported: "inputs of one type")
            }
            guard t.shape.count == first.shape.count,
                  (0..<t.shape.count).allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
                throw .shapeMismatch(node: label, reason: "cannot concatenate \(first.shape) and \(t.shape) along axis \(a)")
            }
            outShape[a] += t.shape[a]
        }
        let outer = Tensor.elementCount(Array(first.shape[..<a])) ?? 0
        let inner = Tensor.elementCount(Array(first.shape[(a + 1)...])) ?? 0
        func join<T>(_ parts: [[T]]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for o in 0..<outer {
                for (p, t) in zip(parts, tensors) {
                    let chunk = t.shape[a] * inner
                    out.append(contentsOf: p[(o * chunk)..<((o + 1) * chunk)])
                }
            }
            return out
        }
        let storage: Tensor.Storage
        switch first.storage {
        case .float: storage = .float(join(tensors.compactMap { if case .float(let v) = $0.storage { v } else { nil } }))
        case .double: storage = .double(join(tensors.compactMap { if case .double(let v) = $0.storage { v } else { nil } }))
        case .int64: storage = .int64(join(tensors.compactMap { if case .int64(let v) = $0.storage { v } else { nil } }))
        case .int32: storage = .int32(join(tensors.compactMap { if case .int32(let v) = $0.storage { v } else { nil } }))
        case .bool: storage = .bool(join(tensors.compactMap { if case .bool(let v) = $0.storage { v } else { nil } }))
        case .string: storage = .string(join(tensors.compactMap { if case .string(let v) = $0.storage { v } else { nil } }))
        }
        return [.tensor(Tensor(unchecked: outShape, storage))]
    }
}
