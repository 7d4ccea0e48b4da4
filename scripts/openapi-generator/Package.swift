// swift-tools-version: 6.0
// Builds apple/swift-openapi-generator's command-line tool for scripts/generate-openapi.sh.
// It is a separate package so that neither the library's users nor its build need the
// generator: the generated code is committed (see scripts/generate-openapi.sh for why).
import PackageDescription

let package = Package(
    name: "OpenAPIGeneratorTool",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ],
    targets: []
)
