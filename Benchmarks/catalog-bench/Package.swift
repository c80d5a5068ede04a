// swift-tools-version: 6.1
import PackageDescription

// The catalog-read benchmark (docs/BENCHMARKS.md, "Catalog read at 50 × 4 × 330"). A package of its
// own, depending on warden by path, so warden's own build and tests stay fast.
let package = Package(
    name: "catalog-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "warden", path: "../.."),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "catalog-bench",
            dependencies: [
                .product(name: "WardenCatalog", package: "warden"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"])]
        )
    ]
)
