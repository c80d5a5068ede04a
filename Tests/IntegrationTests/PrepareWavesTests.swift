import Executor
import Logging
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

@Suite("PlanExecutor: prepare in waves", .timeLimit(.minutes(2)))
struct PrepareWavesTests {
    @Test("with two connections, nothing is built in a schema before the step that creates it has finished")
    func schemaBeforeBuilds() async throws {
        try await TestCluster.withDatabase("exec_waves") { cluster, name, connection in
            let day = Day("2026-01-05")!
            let plan = Plan(
                steps: [
                    PlanStep(id: 1, phase: .prepare, kind: .createSchema, stepClass: .online, targets: ["schema slow"],
                             statements: ["SELECT pg_sleep(0.3)", "CREATE SCHEMA slow"]),
                    PlanStep(id: 2, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["slow.a"],
                             statements: ["CREATE TABLE slow.a (id int)"]),
                    PlanStep(id: 3, phase: .prepare, kind: .buildYearlyTable, stepClass: .online, targets: ["slow.b"],
                             statements: ["CREATE TABLE slow.b (id int)"]),
                    PlanStep(id: 4, phase: .prepare, kind: .createTenantView, stepClass: .online, targets: ["slow.v"],
                             statements: ["CREATE VIEW slow.v AS SELECT id FROM slow.a UNION ALL SELECT id FROM slow.b"]),
                ],
                revision: nil, asOf: day, strategy: .shadowSwap, notes: [])
            #expect(plan.steps.map(\.prepareWave) == [0, 1, 1, 2])
            let report = try await PlanExecutor.apply(
                plan, configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                options: ApplyOptions(parallelism: 2, command: "test waves", asOf: day), logger: Logger(label: "test"),
                progress: nil)
            #expect(report.stepsRun == 4)
            #expect(try await connection.scalar(Int.self, "SELECT count(*)::int FROM slow.v") == 0)
        }
    }
}
