import Executor
import Foundation
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// Building daily views reads each tenant's database through dblink. The executor keeps one dblink
/// connection per session and tenant open, as the seed's functions do, instead of a new connection (a
/// backend start and an authentication on the tenant's server) per view.
@Suite("Executor: one dblink connection per session and tenant", .integration, .hangGuard)
struct SourceConnectionTests {
    @Test("twelve shadow daily views over three tenants open one session per tenant, not one per view")
    func oneSourceSessionPerTenant() async throws {
        try await ColumnChangeWorld.with("dblink_reuse") { world in
            world.appendWasteCategory()
            let plan = try await world.plan()
            let builds = plan.steps(in: .prepare).filter { $0.kind == .buildShadowDailyView }
            let perTenant = Dictionary(grouping: builds, by: { $0.tenant ?? "" }).mapValues(\.count)
            #expect(perTenant.count == 3 && perTenant.values.allSatisfy { $0 >= 4 }, "\(perTenant)")
            #expect(builds.allSatisfy { $0.sourceConnection != nil })

            let cluster = try await TestCluster.shared()
            let admin = try await cluster.connect(database: "postgres")
            func sessions() async throws -> [String: Int] {
                var counts: [String: Int] = [:]
                for tenant in world.built.configuration.tenants {
                    let database = world.built.configuration.sourceDatabase(tenant)
                    _ = try await admin.query("SELECT pg_stat_clear_snapshot()")
                    counts[tenant.schema] = try await admin.scalar(
                        Int.self, "SELECT sessions::int FROM pg_stat_database WHERE datname = $1", [database])
                }
                return counts
            }
            let before = try await sessions()
            try await world.apply(
                plan, phases: [.prepare],
                options: ApplyOptions(parallelism: 1, command: "dblink reuse test", asOf: ColumnChangeWorld.asOf))
            // A backend flushes its session count as it exits, before it leaves pg_stat_activity: once no
            // session is left on the tenants' databases, the counts are complete.
            let databases = world.built.configuration.tenants.map(world.built.configuration.sourceDatabase)
            try await Self.waitUntilNoSessions(on: databases, admin)
            let after = try await sessions()
            await admin.close()
            for (tenant, views) in perTenant {
                let opened = (after[tenant] ?? 0) - (before[tenant] ?? 0)
                #expect(opened >= 1 && opened <= 2, "\(tenant): \(opened) sessions for \(views) views")
            }
            // And the views read the right data: the apply converges.
            try await world.apply(plan, phases: [.swap, .cleanup])
            let drift = try await world.drift()
            #expect(drift.items.isEmpty, "\(ColumnChangeWorld.lines(drift))")
        }
    }

    /// Waits (events, bounded only by the suite's hang guard) until no backend is connected to `databases`.
    static func waitUntilNoSessions(on databases: [String], _ admin: PostgresConnection) async throws {
        while try await admin.scalar(
            Int.self, "SELECT count(*)::int FROM pg_stat_activity WHERE datname = ANY(string_to_array($1, ','))",
            [databases.joined(separator: ",")]) > 0
        {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
