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
let yams = Target.Dependency.product(name: "Yams", package: "Yams")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let serviceLifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")

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
        // The controller's HTTP side (DESIGN.md §7): routes, the HTML page, metrics, services.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Hummingbird's own NIO, named for the status server's connection limits (ConnectionGuard.swift).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
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
        .target(name: "DesiredState", dependencies: ["WardenModel", yams]),
        .target(name: "Drift", dependencies: ["WardenModel"]),
        .target(name: "Planner", dependencies: ["WardenModel", "Drift", "PostgresSyntax"]),
        .target(name: "Scheduler", dependencies: ["WardenModel", "Planner"]),

        // Stages that read or change the warehouse.
        .target(name: "Catalog", dependencies: ["WardenModel", "PostgresClient", logging]),
        .target(name: "Executor", dependencies: ["WardenModel", "Catalog", "Planner", "Scheduler", "PostgresClient", "PostgresSyntax", logging]),

        // The long-running shell.
        .target(name: "Controller", dependencies: [
            "WardenModel", "GitSource", "DesiredState", "Catalog", "Drift", "Planner", "Scheduler", "Executor",
            "PostgresClient", logging, yams, metrics, serviceLifecycle,
        ]),
        .target(name: "StatusServer", dependencies: [
            "Controller", "Executor", "Planner", "Scheduler", logging, hummingbird, metrics, prometheus, serviceLifecycle,
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        ]),

        // The demo world of examples/: tenant sources and a seed-style legacy warehouse.
        .target(name: "DemoWorld", dependencies: ["PostgresClient", "PostgresSyntax", "EmbeddedPostgres", logging]),

        .executableTarget(name: "warden", dependencies: [
            "PostgresClient", "GitSource", "EmbeddedPostgres", "WardenModel", "DesiredState", "Catalog", "Drift",
            "Planner", "Scheduler", "Executor", "Controller", "StatusServer", "DemoWorld",
            argumentParser, logging, prometheus, serviceLifecycle,
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
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "Planner", "WardenModel"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "WardenModel", "PostgresClient", "DemoWorld", "TestSupport"]),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"]),
        .testTarget(name: "GitSourceTests", dependencies: ["GitSource"]),
        .testTarget(name: "EmbeddedPostgresTests", dependencies: ["EmbeddedPostgres", "PostgresClient", "TestSupport"]),
        .testTarget(name: "WardenCLITests", dependencies: ["warden", "PostgresClient", "TestSupport", "DemoWorld"]),
        .testTarget(name: "StatusServerTests", dependencies: [
            "StatusServer", "Controller", "Executor", "Drift", logging, metrics, prometheus,
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "ControllerTests", dependencies: [
            "Controller", "Executor", "Planner", "Scheduler", "WardenModel", "PostgresClient", "TestSupport",
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "DemoWorld", "Executor", "Planner", "WardenModel", "PostgresClient", "TestSupport", "EmbeddedPostgres", logging,
            "Catalog", "Drift", "DesiredState", "Scheduler",
        ]),
    ]
)
