// swift-tools-version: 6.0
// Benchmarks live in their own package so that nothing here (BigInt, raw C baselines)
// enters the dependency graph of the libraries' consumers. Run: `make bench` or
// `cd Benchmarks && swift run -c release DataMarketBenchmarks [area ...]`.
import PackageDescription

/// The root package's strict settings (see ../Package.swift): existentials spelled `any P`,
/// members visible only through a file's own imports, imports internal unless marked.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "DataMarketBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "DataMarket", path: ".."),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // Raw C baselines, measured in the same run as the wrappers they are compared with.
        .systemLibrary(name: "RawSecp256k1", pkgConfig: "libsecp256k1"),
        .systemLibrary(name: "RawGMP", pkgConfig: "gmp"),
        .executableTarget(
            name: "DataMarketBenchmarks",
            dependencies: [
                .product(name: "LedgerCore", package: "DataMarket"),
                .product(name: "LedgerPostgres", package: "DataMarket"),
                .product(name: "MarketKit", package: "DataMarket"),
                .product(name: "HECore", package: "DataMarket"),
                .product(name: "DatatrustKit", package: "DataMarket"),
                .product(name: "DatatrustPostgres", package: "DataMarket"),
                .product(name: "ONNXKit", package: "DataMarket"),
                .product(name: "ModelHostKit", package: "DataMarket"),
                .product(name: "ChainNode", package: "DataMarket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "BigInt", package: "BigInt"),
                "RawSecp256k1",
                "RawGMP",
            ]),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}
