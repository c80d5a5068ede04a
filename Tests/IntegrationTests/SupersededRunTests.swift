import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import TestSupport
import Testing
import WardenModel

@Suite("the run record: a run waiting for a window is superseded by the next run", .integration, .hangGuard)
struct SupersededRunTests {
    static let day = Day(year: 2026, month: 1, day: 5)!

    /// A prepare step (runs ahead of the window) and a swap step that waits for it.
    static func plan(_ table: String) -> Plan {
        Plan(
            steps: [
                PlanStep(id: 1, phase: .prepare, kind: .buildDailyView, stepClass: .online, targets: ["public.\(table)"],
                         statements: ["CREATE TABLE public.\(table) (id int)"]),
                PlanStep(id: 2, phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, targets: ["public.live"],
                         statements: ["ALTER TABLE public.live ADD COLUMN x int DEFAULT 1"], touchesLiveObjects: true),
            ],
            revision: "abc", asOf: Self.day, strategy: .shadowSwap, notes: [])
    }

    /// An allow window from midnight to 04:00 UTC; the clock stands at noon, so swaps wait.
    static func closedWindow() throws -> StepGate {
        let calendar = try WindowCalendar([
            MaintenanceWindow(name: "night", kind: .allow, schedule: "0 0 * * *", durationSeconds: 4 * 3600),
        ])
        let now = ISO8601DateFormatter().date(from: "2026-01-05T12:00:00Z")!
        return StepGate(schedule: Schedule(calendar: calendar, prepareAhead: true), now: { now })
    }

    @Test("the older waiting run becomes superseded by the newer, its pending steps skipped, in _wh.warden_runs and the history reader")
    func laterRunSupersedesAWaitingOne() async throws {
        try await TestCluster.withDatabase("superseded") { cluster, name, connection in
            try await connection.execute("CREATE TABLE public.live (id int)")
            let configuration = ConnectionConfiguration(cluster.connectionString(database: name))
            let options = ApplyOptions(parallelism: 1, command: "warden run", asOf: Self.day, gate: try Self.closedWindow())
            let first = try await PlanExecutor.apply(
                Self.plan("a"), configuration: configuration, options: options, logger: Logger(label: "test"), progress: nil)
            #expect(first.held != nil)
            let before = try await RunHistory.recent(limit: 5, on: connection)
            #expect(before.map(\.status) == ["waiting"])
            #expect(before.first?.pending == 1)

            let second = try await PlanExecutor.apply(
                Self.plan("b"), configuration: configuration, options: options, logger: Logger(label: "test"), progress: nil)
            #expect(second.held != nil)
            let runs = try await RunHistory.recent(limit: 5, on: connection)
            #expect(runs.map(\.runID) == [second.runID, first.runID])
            #expect(runs.map(\.status) == ["waiting", "superseded"])
            #expect(runs.map(\.supersededBy) == [nil, second.runID])
            // Nothing of the superseded run is left pending: its swap is the newer run's to do.
            #expect(runs.map(\.pending) == [1, 0])
            #expect(try await connection.scalar(
                String.self, "SELECT outcome FROM _wh.warden_steps WHERE run_id = $1 AND step_no = 2", [first.runID]) == "skipped")
            let json = String(decoding: try JSONEncoder().encode(runs[1]), as: UTF8.self)
            #expect(json.contains(#""supersededBy":\#(second.runID)"#), "\(json)")
        }
    }

    @Test("tables made by schema version 1 are migrated: the superseded status and its column are added once")
    func migratesVersionOne() async throws {
        try await TestCluster.withDatabase("superseded_v1") { _, _, connection in
            try await RunJournal.install(on: connection)
            // Back to what version 1 created.
            try await connection.executeScript(
                """
                ALTER TABLE _wh.warden_runs DROP CONSTRAINT warden_runs_status_check;
                ALTER TABLE _wh.warden_runs ADD CONSTRAINT warden_runs_status_check
                    CHECK (status IN ('running', 'succeeded', 'failed', 'waiting', 'refused', 'aborted'));
                ALTER TABLE _wh.warden_runs DROP COLUMN superseded_by;
                UPDATE _wh.warden_meta SET value = '1' WHERE key = 'schema_version';
                INSERT INTO _wh.warden_runs (command, status) VALUES ('apply', 'waiting');
                """)
            // The reader copes with version 1 tables (a newer warden history against an older warden's record).
            #expect(try await RunHistory.recent(limit: 5, on: connection).map(\.supersededBy) == [nil])
            try await RunJournal.install(on: connection)
            try await RunJournal.install(on: connection)
            #expect(try await connection.scalar(String.self, "SELECT value FROM _wh.warden_meta WHERE key = 'schema_version'") == "2")
            try await connection.execute("UPDATE _wh.warden_runs SET status = 'superseded', superseded_by = 7")
            #expect(try await RunHistory.recent(limit: 5, on: connection).map(\.supersededBy) == [7])
        }
    }
}
