import Foundation

extension Tensor {
    /// Decodes an initializer or constant (`TensorProto`): typed fields or little-endian
    /// `raw_data`. External data, segments and unsupported types are refused.
    init(proto: Onnx_TensorProto) throws(ONNXError) {
        let name = proto.name.isEmpty ? "(unnamed)" : proto.name
        guard proto.dataLocation == .default, proto.externalData.isEmpty else {
            throw .invalidTensor(name: name, reason: "external data is not supported; embed the tensor in the model")
        }
        guard !proto.hasSegment else { throw .invalidTensor(name: name, reason: "segmented tensors are not supported") }
        guard proto.dims.count <= 8 else { throw .invalidTensor(name: name, reason: "rank \(proto.dims.count), at most 8 supported") }
        var shape: [Int] = []
        for d in proto.dims {
            guard d >= 0, d <= Int64(Int32.max) else { throw .invalidTensor(name: name, reason: "dimension \(d) out of range") }
            shape.append(Int(d))
        }
        guard let count = Tensor.elementCount(shape), count <= 1 << 28 else {
            throw .invalidTensor(name: name, reason: "shape \(shape) has too many elements")
        }
        guard let type = ElementType(rawValue: proto.dataType) else {
            throw .invalidTensor(name: name, reason: "element type \(ElementType.name(ofCode: proto.dataType)) is not supported; expected one of \(ElementType.supportedList)")
        }
        let raw = proto.rawData
        let useRaw = !raw.isEmpty
        func rawValues<T>(_: T.Type, size: Int, _ make: (UInt64) -> T) throws(ONNXError) -> [T] {
            guard raw.count == count * size else {
                throw .invalidTensor(name: name, reason: "raw_data has \(raw.count) bytes, expected \(count * size) for shape \(shape)")
            }
            var out: [T] = []
            out.reserveCapacity(count)
            let bytes = [UInt8](raw)
            for i in 0..<count {
                var bits: UInt64 = 0
                for b in 0..<size { bits |= UInt64(bytes[i * size + b]) << (8 * UInt64(b)) }
                out.append(make(bits))
            }
            return out
        }
        func checked<T>(_ values: [T], field: String) throws(ONNXError) -> [T] {
            guard values.count == count else {
                throw .invalidTensor(name: name, reason: "\(field) has \(values.count) values, expected \(count) for shape \(shape)")
            }
            return values
        }
        let storage: Storage
        switch type {
        case .float:
            storage = .float(useRaw ? try rawValues(Float.self, size: 4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
                                    : try checked(proto.floatData, field: "float_data"))
        case .double:
            storage = .double(useRaw ? try rawValues(Double.self, size: 8) { Double(bitPattern: $0) }
                                     : try checked(proto.doubleData, field: "double_data"))
        case .int64:
            storage = .int64(useRaw ? try rawValues(Int64.self, size: 8) { Int64(bitPattern: $0) }
                                    : try checked(proto.int64Data, field: "int64_data"))
        case .int32:
            storage = .int32(useRaw ? try rawValues(Int32.self, size: 4) { Int32(bitPattern: UInt32(truncatingIfNeeded: $0)) }
                                    : try checked(proto.int32Data, field: "int32_data").map { $0 })
        case .bool:
            storage = .bool(useRaw ? try rawValues(Bool.self, size: 1) { $0 != 0 }
                                   : try checked(proto.int32Data, field: "int32_data").map { $0 != 0 })
        case .string:
            var strings: [String] = []
            for data in try checked(proto.stringData, field: "string_data") {
                guard let s = String(data: data, encoding: .utf8) else {
                    throw .invalidTensor(name: name, reason: "string_data is not UTF-8")
                }
                strings.append(s)
            }
            storage = .string(strings)
        }
        self.init(unchecked: shape, storage)
    }

    /// The tensor as a `TensorProto` (typed fields, not raw bytes), for building models.
    func proto(name: String) -> Onnx_TensorProto {
        var p = Onnx_TensorProto()
        p.name = name
        p.dims = shape.map(Int64.init)
        p.dataType = elementType.rawValue
        switch storage {
        case .float(let v): p.floatData = v
        case .double(let v): p.doubleData = v
        case .int64(let v): p.int64Data = v
        case .int32(let v): p.int32Data = v
        case .bool(let v): p.int32Data = v.map { $0 ? 1 : 0 }
        case .string(let v): p.stringData = v.map { Data($0.utf8) }
        }
        return p
    }
}
