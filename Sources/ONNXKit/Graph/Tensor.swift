/// A dense tensor: a shape and its elements in row-major order.
public struct Tensor: Sendable, Equatable {
    /// The elements, typed.
    public enum Storage: Sendable, Equatable {
        /// `float` elements.
        case float([Float])
        /// `double` elements.
        case double([Double])
        /// `int64` elements.
        case int64([Int64])
        /// `int32` elements.
        case int32([Int32])
        /// `bool` elements.
        case bool([Bool])
        /// `string` elements.
        case string([String])

        /// The number of elements stored.
        var count: Int {
            switch self {
            case .float(let v): v.count
            case .double(let v): v.count
            case .int64(let v): v.count
            case .int32(let v): v.count
            case .bool(let v): v.count
            case .string(let v): v.count
            }
        }

        /// The element type of the storage.
        var elementType: ElementType {
            switch self {
            case .float: .float
            case .double: .double
            case .int64: .int64
            case .int32: .int32
            case .bool: .bool
            case .string: .string
            }
        }
    }

    /// The dimensions (empty for a scalar).
    public let shape: [Int]
    /// The elements.
    public let storage: Storage

    /// A tensor of `shape` holding `storage`.
    ///
    /// - Throws: `invalidTensor` when a dimension is negative or the element count is not the
    ///   product of the dimensions.
    public init(shape: [Int], storage: Storage, name: String = "tensor") throws(ONNXError) {
        guard let expected = Tensor.elementCount(shape) else {
            throw .invalidTensor(name: name, reason: "shape \(shape) has a negative dimension or too many elements")
        }
        guard expected == storage.count else {
            throw .invalidTensor(name: name, reason: "shape \(shape) needs \(expected) elements, found \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
    }

    /// Internal initialiser for kernels whose shapes are correct by construction.
    init(unchecked shape: [Int], _ storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// A float tensor of `shape`.
    public init(shape: [Int], floats: [Float]) throws(ONNXError) { try self.init(shape: shape, storage: .float(floats)) }

    /// A `[rows.count, width]` float tensor from equally long rows.
    ///
    /// - Throws: `invalidTensor` when the rows differ in length.
    public init(rows: [[Float]]) throws(ONNXError) {
        let width = rows.first?.count ?? 0
        var flat: [Float] = []
        flat.reserveCapacity(rows.count * width)
        for (i, row) in rows.enumerated() {
            guard row.count == width else {
                throw .invalidTensor(name: "rows", reason: "row \(i) has \(row.count) values, expected \(width)")
            }
            flat.append(contentsOf: row)
        }
        self.init(unchecked: [rows.count, width], .float(flat))
    }

    /// The element type.
    public var elementType: ElementType { storage.elementType }
    /// The number of elements.
    public var count: Int { storage.count }

    /// The elements as floats, or nil for another element type.
    public var floats: [Float]? { if case .float(let v) = storage { v } else { nil } }
    /// The elements as 64-bit integers, or nil for another element type.
    public var int64s: [Int64]? { if case .int64(let v) = storage { v } else { nil } }

    /// The product of `shape`, or nil on a negative dimension or overflow.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            total = p
        }
        return total
    }
}
