public import DatatrustKit
import Foundation
public import LedgerCore
public import ONNXKit
import Synchronization

/// The ONNX files a host serves, kept encrypted at rest in a DatatrustKit `Vault` and keyed by
/// their Keccak-256 (the `$Model` NFT's content hash); loaded models are cached in memory.
public final class ModelLibrary: Sendable {
    /// The encrypted store.
    public let vault: Vault
    private let cache = Mutex<[Hash32: ONNXModel]>([:])

    /// A library over `vault`.
    public init(vault: Vault) { self.vault = vault }

    /// Stores an ONNX file after checking it loads; returns its Keccak-256.
    ///
    /// - Throws: `unprocessable` for a file ONNXKit cannot load; `badRequest` when `expecting`
    ///   is given and differs; `internalFailure` when the vault fails.
    @discardableResult
    public func add(_ bytes: [UInt8], expecting: Hash32? = nil) throws(ModelHostError) -> Hash32 {
        let hash = Keccak256.hash(bytes)
        if let expecting, expecting != hash {
            throw .badRequest("model file: Keccak-256 is \(hash.hex), expected the $Model content hash \(expecting.hex)")
        }
        let model: ONNXModel
        do { model = try ONNXModel(serialized: Data(bytes)) } catch {
            throw .unprocessable("model file: not a model this host can run: \(error)")
        }
        do { _ = try vault.put(bytes, expecting: hash) } catch { throw .internalFailure("vault: \(error)") }
        cache.withLock { $0[hash] = model }
        return hash
    }

    /// Whether the file with this hash is stored.
    public func contains(_ hash: Hash32) -> Bool { vault.contains(hash) }

    /// The model with this content hash, decrypted and loaded on first use.
    ///
    /// - Throws: `notFound` when the host does not hold it.
    public func model(_ hash: Hash32) throws(ModelHostError) -> ONNXModel {
        if let m = cache.withLock({ $0[hash] }) { return m }
        guard vault.contains(hash) else { throw .notFound("model file \(hash.hex) is not stored on this host; publish it first") }
        let bytes: [UInt8]
        do { bytes = try vault.get(hash) } catch { throw .internalFailure("vault: \(error)") }
        let model: ONNXModel
        do { model = try ONNXModel(serialized: Data(bytes)) } catch { throw .internalFailure("stored model \(hash.hex) no longer loads: \(error)") }
        cache.withLock { $0[hash] = model }
        return model
    }
}
