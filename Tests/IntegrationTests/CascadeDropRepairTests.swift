import Drift
import Planner
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// Someone runs `ALTER TABLE landb.foodlogstats_2025 DROP COLUMN flags CASCADE` by hand: the column's
/// history is gone (their doing), and so are landb's tenant view and the public view. warden's next
/// apply puts the column back and both views, over every tenant, in one run.
@Suite("A yearly column dropped by hand with CASCADE", .integration, .hangGuard)
struct CascadeDropRepairTests {
    @Test("one apply adds the column back, then builds landb's view over it and the public view over every tenant")
    func repairedInOneApply() async throws {
        try await ColumnChangeWorld.with("cascade") { world in
            let rows = try await world.publicRows()
            let kept = ColumnChangeTests.original.filter { $0 != "flags" }
            let yearly = try await world.yearlyChecksums(kept)
            try await world.connection.execute("ALTER TABLE landb.foodlogstats_2025 DROP COLUMN flags CASCADE")
            #expect(try await world.connection.scalar(Bool.self, "SELECT to_regclass('public.foodlogstats') IS NULL"))

            let plan = try await world.plan()
            #expect(plan.notes.filter { $0.hasPrefix("not planned yet") }.isEmpty, "\(plan.notes)")
            #expect(!plan.steps.contains { $0.stepClass == .destructive })
            try await world.apply(plan)

            let drift = try await world.drift()
            #expect(drift.items.isEmpty, "\(ColumnChangeWorld.lines(drift))")
            #expect(try await world.publicRows() == rows)
            #expect(try await world.yearlyChecksums(kept) == yearly)
            #expect(try await world.columns("landb.foodlogstats") == world.foodlogstats.columns.map(\.name))
            #expect(try await world.connection.scalar(
                Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))
            #expect(try await world.connection.scalar(
                Bool.self, "SELECT has_table_privilege('landb_readers', 'landb.foodlogstats', 'SELECT')"))
            #expect(try await world.leftovers().isEmpty)
        }
    }
}
