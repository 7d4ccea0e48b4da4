public import Foundation

/// The DataMarket checkout these helpers were built from: the nearest folder above this source
/// file that holds a `Package.swift`, so tests find committed fixtures and sources wherever the
/// checkout lives.
public enum PackageRoot {
    /// The checkout's root folder.
    public static let url: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `relativePath` under the root, e.g. `"Sources/ONNXKit/Proto/onnx-ml.pb.swift"`.
    public static func file(_ relativePath: String) -> URL { url.appendingPathComponent(relativePath) }
}
