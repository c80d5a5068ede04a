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

/// `strategy: rebuild` on a real warehouse (DemoWorld): seed 000's procedure applied, and interrupted
/// in the middle of its outage, then finished by a fresh plan. Checked as `ColumnChangeTests` checks
/// the rename swap: drift in sync, every yearly row kept, the public view back for every tenant with
/// its grants, the other template untouched.
@Suite("Column changes by strategy rebuild", .integration, .hangGuard)
struct RebuildStrategyTests {
    static func rebuilding(_ world: inout ColumnChangeWorld) {
        world.desired.settings.policy.strategy = .rebuild
    }

    static func publicViewExists(_ world: ColumnChangeWorld) async throws -> Bool {
        try await world.connection.scalar(Bool.self, "SELECT to_regclass('public.foodlogstats') IS NOT NULL")
    }

    @Test("inserted, removed, renamed and retyped at once: altered in place in one transaction, every day rebuilt, views back")
    func combinedChange() async throws {
        try await ColumnChangeWorld.with("rb_combined") { world in
            let before = try await ColumnChangeTests.snapshot(world, kept: ColumnChangeTests.combinedKeptBefore)
            let yearlyOIDs = try await world.connection.query(
                "SELECT oid::text FROM pg_class WHERE relname = 'foodlogstats_2025' ORDER BY 1").rows.map { $0[0] ?? "" }
            Self.rebuilding(&world)
            ColumnChangeTests.combinedChange(&world)
            let plan = try await world.plan()
            #expect(ColumnChangeTests.notPlanned(plan).isEmpty, "\(plan.notes)")
            let drop = try #require(plan.steps.first { $0.kind == .dropForRebuild })
            #expect(drop.stepClass == .destructive)
            #expect(plan.steps.filter { $0.stepClass == .destructive } == [drop])
            #expect(plan.summary.extraDiskBytes == 0)
            #expect(!plan.steps.flatMap(\.statements).contains { $0.contains("__shadow") })
            try await world.apply(plan)
            try await ColumnChangeTests.verify(world, before: before, keptAfter: ColumnChangeTests.combinedKeptAfter)
            // Altered in place: the same tables, not copies.
            #expect(try await world.connection.query(
                "SELECT oid::text FROM pg_class WHERE relname = 'foodlogstats_2025' ORDER BY 1").rows.map { $0[0] ?? "" } == yearlyOIDs)
            #expect(try await world.connection.scalar(
                String.self, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'landb.foodlogstats_2025'::regclass AND attname = 'action_taken_id'")
                == "bigint")
        }
    }

    @Test("a crash halfway through the rebuilds, public view gone: a fresh plan builds the missing days and the views, and converges")
    func crashDuringTheRebuilds() async throws {
        try await ColumnChangeWorld.with("rb_crash") { world in
            let before = try await ColumnChangeTests.snapshot(world, kept: ColumnChangeTests.original)
            Self.rebuilding(&world)
            var template = world.foodlogstats
            template.columns.insert(Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN"), at: 2)
            template.query = template.query.replacing("pl.name AS store,\n", with: "pl.name AS store,\n    pf.waste_category,\n")
            world.foodlogstats = template
            let first = try await world.plan()
            #expect(ColumnChangeTests.notPlanned(first).isEmpty, "\(first.notes)")
            let builds = first.steps.filter { $0.kind == .buildDailyView }
            #expect(builds.count == 3 * 4)

            // The process dies after the drop transaction and half of the rebuilds.
            let stopAt = builds[builds.count / 2].id
            try await world.apply(Plan(
                steps: first.steps.filter { $0.id < stopAt }, revision: first.revision, asOf: first.asOf,
                strategy: first.strategy, notes: []))
            #expect(try await !Self.publicViewExists(world))

            let second = try await world.plan()
            #expect(ColumnChangeTests.notPlanned(second).isEmpty, "\(second.notes)")
            #expect(!second.steps.contains { $0.kind == .dropForRebuild || $0.stepClass == .destructive })
            #expect(second.steps.filter { $0.kind == .buildDailyView }.map(\.targets) == builds.suffix(builds.count / 2).map(\.targets))
            #expect(second.steps.filter { $0.kind == .createTenantView }.count == 3)
            #expect(second.steps.last?.kind == .replacePublicView)
            try await world.apply(second)
            #expect(try await Self.publicViewExists(world))
            try await ColumnChangeTests.verify(world, before: before, keptAfter: ColumnChangeTests.original)
            #expect(try await world.connection.scalar(
                Int.self, "SELECT count(*)::int FROM public.foodlogstats WHERE logged_time < '2026-01-01' AND waste_category IS DISTINCT FROM 'UNKNOWN'") == 0)
        }
    }

    /// `waste_category` appended, as seed 000 adds it.
    static func appendWasteCategory(_ world: inout ColumnChangeWorld) {
        var template = world.foodlogstats
        template.columns.append(Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN"))
        template.query = template.query.replacing("pf.weight\n", with: "pf.weight,\n    pf.waste_category\n")
        world.foodlogstats = template
    }

    @Test("the windows: the drop transaction starts only if its whole outage fits; once it ran, a closing window does not keep the views dropped")
    func windowsAdmitTheWholeOutage() async throws {
        try await ColumnChangeWorld.with("rb_window") { world in
            Self.rebuilding(&world)
            Self.appendWasteCategory(&world)
            let plan = try await world.plan()
            #expect(ColumnChangeTests.notPlanned(plan).isEmpty, "\(plan.notes)")
            #expect(plan.steps.first?.kind == .dropForRebuild, "\(plan.text())")
            // Sunday 02:00–06:00 UTC; 2026-11-22 is a Sunday.
            let window = MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 4 * 3600)
            let schedule = Schedule(calendar: try WindowCalendar([window]), prepareAhead: true)
            let tenToSix = try #require(ISO8601DateFormatter().date(from: "2026-11-22T05:50:00Z"))
            let afterSix = try #require(ISO8601DateFormatter().date(from: "2026-11-22T06:30:00Z"))
            func apply(_ plan: Plan, now: @escaping @Sendable () -> Date) async throws -> ApplyReport {
                try await PlanExecutor.apply(
                    plan, configuration: ConnectionConfiguration(world.built.warehouseConnectionString),
                    options: ApplyOptions(
                        parallelism: 2, command: "rebuild window test", asOf: ColumnChangeWorld.asOf, strategy: .rebuild,
                        gate: StepGate(schedule: schedule, now: now)),
                    logger: Logger(label: "test"), progress: nil)
            }

            // Ten minutes before the window closes, an outage estimated at an hour (12 days of 10 minutes
            // over 2 connections) does not start: nothing is dropped.
            let long = plan.reestimated { $0.kind == .buildDailyView ? 600 : nil }
            let held = try await apply(long) { tenToSix }
            #expect(held.stepsRun == 0 && held.held?.step.kind == .dropForRebuild)
            if case .wait(_, _, let reason) = try #require(held.held?.admission) {
                #expect(reason.contains("it needs 1h"), "\(reason)")
            } else {
                Issue.record("the drop transaction was not held: \(String(describing: held.held))")
            }
            #expect(try await Self.publicViewExists(world))

            // With room for its estimate it starts; the clock then passes the window's end before the next
            // step, and the steps that end the outage still run.
            let calls = Mutex(0)
            let report = try await apply(plan) {
                calls.withLock { count in
                    count += 1
                    return count == 1 ? tenToSix : afterSix
                }
            }
            #expect(report.held == nil && report.stepsRun == plan.steps.count, "\(report.summaryLine)")
            #expect(try await Self.publicViewExists(world))
            let drift = try await world.drift()
            #expect(drift.items.isEmpty, "\(ColumnChangeWorld.lines(drift))")
        }
    }
}
