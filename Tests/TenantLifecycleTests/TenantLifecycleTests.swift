import Planner
import PostgresClient
import Synchronization
import TestSupport
import Testing
import WardenModel

@Suite("Tenants and years on PostgreSQL: the reconciled warehouse equals one built from scratch", .integration, .hangGuard)
struct TenantLifecycleTests {
    /// What a reader of the public view saw.
    final class ReaderLog: Sendable {
        let state = Mutex<(queries: Int, errors: [String], longest: Double)>((0, [], 0))
        let stop = Atomic<Bool>(false)

        /// Queries `public.foodlogstats` every 50 ms on its own connection until stopped.
        func start(_ database: ConnectionConfiguration) async throws -> Task<Void, Never> {
            let reader = try await PostgresConnection.connect(database)
            return Task {
                let clock = ContinuousClock()
                while !self.stop.load(ordering: .acquiring) {
                    let start = clock.now
                    do {
                        _ = try await reader.scalar(Int64.self, "SELECT count(*) FROM public.foodlogstats")
                        let elapsed = start.duration(to: clock.now)
                        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                        self.state.withLock { $0.queries += 1; $0.longest = max($0.longest, seconds) }
                    } catch {
                        self.state.withLock { $0.errors.append(String(describing: error)) }
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                await reader.close()
            }
        }
    }

    static func unplanned(_ plan: Plan) -> [String] { plan.notes.filter { $0.hasPrefix("not planned yet") } }

    @Test("bootstrap, a tenant added (interrupted, then resumed under a reader), a tenant removed: each time the same as from scratch")
    func tenantAddedThenRemoved() async throws {
        let asOf = Day("2026-01-05")!
        try await LifecycleWorld.with(
            "tenants", tenants: ["landb", "acme", "bistro"], firstYear: 2025, sourcesThrough: PostgresDate(year: 2026, month: 1, day: 5)
        ) { world in
            // Bootstrap: an empty warehouse gets the whole desired state.
            let a = try await world.emptyWarehouse("a")
            try world.desire(tenants: ["landb", "acme"], firstYear: 2025)
            let bootstrap = try await world.apply(a, asOf: asOf)
            #expect(Self.unplanned(bootstrap).isEmpty, "\(bootstrap.notes)")
            #expect(try await world.drift(a, asOf: asOf) == [])

            // bistro added. A first run stops after its yearly table's February (a crash, as far as the
            // catalog can tell): the next plan resumes from March.
            try world.desire(tenants: ["landb", "acme", "bistro"], firstYear: 2025)
            let add = try await world.plan(a, asOf: asOf)
            #expect(Self.unplanned(add).isEmpty, "\(add.notes)")
            #expect(add.steps.allSatisfy { $0.tenant == "bistro" || $0.kind == .replacePublicView })
            var schema = try #require(add.steps.first { $0.kind == .createSchema })
            var yearly = try #require(add.steps.first { $0.kind == .buildYearlyTable && $0.template == "foodlogstats" })
            schema.id = 1
            yearly.id = 2
            let february = yearly.statements[2]
            yearly.statements = Array(yearly.statements.prefix(3))
            try await world.run(Plan(steps: [schema, yearly], revision: nil, asOf: asOf, strategy: .shadowSwap, notes: []), on: a)
            let warehouse = try await PostgresConnection.connect(a)
            let loaded = try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM bistro.foodlogstats_2025__shadow")
            try await warehouse.execute(february)
            #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM bistro.foodlogstats_2025__shadow") == loaded)

            let resumed = try await world.plan(a, asOf: asOf)
            #expect(resumed.notes.contains { $0.contains("bistro.foodlogstats_2025: resuming the shadow of an earlier run after 2025-02-28") },
                    "\(resumed.notes)")
            #expect(!resumed.steps.contains { $0.kind == .createSchema })
            let log = ReaderLog()
            let reader = try await log.start(a)
            try await Task.sleep(for: .milliseconds(150))
            let report = try await world.run(resumed, on: a)
            try await Task.sleep(for: .milliseconds(150))
            log.stop.store(true, ordering: .releasing)
            await reader.value
            let reading = log.state.withLock { $0 }
            print("tenant add: \(report.summaryLine); public.foodlogstats reader: \(reading.queries) queries, "
                + "longest \(String(format: "%.1f", reading.longest * 1000)) ms, \(reading.errors.count) errors")
            #expect(reading.errors.isEmpty, "\(reading.errors)")
            #expect(reading.queries > 0)
            #expect(try await world.drift(a, asOf: asOf) == [])

            // Every row of bistro's source, up to the day before the as-of date, is in the public view.
            let rows = try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM public.foodlogstats WHERE tenant = 'bistro'")
            #expect(try await world.sourceRows("bistro", from: "2025-01-01", to: "2026-01-05", through: a) == rows)
            #expect(try await warehouse.scalar(Bool.self, "SELECT has_table_privilege('analysts', 'public.foodlogstats', 'SELECT')"))

            let b = try await world.emptyWarehouse("b")
            try await world.apply(b, asOf: asOf)
            #expect(try await world.differences(a, b) == [])

            // acme removed: destructive steps for acme only; the public view without it.
            try world.desire(tenants: ["landb", "bistro"], firstYear: 2025)
            let remove = try await world.plan(a, asOf: asOf)
            #expect(Self.unplanned(remove).isEmpty, "\(remove.notes)")
            let destructive = remove.steps.filter { $0.stepClass == .destructive }
            #expect(!destructive.isEmpty && destructive.allSatisfy { $0.tenant == "acme" })
            try await world.run(remove, on: a)
            #expect(try await world.drift(a, asOf: asOf) == [])
            #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM pg_namespace WHERE nspname = 'acme'") == 0)
            let c = try await world.emptyWarehouse("c")
            try await world.apply(c, asOf: asOf)
            #expect(try await world.differences(a, c) == [])
            await warehouse.close()
        }
    }

