import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `warden apply` killed with SIGKILL at each point of a reconcile, then run again (issue 4): the public
/// view never fails a reader, no historical row is lost, the second apply finishes the work and the
/// journal tells what happened.
///
/// The point is reached with the executor's test hook `WARDEN_TEST_PAUSE_BEFORE=<phase>:<n>`
/// (`Sources/Executor/TestPause.swift`), which holds the apply still between two steps; the test watches
/// `_wh.warden_steps` and kills once the journal shows the wanted state.
@Suite("crash recovery: warden apply killed with SIGKILL, then run again", .integration, .hangGuard)
struct CrashRecoveryTests {
    /// Where the apply is killed.
    enum KillPoint: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case duringPrepare
        case beforeSwap
        case afterFirstSwapStep
        case duringCleanup

        var testDescription: String { rawValue }

        /// `WARDEN_TEST_PAUSE_BEFORE`: the step the apply holds before.
        var pause: String {
            switch self {
            case .duringPrepare: "prepare:3"
            case .beforeSwap: "swap:1"
            case .afterFirstSwapStep: "swap:2"
            case .duringCleanup: "cleanup:3"
            }
        }

        /// Whether the journal shows the apply at this point.
        func isReached(_ progress: Progress) -> Bool {
            switch self {
            case .duringPrepare:
                progress.succeeded(.prepare) >= 1 && progress.succeeded(.prepare) < progress.total(.prepare)
                    && progress.started(.swap) == 0
            case .beforeSwap:
                progress.total(.prepare) > 0 && progress.succeeded(.prepare) == progress.total(.prepare)
                    && progress.started(.swap) == 0
            case .afterFirstSwapStep:
                progress.succeeded(.swap) >= 1 && progress.succeeded(.swap) < progress.total(.swap)
                    && progress.started(.cleanup) == 0
            case .duringCleanup:
                progress.succeeded(.cleanup) >= 1 && progress.succeeded(.cleanup) < progress.total(.cleanup)
            }
        }
    }

    enum Phase: String { case prepare, swap, cleanup }

    /// The running run's steps per phase and outcome, from `_wh.warden_steps`.
    struct Progress: CustomStringConvertible {
        var counts: [String: [String: Int]] = [:]
        func total(_ phase: Phase) -> Int { counts[phase.rawValue, default: [:]].values.reduce(0, +) }
        func succeeded(_ phase: Phase) -> Int { counts[phase.rawValue, default: [:]]["succeeded", default: 0] }
        func started(_ phase: Phase) -> Int { total(phase) - counts[phase.rawValue, default: [:]]["pending", default: 0] }
        var description: String {
            [Phase.prepare, .swap, .cleanup].map { "\($0.rawValue) \(succeeded($0))/\(total($0)) (\(started($0)) started)" }
                .joined(separator: ", ")
        }

        static func read(_ connection: PostgresConnection) async throws -> Progress? {
            guard try await connection.scalar(Bool.self, "SELECT to_regclass('_wh.warden_steps') IS NOT NULL") else { return nil }
            let rows = try await connection.query(
                """
                SELECT s.phase, s.outcome, count(*)::int FROM _wh.warden_steps s
                JOIN _wh.warden_runs r USING (run_id) WHERE r.status = 'running' GROUP BY 1, 2
                """)
            guard !rows.rows.isEmpty else { return nil }
            var progress = Progress()
            for row in rows.rows {
                progress.counts[try row.decode(String.self, at: 0), default: [:]][try row.decode(String.self, at: 1)] =
                    try row.decode(Int.self, at: 2)
            }
            return progress
        }
    }

    @Test(
        "SIGKILL at any point of seed 000's add-column apply: readers never fail, the next apply finishes the work, no row is lost, the killed run is recorded as aborted",
        arguments: KillPoint.allCases)
    func killedApplyIsFinishedByTheNext(_ point: KillPoint) async throws {
        let world = try await ApplyCommandTests.World.make("crash_\(point.rawValue.lowercased())")
        defer { Task { await world.tearDown() } }
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "crash-test"))
        let poller = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "crash-poller"))
        let before = try await ApplyCommandTests.yearlyTables(warehouse)
        #expect(!before.isEmpty)
        #expect(before.values.allSatisfy { $0.rows > 0 })

        // The reader runs from before the first apply until after the second.
        let reader = try await PublicViewReader.start(world.dsn)
        try await Task.sleep(for: .milliseconds(200))

        var environment = ProcessInfo.processInfo.environment
        environment["WARDEN_TEST_PAUSE_BEFORE"] = point.pause
        environment["WARDEN_TEST_PAUSE_MS"] = "30000"
        let first = try BackgroundProcess(
            [binary, "apply", "--yes", "--reason", "crash test: \(point.rawValue)"] + world.base, environment: environment)

        // Watch the journal until the apply reaches the point, then kill it there.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(90)
        var reached: Progress?
        while clock.now < deadline {
            if let progress = try await Progress.read(poller), point.isReached(progress) {
                reached = progress
                break
            }
            if await first.wait(timeout: .milliseconds(1)) != nil { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        first.signal(SIGKILL)
        let killedStatus = await first.wait(timeout: .seconds(10))
        let firstOutput = "\(first.standardOutput)\n\(first.standardError)"
        await first.terminate()
        try #require(reached != nil, "the apply never reached \(point.rawValue): \(firstOutput)")
        #expect(killedStatus == 128 + SIGKILL, "\(firstOutput)")
        let atKill = try #require(try await Progress.read(poller))
        print("\(point.rawValue): killed at \(atKill)")
        #expect(point.isReached(atKill), "\(atKill)")
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_runs WHERE status = 'running'") == 1)

        // The second apply, at once: it waits for or stops whatever the killed warden left running.
        let second = try await Subprocess.run([binary, "apply", "--yes", "--reason", "after the crash"] + world.base)
        try await Task.sleep(for: .milliseconds(200))
        let reading = await reader.stop()
        await poller.close()

        #expect(second.status == 0, "\(second.standardOutput)\n\(second.standardError)")
        #expect(second.standardOutput.contains("applied: run"), "\(second.standardOutput)\n\(second.standardError)")
        print("\(point.rawValue): second apply: "
            + second.standardOutput.split(separator: "\n").filter { $0.hasPrefix("applied:") }.joined(separator: " "))
        print("\(point.rawValue): public.foodlogstats reader: \(PublicViewReader.describe(reading))")
        #expect(reading.errors.isEmpty, "\(reading.errors)")
        #expect(reading.queries > 0)

        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")

        // Every yearly row kept, over the columns it had; the new column filled.
        let after = try await ApplyCommandTests.yearlyTables(warehouse, columns: before.mapValues(\.columns))
        #expect(Set(after.keys) == Set(before.keys))
        for (name, table) in before {
            #expect(after[name]?.rows == table.rows, "\(name)")
            #expect(after[name]?.checksum == table.checksum, "\(name)")
            #expect(try await warehouse.scalar(
                Int.self, "SELECT count(*)::int FROM \(name) WHERE waste_category IS DISTINCT FROM 'UNKNOWN'") == 0, "\(name)")
        }
        #expect(try await ApplyCommandTests.publicColumns(warehouse).last == "waste_category")
        #expect(try await ApplyCommandTests.leftovers(warehouse) == 0)

        // The journal: the killed run aborted, the second one succeeded.
        let runs = try await warehouse.query("SELECT status, coalesce(reason, '') FROM _wh.warden_runs ORDER BY run_id")
        let statuses = try runs.rows.map { [try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)] }
        #expect(statuses == [["aborted", "crash test: \(point.rawValue)"], ["succeeded", "after the crash"]], "\(statuses)")

        await warehouse.close()
    }
}
