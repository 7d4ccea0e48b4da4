import DataMarketTesting
import Foundation
import Testing

/// End-to-end tests of `dmctl key`, `hash`, `sign` and `verify` through the built binary.
@Suite struct KeyCommandTests {
    let home = CLIRunner.temporaryFolder("keys")
    var cli: CLIRunner { CLIRunner(environment: ["DMCTL_HOME": home.path, "DMCTL_PASSPHRASE": "test passphrase"]) }

    // Hardhat/Anvil account #0, a published development key.
    static let devKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
    static let devAddress = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    @Test func newKeyIsStoredEncryptedWithMode0600AndListed() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        let made = try await cli.runAsync(["key", "new", "--name", "alice", "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        let entry = try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: String]
        let address = try #require(entry?["address"])
        let file = home.appendingPathComponent("keys/alice.json")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("argon2id13") && text.contains("xchacha20poly1305"))
        let exported = try await cli.runAsync(["key", "export", "alice"])
        #expect(exported.status == 0)
        let secret = exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.count == 66 && !text.contains(String(secret.dropFirst(2))), "the key file must not hold the key in clear")
        let list = try await cli.runAsync(["key", "list"])
        #expect(list.stdout.contains("alice") && list.stdout.contains(address))
        let show = try await cli.runAsync(["key", "show", "alice"])
        #expect(show.stdout.contains(address) && !show.stdout.contains(secret))
    }

    @Test func importedKeyHasTheKnownAddressAndExportsTheSameKey() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        let imported = try await cli.runAsync(["key", "import", "--name", "dev"], stdin: KeyCommandTests.devKey + "\n")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains(KeyCommandTests.devAddress))
        let exported = try await cli.runAsync(["key", "export", "dev"])
        #expect(exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == KeyCommandTests.devKey)
    }

    @Test func failedImportsLeaveNoFileAndExitWithUsageStatus() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        for bad in ["0x1234", "zz" + String(repeating: "0", count: 62), String(repeating: "0", count: 64),
                    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"] {
            let r = try await cli.runAsync(["key", "import", "--name", "bad"], stdin: bad)
            #expect(r.status == 2, "input \(bad): \(r.stderr)")
            #expect(r.stderr.contains("standard input"))
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("keys").path)) ?? []
        #expect(files.isEmpty, "nothing may be left behind: \(files)")
    }

    @Test func aFolderAsStandardInputOrContentFileIsAStorageErrorNotACrash() async throws {
        let home = try TestHome()
        let folder = CLIRunner.temporaryFolder("dmctl-dir")
        defer { try? FileManager.default.removeItem(at: folder) }
        let imported = try await home.runner.runAsync(["key", "import", "--name", "k", "--home", home.url.path], stdinPath: folder.path)
        #expect(imported.status == 3, "key import < DIR: \(imported.stderr)")
        #expect(imported.stderr.contains("standard input"))
        try await home.initChainAsync(keys: ["alice"])
        let minted = try await home.runAsync(["nft", "mint", "--key", "alice", "--class", "data", "--content-file", folder.path])
        #expect(minted.status == 3, "nft mint --content-file DIR: \(minted.stderr)")
        #expect(minted.stderr.contains("--content-file"))
    }

    @Test func wrongPassphraseAndMissingPassphraseAreClearErrors() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        _ = try await cli.runAsync(["key", "import", "--name", "dev"], stdin: KeyCommandTests.devKey)
        let wrong = try await cli.runAsync(["key", "export", "dev"], env: ["DMCTL_PASSPHRASE": "not it"])
        #expect(wrong.status == 2 && wrong.stderr.contains("wrong passphrase for key 'dev'"))
        let none = try await cli.runAsync(["key", "export", "dev"], env: ["DMCTL_PASSPHRASE": ""])
        #expect(none.status == 2 && none.stderr.contains("DMCTL_PASSPHRASE"))
        let passFile = home.appendingPathComponent("pass.txt")
        try "test passphrase\n".write(to: passFile, atomically: true, encoding: .utf8)
        let viaFile = try await cli.runAsync(["key", "export", "dev", "--passphrase-file", passFile.path], env: ["DMCTL_PASSPHRASE": ""])
        #expect(viaFile.status == 0 && viaFile.stdout.contains(String(KeyCommandTests.devKey.dropFirst(2))))
        let duplicate = try await cli.runAsync(["key", "new", "--name", "dev"])
        #expect(duplicate.status == 1 && duplicate.stderr.contains("already exists"))
        let badName = try await cli.runAsync(["key", "new", "--name", "../evil"])
        #expect(badName.status == 2 && badName.stderr.contains("invalid"))
    }

    @Test func hashKeccakMatchesPublishedVectorsFromFileAndStdin() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        let empty = try await cli.runAsync(["hash", "keccak"], stdin: "")
        #expect(empty.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        let file = home.appendingPathComponent("abc.txt")
        try Data("abc".utf8).write(to: file)
        let abc = try await cli.runAsync(["hash", "keccak", file.path])
        #expect(abc.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        let missing = try await cli.runAsync(["hash", "keccak", home.appendingPathComponent("nope").path])
        #expect(missing.status == 3)
    }

    @Test func signProducesTheWalletSignatureAndVerifyChecksTheSigner() async throws {
        defer { try? FileManager.default.removeItem(at: home) }
        _ = try await cli.runAsync(["key", "import", "--name", "dev"], stdin: KeyCommandTests.devKey)
        let signed = try await cli.runAsync(["sign", "--key", "dev", "--message", "hello"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let signature = signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // eth-account 0.14.0: Account.sign_message(encode_defunct(text="hello"), devKey).signature
        #expect(signature == "0xf16ea9a3478698f695fd1401bfe27e9e4a7e8e3da94aa72b021125e31fa899cc573c48ea3fe1d4ab61a9db10c19032026e3ed2dbccba5a178235ac27f94504311c")
        let ok = try await cli.runAsync(["verify", "--address", KeyCommandTests.devAddress, "--message", "hello", "--signature", signature])
        #expect(ok.status == 0 && ok.stdout.contains(KeyCommandTests.devAddress))
        let otherMessage = try await cli.runAsync(["verify", "--address", KeyCommandTests.devAddress, "--message", "hellO", "--signature", signature])
        #expect(otherMessage.status == 1 && otherMessage.stderr.contains("not \(KeyCommandTests.devAddress)"))
        let badChecksum = try await cli.runAsync(["verify", "--address", "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--message", "hello", "--signature", signature])
        #expect(badChecksum.status == 2 && badChecksum.stderr.contains("--address"))
        let shortSignature = try await cli.runAsync(["verify", "--address", KeyCommandTests.devAddress, "--message", "hello", "--signature", "0x1234"])
        #expect(shortSignature.status == 2 && shortSignature.stderr.contains("--signature"))
    }
}
