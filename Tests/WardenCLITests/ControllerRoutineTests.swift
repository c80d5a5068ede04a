import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

/// `warden run` and the warehouse's daily life (DESIGN.md §6b): the controller builds each new day when
/// it becomes due, on a weekday, with no commit and no maintenance window.
@Suite("warden run: the routine", .integration, .hangGuard)
struct ControllerRoutineTests {
    @Test("on a clock that crosses buildAfter on a weekday night: the controller builds the due day at once, then the next one once it is due, with no commit and no window")
    func crossesBuildAfter() async throws {
        let rig = try await ControllerRunTests.Rig.make("run_routine")
        // The nightly load of January 4 and 5 (the world's sources stop at January 4).
        let cluster = try await TestCluster.shared()
        for tenant in rig.built.configuration.tenants {
            let source = try await cluster.connect(database: rig.built.configuration.sourceDatabase(tenant))
            _ = try await source.query(
                "SELECT demo_generate_foodlogs('2026-01-05'::date, '2026-01-05'::date, $1, $2)", [tenant.rowsPerDay, tenant.seed])
            await source.close()
        }
        let yamlPath = "desired-state/warehouse.yaml"
        let yaml = try String(contentsOfFile: rig.repository.path + "/" + yamlPath, encoding: .utf8)
        try rig.repository.write(yaml + "routine:\n  buildAfter: \"01:00\"\n", to: yamlPath)
        let revision = try await rig.repository.commitAll("routine: build yesterday after 01:00")
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))

        // Tuesday 6 January, 00:59:30 UTC (Monday evening in Chicago): no window is open, and January 5
        // is not due until 01:00; January 4 is.
        let port = try HTTP.freePort()
        let controller = try rig.start(port: port, at: "2026-01-06T00:59:30Z")
        func exists(_ name: String) async -> Bool {
            (try? await warehouse.scalar(Bool.self, "SELECT to_regclass($1) IS NOT NULL", [name])) ?? false
        }
        let fourth = await ControllerRunTests.eventually(.seconds(120)) { await exists("landb.foodlogstats_2026_01_04") }
        #expect(fourth, "\(controller.standardError)")
        // Waits for the routine run as of January 6 to finish (its views built and swapped in), not for
        // one of its views to appear.
        let fifth = await ControllerRunTests.eventually(.seconds(120)) {
            let finished = try? await warehouse.scalar(
                Bool.self,
                "SELECT EXISTS (SELECT 1 FROM _wh.warden_runs WHERE reason = 'controller: routine as of 2026-01-06' AND status = 'succeeded')")
            return finished == true
        }
        #expect(fifth, "\(controller.standardError)")
        // Visible in the public view, for every tenant.
        let tenants = try await warehouse.query(
            """
            SELECT DISTINCT tenant FROM public.foodlogstats
            WHERE logged_time >= '2026-01-05'::timestamptz AND logged_time < '2026-01-06'::timestamptz ORDER BY 1
            """).rows.map { try $0.decode(String.self, at: 0) }
        #expect(tenants == ["acme", "bistro", "landb"])
        // January 5 was built by a routine run as of January 6: after buildAfter, not before.
        let reasons = try await warehouse.query(
            "SELECT coalesce(reason, ''), status FROM _wh.warden_runs ORDER BY run_id").rows
            .map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
        #expect(reasons.contains("controller: routine as of 2026-01-06 succeeded"), "\(reasons)")
        #expect(!reasons.contains { $0.hasSuffix("waiting") }, "a pass with only routine work records no waiting run: \(reasons)")
        #expect(try await rig.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == revision, "no commit")
        await controller.terminate()
        await warehouse.close()
        await rig.tearDown()
    }
}
