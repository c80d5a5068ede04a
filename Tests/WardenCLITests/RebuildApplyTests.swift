import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing

@Suite("warden apply --strategy rebuild", .integration, .hangGuard)
struct RebuildApplyTests {
    /// What a reader of the public view saw: queries that worked, queries that failed, and the longest
    /// time between two that worked (the outage, as a reader lives it).
    final class OutageLog: Sendable {
        struct Reading {
            var succeeded = 0
            var failed = 0
            var longestGap = 0.0
            var firstError: String?
        }
        let state = Mutex<Reading>(Reading())
        let stop = Atomic<Bool>(false)
    }

    @Test("seed 000's waste_category by --strategy rebuild: every yearly row kept with the default, drift in sync, the public view's outage measured")
    func seedProcedure() async throws {
        let world = try await ApplyCommandTests.World.make("rebuild")
        let binary = WardenCLITests.binary
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn))
        let before = try await ApplyCommandTests.yearlyTables(warehouse)
        #expect(!before.isEmpty && before.values.allSatisfy { $0.rows > 0 })

        // A reader of the public view every 50 ms, on its own connection, from before the apply until after it.
        let log = OutageLog()
        let reader = try await PostgresConnection.connect(ConnectionConfiguration(world.dsn, applicationName: "reader"))
        let readerTask = Task {
            let clock = ContinuousClock()
            var lastSuccess = clock.now
            while !log.stop.load(ordering: .acquiring) {
                do {
                    _ = try await reader.scalar(Int64.self, "SELECT count(*) FROM public.foodlogstats")
                    let now = clock.now
                    let gap = Self.seconds(lastSuccess.duration(to: now))
                    lastSuccess = now
                    log.state.withLock { $0.succeeded += 1; $0.longestGap = max($0.longestGap, gap) }
                } catch {
                    log.state.withLock { state in
                        state.failed += 1
                        if state.firstError == nil { state.firstError = String(describing: error) }
                    }
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        try await Task.sleep(for: .milliseconds(200))

        let clock = ContinuousClock()
        let started = clock.now
        let apply = try await Subprocess.run(
            [binary, "apply", "--yes", "--strategy", "rebuild", "--reason", "seed 000: waste_category, as written"] + world.base)
        let applySeconds = Self.seconds(started.duration(to: clock.now))
        try await Task.sleep(for: .milliseconds(300))
        log.stop.store(true, ordering: .releasing)
        await readerTask.value
        await reader.close()

        #expect(apply.status == 0, "\(apply.standardOutput)\n\(apply.standardError)")
        let reading = log.state.withLock { $0 }
        print(apply.standardOutput.split(separator: "\n").filter { $0.hasPrefix("applied:") || $0.hasPrefix("plan as of") || $0.contains("steps:") }
            .joined(separator: "\n"))
        print("rebuild: warden apply took \(String(format: "%.2f", applySeconds)) s; public.foodlogstats reader: "
            + "\(reading.succeeded) queries succeeded, \(reading.failed) failed, longest gap between successes "
            + "\(String(format: "%.0f", reading.longestGap * 1000)) ms; first error: \(reading.firstError ?? "none")")

        // The plan is the seed's: no shadows, no extra disk, one drop transaction.
        #expect(apply.standardOutput.contains("strategy rebuild"), "\(apply.standardOutput)")
        #expect(apply.standardOutput.contains("extra disk for shadows: 0 B"), "\(apply.standardOutput)")
        #expect(apply.standardOutput.contains("]  drop for rebuild · foodlogstats · "), "\(apply.standardOutput)")
        #expect(apply.standardOutput.contains(" · blocking"), "\(apply.standardOutput)")
        #expect(!apply.standardOutput.contains("__shadow"))
        #expect(apply.standardOutput.contains("applied: run"), "\(apply.standardOutput)")
        #expect(reading.succeeded > 0)

        // Yearly tables keep every row and gain waste_category = 'UNKNOWN'.
        let after = try await ApplyCommandTests.yearlyTables(warehouse, columns: before.mapValues(\.columns))
        #expect(Set(after.keys) == Set(before.keys))
        for (name, table) in before {
            #expect(after[name]?.rows == table.rows, "\(name)")
            #expect(after[name]?.checksum == table.checksum, "\(name)")
            #expect(try await warehouse.scalar(
                Int.self, "SELECT count(*)::int FROM \(name) WHERE waste_category IS DISTINCT FROM 'UNKNOWN'") == 0, "\(name)")
        }
        // The public view is back, with the source's values for the current year and its grants.
        #expect(try await ApplyCommandTests.publicColumns(warehouse).last == "waste_category")
        #expect(try await warehouse.scalar(
            Int.self,
            "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time >= '2026-01-01' AND waste_category <> 'UNKNOWN'") > 0)
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
        #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('landb_readers', 'landb.foodlogstats', 'SELECT')"))
        #expect(try await ApplyCommandTests.leftovers(warehouse) == 0)

        let drift = try await Subprocess.run([binary, "drift"] + world.base)
        #expect(drift.status == 0, "\(drift.standardOutput)\(drift.standardError)")
        #expect(try await warehouse.scalar(
            String.self, "SELECT status || ' ' || strategy FROM _wh.warden_runs ORDER BY run_id DESC LIMIT 1") == "succeeded rebuild")

        let again = try await Subprocess.run([binary, "apply", "--yes", "--strategy", "rebuild"] + world.base)
        #expect(again.status == 0, "\(again.standardOutput)\(again.standardError)")
        #expect(again.standardOutput.contains("nothing to do"))

        await warehouse.close()
        await world.tearDown()
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
