// swift-tools-version: 6.0
// DataMarket: decentralised data and model markets. See README.md.
import PackageDescription

/// The upcoming-language features every target compiles with (applied to all of them below the
/// package, tests and examples included): existentials spelled `any P`, members visible only
/// through the modules a file imports itself, and imports internal unless marked `public`/`package`.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "DataMarket",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "LedgerCore", targets: ["LedgerCore"]),
        .library(name: "HECore", targets: ["HECore"]),
        .library(name: "MarketKit", targets: ["MarketKit"]),
        .library(name: "ModelMarketKit", targets: ["ModelMarketKit"]),
        .library(name: "DatatrustKit", targets: ["DatatrustKit"]),
        .library(name: "ONNXKit", targets: ["ONNXKit"]),
        .library(name: "ModelHostKit", targets: ["ModelHostKit"]),
        .library(name: "ChainNode", targets: ["ChainNode"]),
        .library(name: "LedgerPostgres", targets: ["LedgerPostgres"]),
        .library(name: "DatatrustPostgres", targets: ["DatatrustPostgres"]),
        .executable(name: "dmctl", targets: ["dmctl"]),
        // Test helpers for DataMarket's own tests and for users' tests of code built on it.
        .library(name: "DataMarketTesting", targets: ["DataMarketTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // AES-256-GCM for vault chunks (already in the graph through async-http-client and postgres-nio).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Runtime library only; the ONNX code is generated once (scripts/generate-onnx-proto.sh).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `swift package generate-documentation` for `make docs`; a plugin, so users' builds
        // do not compile it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Test-only: property tests that shrink a failing input and print a seed that replays it.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // DataMarketTesting runs dmctl as a child process without blocking a thread.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries (Debian -dev packages; scripts/setup.sh installs them)
        .systemLibrary(
            name: "CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CSecp256k1", pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(
            name: "CGMP", pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"])]),

        // MARK: - One wrapper per C library (package access; not products). Only these import
        // the C modules, so each library is initialised once and no C type reaches a public
        // signature.
        .target(name: "SodiumSupport", dependencies: ["CSodium"]),
        .target(name: "Secp256k1Support", dependencies: ["CSecp256k1", "SodiumSupport"]),
        .target(name: "GMPSupport", dependencies: ["CGMP"]),

        // The HTTP edge the three servers (datatrust, node, model host) share: the per-client
        // rate limiter, the JSON error body, body-size limits and the application setup.
        // Package access; not a product.
        .target(
            name: "HTTPEdge",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // MARK: - Libraries
        .target(
            name: "LedgerCore",
            dependencies: [
                "SodiumSupport", "Secp256k1Support",
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ]),
        // Paillier over GMP; depends on nothing else of the project but its C wrappers.
        .target(
            name: "HECore",
            dependencies: ["GMPSupport", "SodiumSupport"]),
        .target(
            name: "MarketKit",
            dependencies: ["LedgerCore"]),
        // ONNX models: loading (generated protobuf code), validation and float32 execution,
        // and encrypted inference of their linear layers through HECore.
        .target(
            name: "ONNXKit",
            dependencies: ["HECore", .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(
            name: "ModelMarketKit",
            dependencies: ["LedgerCore", "ONNXKit"]),

        .target(
            name: "DatatrustKit",
            dependencies: [
                "LedgerCore", "MarketKit", "SodiumSupport", "HTTPEdge",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources/openapi.json")]),

        // The chain's block store on PostgreSQL, shared by several processes on several
        // machines; a target of its own so that LedgerCore's users do not build postgres-nio.
        .target(
            name: "LedgerPostgres",
            dependencies: [
                "LedgerCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The datatrust's index on PostgreSQL, shared by several datatrust servers; a target of
        // its own so that DatatrustKit's users do not build postgres-nio. It reuses
        // LedgerPostgres's PostgresLocation (one URL parser for every PostgreSQL store).
        .target(
            name: "DatatrustPostgres",
            dependencies: [
                "DatatrustKit", "LedgerCore", "MarketKit", "LedgerPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The chain as a network service; nothing depends on it but dmctl. Its HTTP server and
        // client are generated from Resources/openapi.json (scripts/generate-openapi.sh).
        .target(
            name: "ChainNode",
            dependencies: [
                "LedgerCore", "MarketKit", "ModelMarketKit", "HTTPEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Resources/openapi.json")]),

        // A model host: $Model ONNX files encrypted at rest (DatatrustKit's vault), paid and
        // encrypted predictions over HTTP, uses metered against prepaid bundles on chain.
        .target(
            name: "ModelHostKit",
            dependencies: [
                "LedgerCore", "HECore", "MarketKit", "ONNXKit", "DatatrustKit", "SodiumSupport", "HTTPEdge",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/openapi.json")]),

        // MARK: - The CLI
        .executableTarget(
            name: "dmctl",
            dependencies: [
                "LedgerCore", "HECore", "MarketKit", "ModelMarketKit", "DatatrustKit", "ONNXKit", "ModelHostKit", "ChainNode",
                "LedgerPostgres", "DatatrustPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]),

        // MARK: - Testing (a product: users' tests of code built on DataMarket use it too)
        .target(
            name: "DataMarketTesting",
            dependencies: [
                "LedgerCore", "MarketKit", "DatatrustKit", "SodiumSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),

        // MARK: - Examples (built with the package so they keep compiling; run by dmctlTests'
        // ExamplesTests; deliberately not products)
        .executableTarget(name: "PaillierQuickStart", dependencies: ["HECore"], path: "Examples/PaillierQuickStart"),
        .executableTarget(name: "MarketRound", dependencies: ["LedgerCore", "MarketKit"], path: "Examples/MarketRound"),
        .executableTarget(
            name: "ModelBountyRound", dependencies: ["LedgerCore", "ModelMarketKit"], path: "Examples/ModelBountyRound"),
        .executableTarget(
            name: "EncryptedModelScoring", dependencies: ["HECore", "LedgerCore", "ModelMarketKit", "ONNXKit"],
            path: "Examples/EncryptedModelScoring"),
        .executableTarget(
            name: "DatatrustClientSession",
            dependencies: ["LedgerCore", "MarketKit", "DatatrustKit", .product(name: "Hummingbird", package: "hummingbird")],
            path: "Examples/DatatrustClientSession"),

        // MARK: - Tests
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: [
                "DataMarketTesting", "LedgerCore", "LedgerPostgres", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "HECoreTests",
            dependencies: ["DataMarketTesting", "HECore", "LedgerCore"],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "ONNXKitTests",
            dependencies: ["DataMarketTesting", "ONNXKit", "HECore", "LedgerCore", "SodiumSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "MarketKitTests",
            dependencies: ["DataMarketTesting", "MarketKit", "LedgerCore"]),
        .testTarget(
            name: "ModelMarketKitTests",
            dependencies: [
                "DataMarketTesting", "ModelMarketKit", "LedgerCore", "HECore", "ONNXKit", "MarketKit", "DatatrustKit", "ModelHostKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]),
        .testTarget(
            name: "DatatrustKitTests",
            dependencies: [
                "DataMarketTesting", "DatatrustKit", "LedgerCore", "MarketKit", "DatatrustPostgres", "LedgerPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "HTTPEdgeTests",
            dependencies: [
                "HTTPEdge", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "ChainNodeTests",
            dependencies: [
                "DataMarketTesting", "ChainNode", "LedgerCore", "MarketKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(
            name: "ModelHostKitTests",
            dependencies: [
                "DataMarketTesting", "ModelHostKit", "LedgerCore", "MarketKit", "HECore", "ONNXKit", "DatatrustKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]),
        .testTarget(
            name: "dmctlTests",
            dependencies: [
                "DataMarketTesting", "dmctl", "LedgerCore", "MarketKit", "ModelMarketKit", "DatatrustKit", "ONNXKit", "LedgerPostgres", "DatatrustPostgres",
                // Built before the tests so ExamplesTests can run them.
                "PaillierQuickStart", "MarketRound", "ModelBountyRound", "DatatrustClientSession", "EncryptedModelScoring",
            ],
            exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
