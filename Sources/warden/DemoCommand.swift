import ArgumentParser
import Controller
import DemoWorld
import DesiredState
import Drift
import EmbeddedPostgres
import Executor
import Planner
import Scheduler
import Synchronization
import Foundation
import Logging
import PostgresClient
import WardenModel

extension Warden {
    /// `warden demo`: the whole story on an embedded PostgreSQL.
    ///
    /// Today it builds the example tenant sources and a legacy warehouse exactly as seed 000's runbook
    /// does, and shows it; adopting it and changing it with warden joins the story as plan/apply land.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the example tenant sources and a seed-style legacy warehouse on an embedded PostgreSQL, and show it.")

        @Option(help: "The warehouse's today (YYYY-MM-DD); the last daily view is the day before.")
        var asOf: String = "2026-03-15"

        @Option(help: "The oldest year kept as a yearly table.")
        var firstYear: Int = 2024

        @Flag(help: "Keep the server and the demo's desired state after the tour, for psql and warden drift, until Ctrl-C.")
        var keep = false

        @OptionGroup var output: OutputOptions

        func run() async throws {
            // Line by line in a pipe too, so `warden demo --keep | tee` shows the psql line while it waits.
            Self.lineBufferStandardOutput()
            guard let asOfDate = try? PostgresDate(postgresText: asOf) else {
                throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'")
            }
            let logger = output.logger("warden.demo")
            let (firstYear, keep) = (firstYear, keep)
            // Ctrl-C or SIGTERM ends the demo the way it promises: the server stopped, its folder removed.
            signal(SIGINT, SIG_IGN)
            signal(SIGTERM, SIG_IGN)
            // In `warden demo --keep | tee`, Ctrl-C ends tee too: a write to the closed pipe must fail,
            // not kill the demo before it has stopped its server.
            signal(SIGPIPE, SIG_IGN)
            let work = Task { try await Self.show(asOf: asOfDate, firstYear: firstYear, keep: keep, logger: logger) }
            let signals = [SIGINT, SIGTERM].map { number in
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { work.cancel() }
                source.resume()
                return source
            }
            defer { signals.forEach { $0.cancel() } }
            try await reportingErrors(verbose: output.verbose) {
                do {
                    try await work.value
                } catch where work.isCancelled {
                    print("▸ interrupted: the server is stopped and its folder removed")
                    throw ExitCode(130)
                }
            }
        }

        /// Makes standard output line-buffered, as it is on a terminal. Swift 6 refuses to read the C
        /// global `stdout` (shared mutable state), so its address is looked up instead.
        private static func lineBufferStandardOutput() {
            #if os(Linux)
            let (everywhere, name): (UnsafeMutableRawPointer?, String) = (nil, "stdout")  // RTLD_DEFAULT
            #else
            let (everywhere, name) = (UnsafeMutableRawPointer(bitPattern: -2), "__stdoutp")  // RTLD_DEFAULT
            #endif
            guard let symbol = dlsym(everywhere, name) else { return }
            setvbuf(symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee, nil, _IOLBF, 0)
        }

        /// The demo from start to end; with `keep`, waits for cancellation (Ctrl-C) before the server is
        /// stopped and the folders removed.
        private static func show(asOf asOfDate: PostgresDate, firstYear: Int, keep: Bool, logger: Logger) async throws {
            let folder = NSTemporaryDirectory() + "warden-demo-\(getpid())/desired-state"
            let demoFolder = (folder as NSString).deletingLastPathComponent
            defer { try? FileManager.default.removeItem(atPath: demoFolder) }
            try await EmbeddedPostgres.withCluster(logger: logger) { cluster in
                print("▸ embedded PostgreSQL 15 on 127.0.0.1:\(cluster.port) (socket in \(cluster.socketDirectory))")
                let configuration = DemoWorld.Configuration(asOf: asOfDate, firstYear: firstYear)
                print("▸ building tenant sources and the legacy warehouse as seed 000 does (as of \(asOfDate))…")
                let built = try await DemoWorld.build(on: cluster, configuration, logger: logger)
                try await tour(built)
                try await driftStory(built, folder: folder, logger: logger)
                guard keep else { return }
                let dsn = built.warehouseConnectionString
                print("\nThe server keeps running, and so does the desired state in \(folder). Explore with:")
                print("  psql \"\(dsn)\"")
                // A day passed at the end of the story: the warehouse is as of the next day.
                let today = Day(asOfDate.description)!.adding(days: 1)
                print("  \(CommandLine.arguments[0]) drift --dir \(folder) --database \"\(dsn)\" --as-of \(today)")
                print("Press Ctrl-C to stop the server and remove it and \(demoFolder).")
                do {
                    while true { try await Task.sleep(for: .seconds(3600)) }
                } catch is CancellationError {
                    print("\n▸ stopping the server; removing \(cluster.directory) and \(demoFolder)")
                }
            }
        }

