import Executor
import Logging
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

@Suite("PlanExecutor: prepare in waves", .integration, .hangGuard)
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

    @Test("when a step fails, the steps waiting for its wave do not run and the run reports that step")
    func failureReleasesTheWaiting() async throws {
        try await TestCluster.withDatabase("exec_waves_fail") { cluster, name, connection in
            let day = Day("2026-01-05")!
            let plan = Plan(
                steps: [
                    PlanStep(id: 1, phase: .prepare, kind: .createSchema, stepClass: .online, targets: ["schema broken"],
                             statements: ["SELECT pg_sleep(0.2)", "SELECT 1/0"]),
                    PlanStep(id: 2, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["public.a"],
                             statements: ["CREATE TABLE public.a (id int)"]),
                    PlanStep(id: 3, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["public.b"],
                             statements: ["CREATE TABLE public.b (id int)"]),
                ],
                revision: nil, asOf: day, strategy: .shadowSwap, notes: [])
            do {
                _ = try await PlanExecutor.apply(
                    plan, configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                    options: ApplyOptions(parallelism: 3, command: "test waves", asOf: day), logger: Logger(label: "test"),
                    progress: nil)
                Issue.record("the apply should have failed")
            } catch let error as ApplyError {
                #expect(error.description.contains("step 1"), "\(error)")
                #expect(error.description.contains("division by zero"), "\(error)")
            }
            let outcomes = try await connection.query("SELECT step_no, outcome FROM _wh.warden_steps ORDER BY step_no")
                .map { "\(try $0.decode(Int.self, at: 0)):\(try $0.decode(String.self, at: 1))" }
            #expect(outcomes == ["1:failed", "2:pending", "3:pending"])
            #expect(try await connection.scalar(Bool.self, "SELECT to_regclass('public.a') IS NULL"))
        }
    }
}
