import Executor
import Foundation
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// A swap step that locks objects readers use must take them in the order readers do (public view, tenant
/// views, then their members), or a reader that arrives while the step waits can end in a deadlock, which
/// PostgreSQL resolves by cancelling one side: often the reader.
@Suite("Swap steps lock in the readers' order", .integration, .hangGuard)
struct SwapLockOrderTests {
    @Test("an appended column's tenant swap behind a long reader: the next reader waits and succeeds, no deadlock")
    func appendedColumnSwapDoesNotDeadlockReaders() async throws {
        try await ColumnChangeWorld.with("lock_order") { world in
            world.appendWasteCategory()
            let plan = try await world.plan()
            #expect(plan.steps(in: .swap).first?.kind == .replaceTenantView)
            try await world.apply(plan, phases: [.prepare])

            // Reader 1 holds the public view (and every member) in an open transaction.
            let first = try await PostgresConnection.connect(ConnectionConfiguration(world.built.warehouseConnectionString))
            try await first.execute("BEGIN")
            _ = try await first.scalar(Int64.self, "SELECT count(*) FROM public.foodlogstats")
            // The swap waits for it; a lock timeout far above deadlock_timeout, so only a deadlock could end it.
            let swapping = world
            let swap = Task {
                try await swapping.apply(
                    plan, phases: [.swap],
                    options: ApplyOptions(
                        parallelism: 1, lockTimeoutMilliseconds: 20_000, liveLockTimeoutMilliseconds: 20_000,
                        command: "lock order test", asOf: ColumnChangeWorld.asOf))
            }
            try await Self.waitForLockWaits(world.connection, count: 1)
            // Reader 2 arrives while the swap waits, and queues.
            let second = try await PostgresConnection.connect(ConnectionConfiguration(world.built.warehouseConnectionString))
            let read = Task { try await second.scalar(Int64.self, "SELECT count(*) FROM public.foodlogstats") }
            try await Self.waitForLockWaits(world.connection, count: 2)
            try await Task.sleep(for: .milliseconds(300))
            try await first.execute("COMMIT")

            let rows = await read.result
            if case .failure(let error) = rows { Issue.record("the second reader failed: \(error)") }
            #expect(((try? rows.get()) ?? 0) > 0)
            let report = await swap.result
            if case .failure(let error) = report { Issue.record("the swap failed: \(error)") }
            await first.close()
            await second.close()
            try await world.apply(plan, phases: [.cleanup])
            let drift = try await world.drift()
            #expect(drift.items.isEmpty, "\(ColumnChangeWorld.lines(drift))")
        }
    }

    /// Waits until `count` sessions of this database wait for a lock.
    static func waitForLockWaits(_ connection: PostgresConnection, count: Int) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while clock.now < deadline {
            let waiting = try await connection.scalar(
                Int.self,
                "SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            if waiting >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(count) session(s) never waited for a lock")
    }
}