        private static func tour(_ built: DemoWorld.Built) async throws {
            let configuration = built.configuration
            let sources = configuration.tenants.map { tenant in
                "\(tenant.schema) \(built.sourceRows[configuration.sourceDatabase(tenant)] ?? 0) rows"
            }
            print(String(format: "  sources built in %.1f s: %@", built.sourceSeconds, sources.joined(separator: ", ")))
            print(String(format: "  legacy warehouse built in %.1f s", built.warehouseSeconds))

            let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(built.warehouseConnectionString))
            defer { Task { await warehouse.close() } }
            print("\n▸ the registry, _wh.mv_templates (seed 000)")
            for row in try await warehouse.query(
                "SELECT template_name, description, length(query_template) FROM _wh.mv_templates ORDER BY 1") {
                print("  \(row[0] ?? "")  —  \(row[1] ?? "")  (query \(row[2] ?? "?") characters)")
            }
            print("\n▸ objects per tenant (seed 000, Phase 1)")
            let counts = try await warehouse.query(
                """
                SELECT n.nspname::text AS tenant,
                       count(*) FILTER (WHERE c.relkind = 'm') AS daily_views,
                       count(*) FILTER (WHERE c.relkind = 'r' AND c.relname ~ '_[0-9]{4}$') AS yearly_tables,
                       count(*) FILTER (WHERE c.relkind = 'v') AS union_views,
                       pg_size_pretty(sum(pg_total_relation_size(c.oid)) FILTER (WHERE c.relkind IN ('m', 'r'))) AS size
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = ANY($1::text[]) GROUP BY 1 ORDER BY 1
                """, [configuration.tenants.map(\.schema)])
            print("  tenant      daily MVs  yearly tables  union views  size")
            for row in counts {
                print("  " + pad(row[0], 10) + "  " + pad(row[1], 9) + "  " + pad(row[2], 13) + "  " + pad(row[3], 11) + "  " + (row[4] ?? ""))
            }
            print("\n▸ the public views, per tenant")
            for template in DemoWorld.templates {
                let rows = try await warehouse.query("SELECT tenant, count(*) FROM public.\(template) GROUP BY 1 ORDER BY 1")
                let parts = rows.map { "\($0[0] ?? "?") \($0[1] ?? "0")" }
                print("  public.\(template): " + parts.joined(separator: ", "))
            }
            print("\n▸ a daily view reads its day from the tenant's database through dblink:")
            let definition = try await warehouse.scalar(
                String.self,
                "SELECT definition FROM pg_matviews WHERE schemaname = 'landb' AND matviewname LIKE 'foodlogstats_%' ORDER BY matviewname DESC LIMIT 1")
            let lines = definition.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let from = lines.firstIndex(where: { $0.hasPrefix("FROM dblink") }) {
                print("  " + lines[0] + " …")
                print("  " + String(lines[from].prefix(150)) + " …")
            }
        }

        /// Adopt the legacy warehouse, see it in sync, then change the desired state as a team would
        /// (seed 000's example: add waste_category) and see the drift warden reports.
        private static func driftStory(_ built: DemoWorld.Built, folder: String, logger: Logger) async throws {
            let asOfDay = Day(built.configuration.asOf.description)!
            let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(built.warehouseConnectionString))
            defer { Task { await warehouse.close() } }

            print("\n▸ warden adopt: the desired state of the legacy warehouse, written to \(folder)")
            let live = try await Pipeline.observe(warehouse)
            let adopted = Adoption.desiredState(of: live, asOf: asOfDay)
            try write(DesiredStateWriter.files(for: adopted, root: ""), to: folder)
            let inSync = DriftDetector.detect(desired: adopted, live: live, asOf: asOfDay)
            print("▸ warden drift: \(inSync.inSync ? "in sync" : "\(inSync.items.count) items") — the hand-built warehouse matches its adopted desired state")

            print("\n▸ a team merges seed 000's change: foodlogstats gains waste_category text, default 'UNKNOWN' for history")
            let sqlPath = folder + "/templates/foodlogstats.sql"
            let query = try String(contentsOfFile: sqlPath, encoding: .utf8)
            try query.replacing("pf.weight\n", with: "pf.weight,\n    pf.waste_category\n").write(toFile: sqlPath, atomically: true, encoding: .utf8)
            let yamlPath = folder + "/templates/foodlogstats.yaml"
            let yaml = try String(contentsOfFile: yamlPath, encoding: .utf8)
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let indexesAt = lines.firstIndex(where: { $0.hasPrefix("indexes:") }) else { return }
            var edited = lines
            edited.insert(contentsOf: ["  - name: waste_category", "    type: text", "    default: UNKNOWN"], at: indexesAt)
            try edited.joined(separator: "\n").write(toFile: yamlPath, atomically: true, encoding: .utf8)
            let loaded = DesiredStateLoader.load(files: try DesiredStateLoader.files(inFolder: folder), root: "", revision: nil)
            guard let desired = loaded.desired else {
                for diagnostic in loaded.diagnostics { print("  \(diagnostic)") }
                return
            }
            let report = DriftDetector.detect(desired: desired, live: live, asOf: asOfDay)
            print("▸ warden drift --dir \(folder) (exit \(report.inSync ? 0 : 2)):\n")
            print(report.table().split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

            let plan = Planner.plan(desired: desired, live: live, drift: report, asOf: asOfDay, policy: desired.settings.policy)
            print("\n▸ warden plan: \(plan.steps.count) steps — " + PlanStep.Phase.allCases.map { phase in
                "\(phase.rawValue) \(plan.steps(in: phase).count)" }.joined(separator: ", ")
                + "; risk \(plan.summary.risk.rawValue); the public view is never dropped")
            for step in plan.steps(in: .swap).prefix(2) {
                print("  swap · \(step.kind.rawValue) · \(step.targets.prefix(3).joined(separator: ", "))")
                for statement in step.statements.prefix(2) { print("      " + String(statement.split(separator: "\n").first ?? "")) }
            }

            // The windows of desired-state/warehouse.yaml, evaluated on a Tuesday: prepare may run ahead,
            // the swap waits for the Sunday-night allow window.
            let windows = [
                MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * 0", durationSeconds: 4 * 3600,
                                  timeZone: "America/Chicago", manualSync: true),
                MaintenanceWindow(name: "month-end-close", kind: .deny, schedule: "0 0 28 * *", durationSeconds: 96 * 3600),
            ]
            if let calendar = try? WindowCalendar(windows), let tuesday = AsOfOptions.parseTime("2026-11-17T12:00:00Z") {
                let schedule = Schedule(calendar: calendar, prepareAhead: true)
                print("\n▸ warden windows: with desired-state/'s windows, evaluated --at 2026-11-17T12:00:00Z (a Tuesday)")
                for window in calendar.upcoming(from: tuesday, count: 3) {
                    print("  \(window.kind.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(window.name.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                        + "\(ScheduleText.local(window.start, timeZone: window.timeZone)) → \(ScheduleText.local(window.end, timeZone: window.timeZone))")
                }
                let times = schedule.phaseTimes(for: plan, at: tuesday)
                for phase in PlanStep.Phase.allCases {
                    if let admission = times[phase] { print("  \(phase.rawValue): \(ScheduleText.line(admission, at: tuesday))") }
                }
                print("  (warden apply would build the shadows now and exit 3 with the swap's line; the demo applies at once, as --now --reason would)")
            }

            print("\n▸ warden apply, while a reader queries public.foodlogstats every 50 ms")
            let reader = PublicViewReader(connectionString: built.warehouseConnectionString)
            let readerTask = Task { await reader.run() }
            try await Task.sleep(for: .milliseconds(200))
            let clock = ContinuousClock()
            let started = clock.now
            let applied = try await PlanExecutor.apply(
                plan, configuration: ConnectionConfiguration(built.warehouseConnectionString),
                options: ApplyOptions(command: "warden demo", reason: "seed 000's example: add waste_category", asOf: asOfDay),
                logger: logger, progress: nil)
            let applySeconds = DemoWorld.seconds(clock.now - started)
            try await Task.sleep(for: .milliseconds(200))
            reader.stop()
            let figures = await readerTask.value
            print("  \(applied.summaryLine)")

            print("\n▸ seed 000, Phase 6: verification")
            let column = try await warehouse.query(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'landb' AND table_name = 'foodlogstats_2025' AND column_name = 'waste_category'")
            print("  landb.foodlogstats_2025 has waste_category: \(column.first?[0] ?? "NO")")
            let tenantCount = try await warehouse.scalar(Int.self, "SELECT count(*) FROM landb.foodlogstats")
            let publicCount = try await warehouse.scalar(Int.self, "SELECT count(*) FROM public.foodlogstats")
            print("  SELECT count(*) FROM landb.foodlogstats → \(tenantCount); FROM public.foodlogstats → \(publicCount)")
            for row in try await warehouse.query(
                "SELECT coalesce(waste_category, '(null)'), count(*) FROM public.foodlogstats GROUP BY 1 ORDER BY 2 DESC") {
                print("    \(row[0] ?? "")  \(row[1] ?? "")")
            }
            let after = DriftDetector.detect(desired: desired, live: try await Pipeline.observe(warehouse), asOf: asOfDay)
            print("  warden drift afterwards: \(after.inSync ? "in sync" : "\(after.items.count) items")")

            try await dayPasses(desired, windows: windows, asOf: asOfDay, built: built, logger: logger)

            print("\n▸ figures")
            print(String(format: "  apply: %.1f s (%d steps)", applySeconds, plan.steps.count))
            print(String(format: "  public view during the apply: %d queries, %d errors, longest wait %.0f ms", figures.queries, figures.errors, figures.longestMilliseconds))
            print("  rows checked in public.foodlogstats: \(publicCount)")
            print("  seed 000 by hand: the public view is dropped for the whole rebuild (20–60 minutes in production)")
        }

        /// The next day, with the demo's windows: the sources have loaded the as-of day, and the routine
        /// builds it and shows it in the public view at noon, with no allow window open (DESIGN.md §6b).
        private static func dayPasses(
            _ desired: DesiredWarehouse, windows: [MaintenanceWindow], asOf: Day, built: DemoWorld.Built, logger: Logger
        ) async throws {
            var withWindows = desired
            withWindows.settings.windows = windows
            let next = asOf.adding(days: 1)
            guard let noon = AsOfOptions.parseTime("\(next)T12:00:00Z") else { return }
            let weekday = noon.formatted(Date.FormatStyle(timeZone: TimeZone(identifier: "UTC")!).weekday(.wide))
            print("\n▸ a day passes: \(weekday) \(next), 12:00 UTC, no allow window open; the sources have loaded \(asOf)")
            let schedule = try Schedule(withWindows)
            let configuration = ConnectionConfiguration(built.warehouseConnectionString)
            let session = try await PostgresConnection.connect(configuration, logger: logger)
            defer { Task { await session.close() } }
            try await ApplyLock.acquire(on: session, wait: .seconds(5)) { _ in }
            let options = ApplyOptions(
                command: "warden demo", reason: "a day passes", asOf: next,
                gate: StepGate(schedule: schedule, now: AsOfOptions.clock(startingAt: "\(next)T12:00:00Z")))
            let outcome = try await Pipeline.runRoutine(
                withWindows, lockedSession: session, configuration: configuration, asOf: next, policy: desired.settings.policy,
                options: options, logger: logger, progress: nil)
            _ = try? await session.advisoryUnlock(PlanExecutor.lockKey)
            print("  warden apply: routine applied: \(outcome.ran ? outcome.summaryLine : "nothing was due")")
            for row in try await session.query(
                """
                SELECT tenant, count(*) FROM public.foodlogstats
                WHERE logged_time >= $1::date::timestamptz AND logged_time < $1::date::timestamptz + interval '1 day'
                GROUP BY 1 ORDER BY 1
                """, [asOf.description]) {
                print("    public.foodlogstats rows of \(asOf) · \(row[0] ?? "") \(row[1] ?? "")")
            }
        }

        private static func write(_ files: [SourceFile], to folder: String) throws {
            for file in files {
                let path = folder + "/" + file.path
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(file.contents).write(to: URL(fileURLWithPath: path))
            }
        }

        private static func pad(_ value: String?, _ width: Int) -> String {
            let text = value ?? ""
            return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
    }
}

/// Queries the public view every 50 ms on its own connection and records errors and the longest wait:
/// what a dashboard sees while warden changes the warehouse.
final class PublicViewReader: Sendable {
    struct Figures: Sendable {
        var queries = 0
        var errors = 0
        var longestMilliseconds = 0.0
    }

    let connectionString: String
    private let stopped = Mutex(false)

    init(connectionString: String) { self.connectionString = connectionString }

    func stop() { stopped.withLock { $0 = true } }

    func run() async -> Figures {
        var figures = Figures()
        guard let connection = try? await PostgresConnection.connect(
            ConnectionConfiguration(connectionString, applicationName: "demo-reader")) else { return figures }
        let clock = ContinuousClock()
        while !stopped.withLock({ $0 }) {
            let started = clock.now
            do {
                _ = try await connection.query("SELECT count(*) FROM public.foodlogstats")
            } catch {
                figures.errors += 1
            }
            figures.queries += 1
            figures.longestMilliseconds = max(figures.longestMilliseconds, DemoWorld.seconds(clock.now - started) * 1000)
            try? await Task.sleep(for: .milliseconds(50))
        }
        await connection.close()
        return figures
    }
}
