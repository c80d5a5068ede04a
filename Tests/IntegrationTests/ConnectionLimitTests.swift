import Catalog
import DemoWorld
import DesiredState
import Drift
import EmbeddedPostgres
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Synchronization
import TestSupport
import Testing
import WardenModel

/// `policy.parallelism: 150` on a server of `max_connections = 24`: the plan says how many connections
/// the apply really uses, the apply builds over no more, and a reader who connects during the apply is
/// never turned away with `too many clients`.
@Suite("parallelism is capped by the server's connections", .integration, .hangGuard)
struct ConnectionLimitTests {
    /// A non-superuser reader (superusers may use the reserved slots) connecting again and again.
    final class Prober: Sendable {
        let errors = Mutex<[String]>([])
        let probes = Atomic<Int>(0)
        let mostOpen = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)

        func run(_ connectionString: String) async {
            while !stopped.load(ordering: .acquiring) {
                do {
                    let connection = try await PostgresConnection.connect(ConnectionConfiguration(connectionString))
                    let open = try await connection.scalar(
                        Int.self, "SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend'")
                    _ = try await connection.query("SELECT count(*) FROM public.foodlogstats")
                    await connection.close()
                    mostOpen.max(open, ordering: .relaxed)
                    probes.add(1, ordering: .relaxed)
                } catch {
                    errors.withLock { $0.append(String(describing: error)) }
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test("plan notes the cap, apply builds 90 daily views within it, and a reader always gets a connection")
    func capped() async throws {
        try await EmbeddedPostgres.withCluster(settings: ["max_connections": "24", "superuser_reserved_connections": "3"]) { cluster in
            let built = try await DemoWorld.build(
                on: cluster, DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 5), firstYear: 2025))
            let warehouse = built.warehouseConnectionString
            let connection = try await PostgresConnection.connect(ConnectionConfiguration(warehouse))
            try await connection.execute("CREATE ROLE prober LOGIN IN ROLE analysts, pg_read_all_stats")
            var desired = Adoption.desiredState(of: try await CatalogReader.read(connection, options: .drift), asOf: Day("2026-01-05")!)
            desired.settings.policy.parallelism = 150
            // Fifteen more days of three tenants and two templates: 90 daily views to build.
            let asOf = Day("2026-01-20")!
            let live = try await CatalogReader.read(connection, options: .drift)
            let limits = try #require(live.connectionLimits)
            #expect(limits.maxConnections == 24 && limits.reservedConnections == 3)
            let plan = Planner.plan(
                desired: desired, live: live, drift: DriftDetector.detect(desired: desired, live: live, asOf: asOf), asOf: asOf,
                policy: desired.settings.policy)
            #expect(plan.steps.count { $0.kind == .buildDailyView } == 90)
            let note = try #require(plan.notes.first { $0.hasPrefix("parallelism 150 is more than the server allows") }, "\(plan.notes)")
            print(note)

            let prober = Prober()
            let probing = Task { await prober.run(warehouse.replacing("user=postgres", with: "user=prober")) }
            let said = Mutex<[String]>([])
            let report = try await PlanExecutor.apply(
                plan, configuration: ConnectionConfiguration(warehouse),
                options: ApplyOptions(parallelism: 150, command: "connection limit test", asOf: asOf), logger: Logger(label: "test"),
                progress: { line in said.withLock { $0.append(line) } })
            prober.stopped.store(true, ordering: .releasing)
            await probing.value
            await connection.close()

            #expect(report.stepsRun == plan.steps.count)
            let cap = said.withLock { $0 }.first { $0.hasPrefix("parallelism 150 is more than the server allows") }
            #expect(cap != nil, "\(said.withLock { $0 })")
            print(cap ?? "not capped", "· probes \(prober.probes.load(ordering: .relaxed)), most client sessions seen \(prober.mostOpen.load(ordering: .relaxed))")
            #expect(prober.errors.withLock { $0 }.isEmpty, "\(prober.errors.withLock { $0 })")
            #expect(prober.mostOpen.load(ordering: .relaxed) <= 21)
        }
    }
}
