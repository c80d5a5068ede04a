import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

/// A date in the past, given by hand or by a clock that went back, must not hide built history.
@Suite("As-of going back", .integration, .hangGuard)
struct AsOfRegressionCommandTests {
    static func publicRows(_ connection: PostgresConnection) async throws -> Int {
        try await connection.scalar(Int.self, "SELECT count(*)::int FROM public.foodlogstats")
    }

    /// Runs recorded in `_wh.warden_runs` (0 before warden's first apply creates it).
    static func runs(_ connection: PostgresConnection) async throws -> Int {
        guard try await connection.scalar(Bool.self, "SELECT to_regclass('_wh.warden_runs') IS NOT NULL") else { return 0 }
        return try await connection.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_runs")
    }

    @Test("apply --as-of a year back is refused in one sentence, nothing changed; --allow-moving-back lets it run")
    func applyRefused() async throws {
        let (built, folder) = try await DemoWarehouse.build("asof_back")
        let dsn = built.warehouseConnectionString
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(dsn))
        let rows = try await Self.publicRows(warehouse)
        let runs = try await AsOfRegressionCommandTests.runs(warehouse)
        #expect(rows > 0)
        let days = try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_matviews WHERE schemaname NOT IN ('public', '_wh') AND matviewname ~ '_2026_\\d\\d_\\d\\d$'")
        let years = try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_tables WHERE schemaname NOT IN ('public', '_wh') AND tablename ~ '_2025$'")
        #expect(days > 0 && years > 0)

        let typo = ["--dir", folder.path, "--database", dsn, "--as-of", "2025-03-15"]
        let planned = try await Subprocess.run([WardenCLITests.binary, "plan"] + typo)
        #expect(planned.standardOutput.contains("risk high"), "\(planned.standardOutput)")
        #expect(planned.standardOutput.contains("refused: as-of 2025-03-15 is not after 2026-01-04, the newest day the warehouse has built"),
                "\(planned.standardOutput)")

        let refused = try await Subprocess.run([WardenCLITests.binary, "apply", "--yes", "--now", "--reason", "typo"] + typo)
        #expect(refused.status == 3, "\(refused.standardOutput)\(refused.standardError)")
        #expect(refused.standardError.contains(
            "refusing to apply: as-of 2025-03-15 is not after 2026-01-04, the newest day the warehouse has built: applying would take "
                + "\(days) built daily views and \(years) yearly tables out of the views"), "\(refused.standardError)")
        #expect(refused.standardError.contains("or pass --allow-moving-back if the warehouse really should move back. Nothing was changed."))
        #expect(try await Self.publicRows(warehouse) == rows)
        #expect(try await AsOfRegressionCommandTests.runs(warehouse) == runs)

        // Before firstYear: refused whatever the flag.
        let early = try await Subprocess.run(
            [WardenCLITests.binary, "apply", "--yes", "--now", "--reason", "typo", "--allow-moving-back",
             "--dir", folder.path, "--database", dsn, "--as-of", "2024-06-01"])
        #expect(early.status == 3, "\(early.standardOutput)\(early.standardError)")
        #expect(early.standardError.contains("refusing to apply: as-of 2024-06-01 is before firstYear 2025 of warehouse.yaml"), "\(early.standardError)")
        #expect(try await Self.publicRows(warehouse) == rows)

        // The operator says the warehouse really should move back (two days of 2025 to build).
        let moved = try await Subprocess.run(
            [WardenCLITests.binary, "apply", "--yes", "--now", "--reason", "restore an old snapshot", "--allow-moving-back",
             "--dir", folder.path, "--database", dsn, "--as-of", "2025-01-03"])
        #expect(moved.status == 0, "\(moved.standardOutput)\(moved.standardError)")
        #expect(try await Self.publicRows(warehouse) < rows)
        // Nothing was dropped: the yearly tables and the 2026 daily views are still there.
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_matviews WHERE schemaname NOT IN ('public', '_wh') AND matviewname ~ '_2026_\\d\\d_\\d\\d$'") == days)
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_tables WHERE schemaname NOT IN ('public', '_wh') AND tablename ~ '_2025$'") == years)
        await warehouse.close()
        folder.remove()
        await DemoWarehouse.drop(built)
    }
}
