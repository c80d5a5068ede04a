import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import Synchronization
import TestSupport
import Testing
import WardenModel

/// DESIGN.md §5: "a lock timeout is retried with backoff while the window lasts". Readers that keep a
/// live view busy leave it free only for moments; a swap step must keep trying until the window closes,
/// not give up after a fixed number of attempts.
@Suite("PlanExecutor: lock timeouts retried while the window lasts", .integration, .hangGuard)
struct LockRetryWindowTests {
    static let day = Day(year: 2026, month: 1, day: 5)!

    /// One swap step on `public.live`, a table readers use.
    static let plan = Plan(
        steps: [
            PlanStep(id: 1, phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, targets: ["public.live"],
                     statements: ["ALTER TABLE public.live ADD COLUMN x int DEFAULT 1"], touchesLiveObjects: true),
        ],
        revision: "abc", asOf: day, strategy: .shadowSwap, notes: [])

    /// Applies ``plan`` and returns what happened.
    static func apply(_ database: String, options: ApplyOptions) async -> Result<ApplyReport, any Error> {
        do {
            return .success(try await PlanExecutor.apply(
                plan, configuration: ConnectionConfiguration(database), options: options, logger: Logger(label: "test"),
                progress: nil))
        } catch {
            return .failure(error)
        }
    }

