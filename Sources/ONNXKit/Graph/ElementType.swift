/// The tensor element types this runtime computes with (a subset of ONNX's `DataType`).
public enum ElementType: Int32, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// 32-bit IEEE float (ONNX `FLOAT`, 1).
    case float = 1
    /// 32-bit signed integer (ONNX `INT32`, 6).
    case int32 = 6
    /// 64-bit signed integer (ONNX `INT64`, 7).
    case int64 = 7
    /// UTF-8 string (ONNX `STRING`, 8).
    case string = 8
    /// Boolean (ONNX `BOOL`, 9).
    case bool = 9
    /// 64-bit IEEE float (ONNX `DOUBLE`, 11).
    case double = 11

    /// ONNX's name of the type, as in `tensor(float)`.
    public var description: String {
        switch self {
        case .float: "float"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .double: "double"
        }
    }

    /// The ONNX `DataType` code as text, naming unsupported codes too.
    static func name(ofCode code: Int32) -> String {
        if let known = ElementType(rawValue: code) { return known.description }
        let names: [Int32: String] = [0: "undefined", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 10: "float16",
                                      12: "uint32", 13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16"]
        return names[code] ?? "data type \(code)"
    }

    /// The supported types as a list for error messages.
    static let supportedList = "float, double, int32, int64, bool, string"
}