    @Test("a year rollover across January 1 (injected as-of dates) equals the warehouse built from scratch at the new date")
    func yearRollover() async throws {
        try await LifecycleWorld.with(
            "rollover", tenants: ["landb", "acme"], firstYear: 2025, sourcesThrough: PostgresDate(year: 2026, month: 1, day: 3)
        ) { world in
            let before = Day("2025-01-04")!
            let after = Day("2026-01-03")!
            let a = try await world.emptyWarehouse("a")
            try world.desire(tenants: ["landb", "acme"], firstYear: 2025)
            try await world.apply(a, asOf: before)
            #expect(try await world.drift(a, asOf: before) == [])

            let rollover = try await world.plan(a, asOf: after)
            #expect(Self.unplanned(rollover).isEmpty, "\(rollover.notes)")
            #expect(rollover.steps.filter { $0.kind == .buildYearlyTable }.count == 4)
            #expect(rollover.steps(in: .swap).map(\.kind) == Array(repeating: .replaceTenantView, count: 4))
            #expect(rollover.steps(in: .cleanup).allSatisfy { $0.kind == .dropDailyView && $0.stepClass == .online })
            let report = try await world.run(rollover, on: a)
            print("year rollover: \(report.summaryLine)")
            #expect(try await world.drift(a, asOf: after) == [])

            let warehouse = try await PostgresConnection.connect(a)
            #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM pg_matviews WHERE matviewname ~ '_2025_'") == 0)
            let yearly = try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM landb.foodlogstats_2025")
            #expect(try await world.sourceRows("landb", from: "2025-01-01", to: "2026-01-01", through: a) == yearly)
            await warehouse.close()

            let b = try await world.emptyWarehouse("b")
            try await world.apply(b, asOf: after)
            #expect(try await world.differences(a, b) == [])

            // The comparison does see differences: the warehouse as of the earlier date is another one.
            let old = try await world.emptyWarehouse("old")
            try await world.apply(old, asOf: before)
            let differences = try await world.differences(a, old)
            #expect(differences.contains { $0.hasPrefix("relation landb.foodlogstats_2025: only in reconciled") }, "\(differences)")
            #expect(differences.contains { $0.hasPrefix("relation landb.foodlogstats: reconciled has definition") }, "\(differences)")
        }
    }
}