    /// A swap step on `public.live`, which a reader holds for `holdMilliseconds`; two attempts allowed.
    static func applyWhileHeld(
        gate: StepGate?, holdMilliseconds: Int
    ) async throws -> (result: Result<ApplyReport, any Error>, attempts: Int) {
        try await TestCluster.withDatabase("exec_window") { cluster, name, connection in
            try await connection.execute("CREATE TABLE public.live (id int)")
            let reader = try await cluster.connect(database: name)
            try await reader.execute("BEGIN")
            try await reader.execute("LOCK TABLE public.live IN ACCESS SHARE MODE")
            // The hold starts counting once the step has started (its journal row says so), so a slow
            // machine cannot let the reader go before the apply even tried.
            let release = Task {
                let clock = ContinuousClock()
                let deadline = clock.now + .seconds(60)
                while clock.now < deadline {
                    let started = (try? await connection.scalar(
                        Int.self,
                        "SELECT count(*)::int FROM _wh.warden_steps WHERE step_no = 1 AND outcome <> 'pending'")) ?? 0
                    if started > 0 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await Task.sleep(for: .milliseconds(holdMilliseconds))
                try await reader.execute("COMMIT")
            }
            let options = ApplyOptions(
                parallelism: 1, liveLockTimeoutMilliseconds: 20, maxAttempts: 2, command: "test window retry", asOf: Self.day,
                initialBackoffMilliseconds: 10, maxBackoffMilliseconds: 40, gate: gate)
            let result = await Self.apply(cluster.connectionString(database: name), options: options)
            try await release.value
            await reader.close()
            let attempts = try await connection.scalar(Int.self, "SELECT attempts FROM _wh.warden_steps WHERE step_no = 1")
            return (result, attempts)
        }
    }

    /// An allow window open from midnight to 04:00 UTC every day; the clock stands at 01:00.
    static func openWindow() throws -> StepGate {
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "night", kind: .allow, schedule: "0 0 * * *", durationSeconds: 4 * 3600),
        ])
        let now = ISO8601DateFormatter().date(from: "2026-01-05T01:00:00Z")!
        return StepGate(schedule: Schedule(calendar: calendar, prepareAhead: true), now: { now })
    }

    @Test("inside an open window, a swap step blocked past its attempts keeps retrying and succeeds once the reader is done")
    func retriesWhileTheWindowLasts() async throws {
        let (result, attempts) = try await Self.applyWhileHeld(gate: try Self.openWindow(), holdMilliseconds: 1500)
        let report = try result.get()
        #expect(report.stepsRun == 1)
        #expect(attempts > 2, "\(attempts)")
    }

    @Test("without a window that ends, the attempts stay bounded: the step fails after them")
    func boundedWithoutAWindow() async throws {
        // A long hold: under load the executor's backoff sleeps can wake late, and the reader must still hold
        // its lock when the last attempt runs.
        let (result, attempts) = try await Self.applyWhileHeld(gate: nil, holdMilliseconds: 10_000)
        guard case .failure(let error) = result else {
            Issue.record("the apply should have failed")
            return
        }
        #expect(String(describing: error).contains("lock timeout"), "\(error)")
        #expect(attempts == 2)
    }

    @Test("once the window has closed, the retries stop and the step fails")
    func stopsWhenTheWindowCloses() async throws {
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "night", kind: .allow, schedule: "0 0 * * *", durationSeconds: 4 * 3600),
        ])
        // Two seconds of the window are left when the step is admitted; time runs ten times faster, so it
        // closes about 200 ms later, long before the reader lets go.
        let start = ISO8601DateFormatter().date(from: "2026-01-05T03:59:58Z")!
        let clock = ContinuousClock()
        let firstAsked = Mutex<ContinuousClock.Instant?>(nil)
        let gate = StepGate(schedule: Schedule(calendar: calendar, prepareAhead: true), now: {
            let now = clock.now
            let began = firstAsked.withLock { first in
                if first == nil { first = now }
                return first!
            }
            let elapsed = began.duration(to: now)
            return start.addingTimeInterval((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 10)
        })
        let (result, attempts) = try await Self.applyWhileHeld(gate: gate, holdMilliseconds: 10_000)
        guard case .failure(let error) = result else {
            Issue.record("the apply should have failed once the window closed")
            return
        }
        #expect(String(describing: error).contains("lock timeout"), "\(error)")
        // How many attempts fit before the window closes depends on the machine's speed; what matters is
        // that the step gave up (above) instead of waiting for the reader.
        #expect(attempts >= 2, "\(attempts)")
    }

    @Test("against a reader that runs one long query after another, the doubling lock timeout gets the step through")
    func doublingTimeoutBeatsBackToBackReaders() async throws {
        try await TestCluster.withDatabase("exec_escalate") { cluster, name, connection in
            try await connection.execute("CREATE TABLE public.live (id int)")
            // Transactions of 1 s each, back to back: the table is free only between two of them. A fixed
            // 10 ms timeout would land in that gap about once in a hundred attempts. The loop runs in the
            // server (a DO block that commits each turn), so the gap is microseconds whatever the load on
            // the test machine: a client-side loop's gap grew under load until a first attempt got in.
            let reader = try await cluster.connect(database: name)
            let readerPID = try await reader.scalar(Int32.self, "SELECT pg_backend_pid()")
            let reading = Task {
                _ = try? await reader.executeScript("""
                    DO $$ BEGIN
                      FOR turn IN 1..60 LOOP
                        LOCK TABLE public.live IN ACCESS SHARE MODE;
                        PERFORM pg_sleep(1);
                        COMMIT;
                      END LOOP;
                    END $$;
                    """)
            }
            // The step starts only once the reader holds the table.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while clock.now < deadline, try await connection.scalar(
                Int.self, "SELECT count(*)::int FROM pg_locks WHERE relation = 'public.live'::regclass AND granted") == 0 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let options = ApplyOptions(
                parallelism: 1, lockTimeoutMilliseconds: 2000, liveLockTimeoutMilliseconds: 10,
                maxLiveLockTimeoutMilliseconds: 2000, maxAttempts: 10,
                command: "test doubling lock timeout", asOf: Self.day, initialBackoffMilliseconds: 10,
                maxBackoffMilliseconds: 20)
            let outcome = await Self.apply(cluster.connectionString(database: name), options: options)
            _ = try await connection.execute("SELECT pg_cancel_backend($1)", [readerPID])
            await reading.value
            await reader.close()
            let report = try outcome.get()
            #expect(report.stepsRun == 1)
            let attempts = try await connection.scalar(Int.self, "SELECT attempts FROM _wh.warden_steps WHERE step_no = 1")
            // 10, 20, 40 … 640 ms, then 1.28 s: the attempt that outwaits the query in flight wins.
            print("doubling lock timeout: the step got in at attempt \(attempts)")
            #expect(attempts > 1 && attempts <= 10, "\(attempts)")
            let added = try await connection.scalar(
                Int.self, "SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.live'::regclass AND attname = 'x'")
            #expect(added == 1)
        }
    }

    @Test("the lock timeout of a live step doubles per attempt up to its cap; other steps always get the policy's")
    func lockTimeoutSchedule() {
        let live = PlanStep(id: 1, phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, targets: ["t"],
                            statements: ["SELECT 1"], touchesLiveObjects: true)
        var other = live
        other.touchesLiveObjects = false
        let options = ApplyOptions(lockTimeoutMilliseconds: 2000, liveLockTimeoutMilliseconds: 50, command: "t", asOf: Self.day)
        // By default up to 500 ms: a reader queues behind a waiting step for half a second at most.
        #expect((1...6).map { PlanExecutor.lockTimeout(for: live, attempt: $0, options: options) }
            == [50, 100, 200, 400, 500, 500])
        #expect(PlanExecutor.lockTimeout(for: other, attempt: 1, options: options) == 2000)
        #expect(PlanExecutor.lockTimeout(for: live, attempt: 1_000, options: options) == 500)
        // Never past the policy's lockTimeout.
        let short = ApplyOptions(lockTimeoutMilliseconds: 300, liveLockTimeoutMilliseconds: 50, command: "t", asOf: Self.day)
        #expect(PlanExecutor.lockTimeout(for: live, attempt: 10, options: short) == 300)
    }
}
