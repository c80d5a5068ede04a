// swift-tools-version: 6.1
import PackageDescription

// Dependencies point down the pipeline only (DESIGN.md §3, §9):
//
//   GitSource ──► DesiredState ─┐
//                               ├─► Drift ──► Planner ──► Scheduler ──► Executor
//   Catalog ────────────────────┘
//
// Pure stages (WardenModel, DesiredState, Drift, Planner, Scheduler) import no C library, do no I/O
// and read no clock. C handles never leave PostgresClient and GitSource.

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        // For the benchmark packages under Benchmarks/, which depend on this one by path.
        .library(name: "WardenCatalog", targets: ["Catalog", "WardenModel", "PostgresClient", "EmbeddedPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // 5.2+ rejects duplicate mapping keys (Yams #415), which the loader must report.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // C libraries, found through pkg-config.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),

        // I/O edges.
        .target(name: "PostgresSyntax"),
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "PostgresSyntax", logging]),
        .target(name: "GitSource", dependencies: ["CLibGit2", logging]),
        .target(name: "EmbeddedPostgres", dependencies: ["PostgresClient", logging]),

        // The pure core.
        .target(name: "WardenModel", dependencies: ["PostgresSyntax"]),
        .target(name: "DesiredState", dependencies: ["WardenModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "Drift", dependencies: ["WardenModel"]),
        .target(name: "Planner", dependencies: ["WardenModel", "Drift", "PostgresSyntax"]),
        .target(name: "Scheduler", dependencies: ["WardenModel", "Planner"]),

        // Stages that read or change the warehouse.
        .target(name: "Catalog", dependencies: ["WardenModel", "PostgresClient", logging]),
        .target(name: "Executor", dependencies: ["WardenModel", "Planner", "Scheduler", "PostgresClient", logging]),

        // The long-running shell.
        .target(name: "Controller", dependencies: [
            "WardenModel", "GitSource", "DesiredState", "Catalog", "Drift", "Planner", "Scheduler", "Executor",
            "PostgresClient", logging,
        ]),
        .target(name: "StatusServer", dependencies: ["WardenModel", "Controller", logging]),

        // The demo world of examples/: tenant sources and a seed-style legacy warehouse.
        .target(name: "DemoWorld", dependencies: ["PostgresClient", "PostgresSyntax", "EmbeddedPostgres", logging]),

        .executableTarget(name: "warden", dependencies: [
            "PostgresClient", "GitSource", "EmbeddedPostgres", "WardenModel", "DesiredState", "Catalog", "Drift",
            "Planner", "Scheduler", "Executor", "Controller", "StatusServer", "DemoWorld",
            argumentParser, logging,
        ]),
        // Tests.
        .target(name: "TestSupport", dependencies: ["EmbeddedPostgres", "PostgresClient"], path: "Tests/TestSupport"),
        .testTarget(name: "PostgresSyntaxTests", dependencies: ["PostgresSyntax"]),
        .testTarget(name: "WardenModelTests", dependencies: ["WardenModel"]),
        .testTarget(name: "DesiredStateTests", dependencies: ["DesiredState", "WardenModel"], resources: [.copy("Fixtures")]),
        .target(name: "WarehouseFixtures", dependencies: ["Drift", "WardenModel"], path: "Tests/WarehouseFixtures"),
        .target(name: "WarehouseComparison", dependencies: ["Catalog", "WardenModel", "PostgresClient"], path: "Tests/WarehouseComparison"),
        // Tenants added and removed, year rollover: reconciled warehouses against ones built from scratch.
        .testTarget(name: "TenantLifecycleTests", dependencies: [
            "Controller", "DemoWorld", "Executor", "Planner", "WardenModel", "PostgresClient", "TestSupport", "EmbeddedPostgres",
            "WarehouseComparison", logging,
        ]),
        .testTarget(name: "DriftTests", dependencies: ["Drift", "WardenModel", "WarehouseFixtures"]),
        .testTarget(name: "PlannerTests", dependencies: ["WarehouseFixtures", "Planner", "Drift", "WardenModel"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "WardenModel", "PostgresClient", "DemoWorld", "TestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "GitSourceTests", dependencies: ["GitSource"]),
        .testTarget(name: "EmbeddedPostgresTests", dependencies: ["EmbeddedPostgres", "PostgresClient", "TestSupport"]),
        .testTarget(name: "WardenCLITests", dependencies: ["warden", "PostgresClient", "TestSupport", "DemoWorld"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "DemoWorld", "Executor", "Planner", "WardenModel", "PostgresClient", "TestSupport", "EmbeddedPostgres", logging,
        ]),
    ]
)
