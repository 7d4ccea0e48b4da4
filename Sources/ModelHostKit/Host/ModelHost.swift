public import DatatrustKit
public import Foundation
public import HECore
public import LedgerCore
internal import SodiumSupport
public import MarketKit
public import ONNXKit

/// A model host: serves predictions of the `$Model`s whose ONNX files it holds, to callers who
/// logged in by signed nonce and paid through a prepaid bundle (`UseBundle`) naming this host.
///
/// It reads the chain only through a `ChainState` provider (a `ChainFollower` in a server),
/// never the writer; uses it served are reported on chain with ``pendingReports()``. See the
/// ModelHostKit catalogue for the protocol.
public actor ModelHost {
    /// The host's name, as it appears in the login message.
    public nonisolated let name: String
    /// The address bundles must name as host (it signs the usage reports).
    public nonisolated let address: Address
    /// The encrypted model files.
    public nonisolated let library: ModelLibrary
    /// Largest accepted request body, bytes.
    public nonisolated let maxBodyBytes: Int
    /// Most rows per prediction call (each row is one paid use).
    public nonisolated let maxRows: Int
    private let chain: @Sendable () -> ChainState
    private let catchUp: (@Sendable () async throws -> Void)?
    private let journal: UsageJournal?
    private let clock: @Sendable () -> UInt64
    private var meter: UseMeter
    private var encryptedLayers: [UInt64: EncryptedLinearLayer] = [:]
    /// Where encrypted layers placed by model owners are kept (`<model>.json`), if anywhere.
    public nonisolated let layerFolder: URL?
    private var nonces: [String: Int64] = [:]
    private var tokens: [String: (address: Address, expires: Int64)] = [:]
    /// Seconds a nonce and a token stay valid.
    public let nonceLifetime: Int64 = 300, tokenLifetime: Int64 = 3_600

    /// A host.
    /// - Parameters:
    ///   - name: the host's name, part of the login message callers sign.
    ///   - address: the address bundles must name as host; it signs the usage reports.
    ///   - library: the encrypted model files served.
    ///   - chain: the latest chain state (e.g. `{ follower.state }`).
    ///   - catchUp: brings `chain` up to the stored head (e.g. `follower.catchUp()`); called
    ///     once before refusing a model or bundle the view does not show yet, so a caller who
    ///     just minted or bought is not refused by a lagging view.
    ///   - clock: Unix seconds (wall time in a server, controlled in tests).
    ///   - meter: the uses already served per bundle.
    ///   - journal: where each admitted call is recorded before it is answered. Start `meter`
    ///     from it (`UseMeter(served: try journal.load())`) so that a restarted host does not
    ///     serve unreported uses again.
    ///   - maxBodyBytes: the largest accepted request body, bytes.
    ///   - maxRows: the most rows per prediction call.
    ///   - layerFolder: where encrypted layers placed by model owners are kept across restarts
    ///     (ciphertexts only); in memory only when nil.
    public init(
        name: String, address: Address, library: ModelLibrary, chain: @escaping @Sendable () -> ChainState,
        catchUp: (@Sendable () async throws -> Void)? = nil,
        clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) },
        meter: UseMeter = UseMeter(), journal: UsageJournal? = nil, maxBodyBytes: Int = 1 << 20, maxRows: Int = 1_000,
        layerFolder: URL? = nil
    ) {
        self.layerFolder = layerFolder
        self.name = name
        self.address = address
        self.library = library
        self.chain = chain
        self.catchUp = catchUp
        self.clock = clock
        self.journal = journal
        self.meter = meter
        self.maxBodyBytes = maxBodyBytes
        self.maxRows = maxRows
    }

    // MARK: - Login

    /// The EIP-191 message a caller signs: the datatrust's login message with this host's name.
    public nonisolated func loginMessage(nonce: String, expires: Int64) -> String {
        Datatrust.loginMessage(datatrust: name, nonce: nonce, expires: expires)
    }

    /// The EIP-712 typed data a wallet may sign instead of ``loginMessage(nonce:expires:)``
    /// (one `eth_signTypedData_v4`): the datatrust's typed login with this host's name in its
    /// `datatrust` field. ``issueToken(_:)`` accepts either signature.
    public nonisolated func loginTypedData(nonce: String, expires: Int64) -> TypedData {
        Datatrust.loginTypedData(datatrust: name, nonce: nonce, expires: expires)
    }

    /// Issues a single-use login nonce.
    public func makeNonce() -> HostChallenge {
        let nonce = Hex.encode(SecureRandom.bytes(32))
        let expires = Int64(clock()) + nonceLifetime
        nonces[nonce] = expires
        return HostChallenge(nonce: nonce, host: name, expires: expires, message: loginMessage(nonce: nonce, expires: expires))
    }

    /// Exchanges a signed nonce for a bearer token. The signature may be EIP-191 over
    /// ``loginMessage(nonce:expires:)`` or EIP-712 over ``loginTypedData(nonce:expires:)``.
    ///
    /// - Throws: `badRequest` for a malformed field; `unauthenticated` for an unknown, used or
    ///   expired nonce or another signer.
    public func issueToken(_ request: TokenRequest) throws(ModelHostError) -> HostToken {
        let address: Address
        do { address = try Address(request.address) } catch { throw .badRequest("address: \(error)") }
        let signature: Signature
        do { signature = try Signature(hex: request.signature) } catch { throw .badRequest("signature: \(error)") }
        let nonce = request.nonce.lowercased()
        guard let expires = nonces.removeValue(forKey: nonce) else {
            throw .unauthenticated("nonce: \(request.nonce.prefix(80)) is unknown or was already used; expected a fresh nonce from POST /auth/nonce")
        }
        let now = Int64(clock())
        guard now < expires else { throw .unauthenticated("nonce: expired at \(expires), now \(now); ask for a new one") }
        let signer: Address
        do { signer = try Datatrust.loginSigner(datatrust: name, nonce: nonce, expires: expires, signature: signature, claimed: address) } catch {
            throw .unauthenticated("signature: \(error)")
        }
        guard signer == address else {
            throw .unauthenticated("signature: made by \(signer.checksummed), expected \(address.checksummed) signing the login message (EIP-191) or typed login (EIP-712) for host \(name)")
        }
        let token = Hex.encode(SecureRandom.bytes(32))
        tokens[token] = (address, now + tokenLifetime)
        return HostToken(token: token, address: address.checksummed, expires: now + tokenLifetime)
    }

    /// The caller a bearer token stands for.
    ///
    /// - Throws: `unauthenticated` for an unknown or expired token.
    public func authenticate(bearer token: String) throws(ModelHostError) -> Address {
        guard let entry = tokens[token], Int64(clock()) < entry.expires else {
            throw .unauthenticated("Authorization: token unknown or expired; log in again via /auth/nonce and /auth/token")
        }
        return entry.address
    }

    // MARK: - Models

    /// The roles state, caught up once if `ready` is false on the current view.
    private func roles(ready: (RolesModule.State) -> Bool) async -> RolesModule.State {
        let now = chain().state(of: RolesModule.self)
        guard !ready(now), let catchUp else { return now }
        try? await catchUp()
        return chain().state(of: RolesModule.self)
    }

    /// The `$Model` token `id` as the chain shows it, with its file on this host.
    func onChainModel(_ id: UInt64) async throws(ModelHostError) -> (ModelToken, ONNXModel) {
        let roles = await roles { $0.models[id] != nil }
        guard let token = roles.models[id] else { throw .notFound("model \(id): no $Model token with this id on chain") }
        return (token, try library.model(token.modelHash))
    }

    /// Stores the file of `$Model` `id`, checking its Keccak-256 against the NFT's content hash.
    public func publish(model id: UInt64, file: [UInt8]) async throws(ModelHostError) -> Hash32 {
        let roles = await roles { $0.models[id] != nil }
        guard let token = roles.models[id] else { throw .notFound("model \(id): no $Model token with this id on chain (mint it first)") }
        return try library.add(file, expecting: token.modelHash)
    }

    /// Charges `rows` uses of `model` to `bundle` for `caller`, all or none. A call whose
    /// `requestID` was already charged (a retry whose answer was lost) is not charged again.
    private func charge(_ rows: Int, model: UInt64, bundle id: UInt64?, caller: Address, requestID: String?) async throws(ModelHostError) {
        guard let id else {
            throw .paymentRequired("bundle: missing; buy prepaid uses of model \(model) for host \(address.checksummed) (roles buyUseBundle) and name the bundle")
        }
        if let requestID, !ChargedRequest.isValidID(requestID) {
            throw .badRequest("requestID: \(requestID.prefix(80)) is not 1 to 64 characters of A-Z a-z 0-9 . _ : -")
        }
        let roles = await roles { $0.bundles[id] != nil }
        guard let bundle = roles.bundles[id] else {
            throw .paymentRequired("bundle \(id): no such bundle on chain (yet); buy uses of model \(model) for host \(address.checksummed)")
        }
        // No suspension from here to the assignment: the check and the count are one step.
        if let requestID, let earlier = meter.requests[requestID] {
            guard earlier.bundle == id, earlier.uses == UInt64(rows) else {
                throw .badRequest("requestID: \(requestID) was already charged \(earlier.uses) uses of bundle \(earlier.bundle); a retry must repeat that call, a new call needs a new request id")
            }
            guard bundle.buyer == caller, bundle.model == model else {
                throw .forbidden("requestID: \(requestID) was charged to bundle \(id) of \(bundle.buyer.checksummed) for model \(bundle.model), not to the caller \(caller.checksummed) for model \(model)")
            }
            return
        }
        var trial = meter
        let now = clock()
        for _ in 0..<rows { try trial.admit(bundle, caller: caller, host: address, model: model, now: now) }
        if let requestID { trial.remember(requestID, bundle: id, uses: UInt64(rows)) }
        try journal?.record(bundle: id, served: trial.served[id] ?? 0, request: requestID.map { ($0, UInt64(rows)) })
        meter = trial
    }

    /// Predictions for `rows` (one paid use per row).
    ///
    /// - Parameters:
    ///   - id: the model's token id on chain.
    ///   - bundle: the caller's prepaid bundle; nil is refused with `paymentRequired`.
    ///   - rows: the input rows, 1 to ``maxRows``.
    ///   - caller: the logged-in address the bundle must belong to.
    ///   - requestID: the caller's name for this call; a retry with the same id, bundle
    ///     and number of rows is answered without a second charge (after a lost answer or a host
    ///     restart, since the id is journalled with the charge).
    /// - Throws: `paymentRequired`/`forbidden` from the bundle check; `badRequest` for rows that
    ///   do not fit the model or a request id reused for another call; `notFound` for an unknown model.
    public func predict(model id: UInt64, bundle: UInt64?, rows: [[Float]], caller: Address, requestID: String? = nil) async throws(ModelHostError) -> Prediction {
        guard !rows.isEmpty, rows.count <= maxRows else { throw .badRequest("rows: \(rows.count), expected 1...\(maxRows)") }
        let (_, onnx) = try await onChainModel(id)
        guard let input = onnx.inputs.first else { throw .unprocessable("model \(id) has no input") }
        let tensor: Tensor
        do { tensor = try Tensor(rows: rows) } catch { throw .badRequest("rows: \(error)") }
        // Run first so that a call the model refuses costs nothing.
        let outputs: [String: Value]
        do { outputs = try onnx.run([input.name: tensor]) } catch { throw .badRequest("rows: the model refused them: \(error)") }
        try await charge(rows.count, model: id, bundle: bundle, caller: caller, requestID: requestID)
        return Prediction(model: id, outputs: onnx.outputs.compactMap { port in outputs[port.name].map { PredictionOutput(name: port.name, value: $0) } })
    }

    /// Encrypted scores Enc(W·x + b) of the model's first linear layer for one encrypted row
    /// (one paid use); the host never sees the features or the scores.
    public func predictEncrypted(model id: UInt64, bundle: UInt64?, row: Paillier.EncryptedVector, caller: Address) async throws(ModelHostError) -> [Paillier.EncryptedNumber] {
        let (_, onnx) = try await onChainModel(id)
        let layer: LinearLayer
        do { layer = try LinearLayer(firstLayerOf: onnx) } catch { throw .unprocessable("model \(id) has no linear first layer for encrypted inference: \(error)") }
        guard row.count == layer.features else { throw .badRequest("features: \(row.count) ciphertexts, expected \(layer.features)") }
        let scores: [Paillier.EncryptedNumber]
        do { scores = try layer.scores(encryptedFeatures: row) } catch { throw .badRequest("features: \(error)") }
        try await charge(1, model: id, bundle: bundle, caller: caller, requestID: nil)
        return scores
    }

    // MARK: - Encrypted weights

    /// Keeps the encrypted first layer of `$Model` `id`, placed by the model's owner: the host can
    /// then score plaintext rows with it (``predictWithEncryptedWeights(model:bundle:rows:caller:requestID:)``)
    /// without ever reading the weights.
    ///
    /// - Throws: `notFound` for an unknown model; `forbidden` unless `caller` owns the model's NFT;
    ///   `internalFailure` when the layer cannot be written to ``layerFolder``.
    public func placeEncryptedLayer(model id: UInt64, layer: EncryptedLinearLayer, caller: Address) async throws(ModelHostError) {
        _ = await roles { $0.models[id] != nil }
        guard chain().state(of: RolesModule.self).models[id] != nil, let owner = chain().ledger.nfts[id]?.owner else {
            throw .notFound("model \(id): no $Model token with this id on chain")
        }
        guard owner == caller else {
            throw .forbidden("model \(id) is owned by \(owner.checksummed), not by the caller \(caller.checksummed); only its owner places its encrypted layer")
        }
        if let layerFolder {
            do {
                try FileManager.default.createDirectory(at: layerFolder, withIntermediateDirectories: true)
                try EncryptedWire.layerJSON(layer).write(to: layerFolder.appendingPathComponent("\(id).json"), options: .atomic)
            } catch { throw .internalFailure("encrypted layer of model \(id): cannot write it: \(error.localizedDescription)") }
        }
        encryptedLayers[id] = layer
    }

    /// The encrypted layer of `$Model` `id`, from memory or ``layerFolder``.
    func encryptedLayer(_ id: UInt64) throws(ModelHostError) -> EncryptedLinearLayer {
        if let layer = encryptedLayers[id] { return layer }
        guard let file = layerFolder?.appendingPathComponent("\(id).json"), let data = try? Data(contentsOf: file) else {
            throw .notFound("model \(id): no encrypted layer on this host; its owner places one first (PUT /models/\(id)/encrypted-layer)")
        }
        let layer = try EncryptedWire.parseLayer(data)
        encryptedLayers[id] = layer
        return layer
    }

    /// Encrypted scores Enc(W·x + b) for plaintext `rows` under the model owner's key, computed
    /// from the encrypted layer the owner placed here (one paid use per row). The host sees the
    /// rows, never the weights or the scores.
    ///
    /// - Throws: `notFound` without a placed layer; `badRequest` for rows of the wrong width;
    ///   the bundle's refusals as for ``predict(model:bundle:rows:caller:requestID:)``.
    public func predictWithEncryptedWeights(
        model id: UInt64, bundle: UInt64?, rows: [[Double]], caller: Address, requestID: String? = nil
    ) async throws(ModelHostError) -> [[Paillier.EncryptedNumber]] {
        guard !rows.isEmpty, rows.count <= maxRows else { throw .badRequest("rows: \(rows.count), expected 1...\(maxRows)") }
        let layer = try encryptedLayer(id)
        if let bad = rows.firstIndex(where: { $0.count != layer.features }) {
            throw .badRequest("rows[\(bad)]: \(rows[bad].count) features, expected \(layer.features)")
        }
        var scores: [[Paillier.EncryptedNumber]] = []
        do { for row in rows { scores.append(try layer.scores(features: row)) } } catch { throw .badRequest("rows: \(error)") }
        try await charge(rows.count, model: id, bundle: bundle, caller: caller, requestID: requestID)
        return scores
    }

    // MARK: - Reporting

    /// The `reportBundleUses` calls that settle every use served but not yet reported, by bundle
    /// id, without marking them sent (see ``takeReports()``).
    public func pendingReports() -> [RolesModule.Call] {
        let roles = chain().state(of: RolesModule.self)
        return meter.served.keys.sorted().compactMap { id in
            guard let b = roles.bundles[id], !b.closed else { return nil }
            let n = meter.unreported(b)
            return n > 0 ? .reportBundleUses(bundle: id, count: n) : nil
        }
    }

    /// ``pendingReports()``, marked as sent: the host's key signs and sends them, and calls
    /// ``reportFailed(_:)`` for any the chain refuses. A chain view that has not caught up with a
    /// sent report therefore never makes the host report the same uses twice.
    public func takeReports() -> [RolesModule.Call] {
        let calls = pendingReports()
        for call in calls {
            if case .reportBundleUses(let id, _) = call { meter.markSubmitted(id, upTo: meter.served[id] ?? 0) }
        }
        return calls
    }

    /// Forgets a report taken by ``takeReports()`` that did not reach the chain.
    public func reportFailed(_ call: RolesModule.Call) {
        if case .reportBundleUses(let id, let n) = call { meter.reportFailed(id, count: n) }
    }

    /// The meter (for inspection and tests).
    public var usage: UseMeter { meter }
}

/// A login challenge: sign ``message`` (EIP-191), or the typed login built from these fields
/// (``ModelHost/loginTypedData(nonce:expires:)``, EIP-712), and send it with the nonce to `/auth/token`.
public struct HostChallenge: Codable, Sendable, Equatable {
    /// The nonce, 0x + 64 hex digits.
    public let nonce: String
    /// The host's name as it appears in the message.
    public let host: String
    /// Unix seconds after which the nonce is refused.
    public let expires: Int64
    /// The exact message to sign: the datatrust's login message with the host's name.
    public let message: String
}

/// A bearer token issued by a host.
public struct HostToken: Codable, Sendable, Equatable {
    /// The token, 64 hex digits.
    public let token: String
    /// Whose it is, EIP-55.
    public let address: String
    /// Unix seconds after which it is refused.
    public let expires: Int64
}
