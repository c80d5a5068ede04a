import Executor
import Logging
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

@Suite("PlanExecutor: lock timeouts, retries, failures and the run journal", .integration, .hangGuard)
struct PlanExecutorTests {
    static let day = Day(year: 2026, month: 1, day: 5)!

    static func options(_ command: String) -> ApplyOptions {
        ApplyOptions(parallelism: 2, command: command, asOf: day)
    }

    @Test("a live step blocked by a reader times out after tens of ms, retries with backoff and succeeds once the reader is done")
    func retriesLockTimeouts() async throws {
        try await TestCluster.withDatabase("exec_retry") { cluster, name, connection in
            try await connection.execute("CREATE TABLE public.live (id int)")
            let plan = Plan(
                steps: [
                    PlanStep(id: 1, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["public.a"],
                             statements: ["CREATE TABLE public.a (id int)"]),
                    PlanStep(id: 2, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["public.b"],
                             statements: ["CREATE TABLE public.b (id int)"]),
                    PlanStep(id: 3, phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, targets: ["public.live"],
                             statements: ["ALTER TABLE public.live ADD COLUMN x int DEFAULT 1"], touchesLiveObjects: true),
                ],
                revision: "abc", asOf: Self.day, strategy: .shadowSwap, notes: [])

            // A long reader holds ACCESS SHARE on the live table until warden's ALTER has been seen
            // waiting for it (then a little longer, so at least one attempt times out).
            let reader = try await cluster.connect(database: name)
            let watcher = try await cluster.connect(database: name)
            try await reader.execute("BEGIN")
            try await reader.execute("LOCK TABLE public.live IN ACCESS SHARE MODE")
            let release = Task {
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(60)
                while clock.now < deadline {
                    let waiting = try await watcher.scalar(
                        Bool.self, "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'public.live'::regclass AND NOT granted)")
                    if waiting { break }
                    try await Task.sleep(for: .milliseconds(2))
                }
                try await Task.sleep(for: .milliseconds(200))
                try await reader.execute("COMMIT")
                await watcher.close()
            }
            let report = try await PlanExecutor.apply(
                plan, configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                options: Self.options("test retry"), logger: Logger(label: "test"), progress: nil)
            try await release.value
            await reader.close()

            #expect(report.stepsRun == 3)
            #expect(report.retries > 0)
            let attempts = try await connection.scalar(
                Int.self, "SELECT attempts FROM _wh.warden_steps WHERE run_id = $1 AND step_no = 3", [report.runID])
            #expect(attempts > 1)
            #expect(try await connection.scalar(String.self, "SELECT status FROM _wh.warden_runs WHERE run_id = $1", [report.runID]) == "succeeded")
            #expect(try await connection.scalar(Int.self, "SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.live'::regclass AND attname = 'x'") == 1)
            // The lock is released: another apply can run.
            let second = try await PlanExecutor.apply(
                Plan(steps: [], revision: nil, asOf: Self.day, strategy: .shadowSwap, notes: []),
                configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                options: Self.options("test empty"), logger: Logger(label: "test"), progress: nil)
            #expect(second.stepsRun == 0)
        }
    }

    @Test("a step that fails for good stops the run: it names the step, the object and PostgreSQL's message; later steps stay pending")
    func failureStopsTheRun() async throws {
        try await TestCluster.withDatabase("exec_fail") { cluster, name, connection in
            let plan = Plan(
                steps: [
                    PlanStep(id: 1, phase: .prepare, kind: .buildDailyView, stepClass: .online, template: "t", targets: ["public.a"],
                             statements: ["CREATE TABLE public.a (id int)"]),
                    PlanStep(id: 2, phase: .swap, kind: .replaceTenantView, stepClass: .briefLock, template: "t", targets: ["public.v"],
                             statements: ["CREATE VIEW public.v AS SELECT * FROM public.missing"], touchesLiveObjects: true),
                    PlanStep(id: 3, phase: .cleanup, kind: .dropDailyView, stepClass: .online, template: "t", targets: ["public.a"],
                             statements: ["DROP TABLE public.a"], transactional: false),
                ],
                revision: "abc", asOf: Self.day, strategy: .shadowSwap, notes: [])
            do {
                _ = try await PlanExecutor.apply(
                    plan, configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                    options: Self.options("test failure"), logger: Logger(label: "test"), progress: nil)
                Issue.record("the apply should have failed")
            } catch let error as ApplyError {
                let text = error.description
                #expect(text.contains("step 2"), "\(text)")
                #expect(text.contains("public.v"), "\(text)")
                #expect(text.contains("public.missing"), "\(text)")
            }
            let outcomes = try await connection.query("SELECT step_no, outcome FROM _wh.warden_steps ORDER BY step_no")
                .map { "\(try $0.decode(Int.self, at: 0)):\(try $0.decode(String.self, at: 1))" }
            #expect(outcomes == ["1:succeeded", "2:failed", "3:pending"])
            #expect(try await connection.scalar(String.self, "SELECT status FROM _wh.warden_runs") == "failed")
            #expect(try await connection.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_applied") == 0)
            // The lock was released even though the run failed.
            #expect(try await connection.tryAdvisoryLock(PlanExecutor.lockKey))
            _ = try await connection.advisoryUnlock(PlanExecutor.lockKey)
        }
    }

    @Test("a step that gives up on a lock timeout names the session in its way (pid, user, application, idle in transaction, for how long) and the fix")
    func lockTimeoutNamesTheBlocker() async throws {
        try await TestCluster.withDatabase("exec_blocked") { cluster, name, connection in
            try await connection.execute("CREATE TABLE public.live (id int)")
            let plan = Plan(
                steps: [
                    PlanStep(id: 1, phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, template: "t", targets: ["public.live"],
                             statements: ["ALTER TABLE public.live ADD COLUMN x int"], touchesLiveObjects: true),
                ],
                revision: "abc", asOf: Self.day, strategy: .shadowSwap, notes: [])
            // A dashboard's session left idle in a transaction that read the table.
            let dashboard = try await PostgresConnection.connect(
                ConnectionConfiguration(cluster.connectionString(database: name), applicationName: "bi-dashboard"))
            try await dashboard.execute("BEGIN")
            try await dashboard.execute("SELECT count(*) FROM public.live")
            var options = Self.options("test blocked")
            options.maxAttempts = 2
            options.liveLockTimeoutMilliseconds = 200
            options.maxLiveLockTimeoutMilliseconds = 400
            do {
                _ = try await PlanExecutor.apply(
                    plan, configuration: ConnectionConfiguration(cluster.connectionString(database: name)),
                    options: options, logger: Logger(label: "test"), progress: nil)
                Issue.record("the apply should have given up on the lock")
            } catch let error as ApplyError {
                let text = error.description
                #expect(text.contains("lock timeout"), "\(text)")
                #expect(text.contains("blocked by pid \(dashboard.backendPID) ("), "\(text)")
                #expect(text.contains("application bi-dashboard"), "\(text)")
                #expect(text.contains("idle in transaction for"), "\(text)")
                #expect(text.contains("pg_terminate_backend"), "\(text)")
            }
            try await dashboard.execute("ROLLBACK")
            await dashboard.close()
        }
    }
}
