import ArgumentParser
import Controller
import DesiredState
import Executor
import Foundation
import Planner
import PostgresClient
import Scheduler
import WardenModel

extension Warden {
    /// `warden restate`: re-read chosen days of chosen tenants from their sources (DESIGN.md §6b).
    struct Restate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-read days of a template from the tenants' sources (corrected data), readers never failing, and nothing else. Exit 0 done, 1 error, 3 refused (nothing changed).",
            discussion: """
                Each day's daily view is refreshed with REFRESH MATERIALIZED VIEW CONCURRENTLY (the template needs a \
                unique index): readers keep the old rows until it commits. Restatement is routine work: no allow \
                window holds it. Recorded in _wh.warden_runs with its reason. Days of past years live in yearly \
                tables and are refused.
                """)

        @OptionGroup var source: SourceOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOptions
        @Option(help: "The template whose days to re-read.")
        var template: String
        @Option(name: .customLong("tenant"), help: ArgumentHelp("A tenant to restate (repeat for several); default: every tenant.", valueName: "SCHEMA"))
        var tenants: [String] = []
        @Option(help: ArgumentHelp("The first day (YYYY-MM-DD).", valueName: "DATE"))
        var from: String
        @Option(help: ArgumentHelp("The last day (YYYY-MM-DD); default: --from.", valueName: "DATE"))
        var to: String?
        @Option(help: "Why the days are restated; recorded in _wh.warden_runs (required).")
        var reason: String
        @Flag(name: [.customShort("y"), .long], help: "Restate without asking (required without a terminal).")
        var yes = false
        @Flag(help: "Allow re-loading days kept in yearly tables (not built yet: such days are refused).")
        var allowDestructive = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard let first = Day(from) else { throw ValidationError("--from must be a date like 2026-03-15, not '\(from)'") }
            if let to {
                guard let last = Day(to) else { throw ValidationError("--to must be a date like 2026-03-15, not '\(to)'") }
                if last < first { throw ValidationError("--to \(to) is before --from \(from)") }
                if last.ordinal - first.ordinal > 366 { throw ValidationError("restate at most 367 days at once") }
            }
            if reason.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--reason must say why the days are restated; it is recorded with the run")
            }
        }

        func run() async throws {
            let logger = output.logger("warden.restate")
            let configuration = database.configuration
            let first = Day(from)!, last = to.flatMap(Day.init) ?? first
            let days = first.through(last)
            let (plan, schedule, target) = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try await Pipeline.withDesiredState(source.source, database: configuration, logger: logger) { desired, connection in
                    let live = try await Pipeline.observe(connection)
                    do {
                        let plan = try Planner.restatement(
                            template: template, tenants: tenants, days: days, desired: desired, live: live,
                            asOf: try asOf.day(desired.settings), allowDestructive: allowDestructive)
                        return (plan, try Schedule(desired), connection.target)
                    } catch let refusal as RepairRefusal {
                        printError("refusing to restate: \(refusal.description). Nothing was changed.")
                        throw ExitCode(3)
                    }
                }
            }
            var scheduled = plan
            scheduled.when = schedule.planSchedule(for: plan, at: asOf.now)
            print(scheduled.text(), terminator: "")
            fflush(nil)
            try confirm(
                "Restate \(plan.steps.count) daily view\(plan.steps.count == 1 ? "" : "s") on \(target)?", yes: yes, refusing: "restate")
            var options = ApplyOptions(
                command: Apply.commandLine(), reason: "restate: \(reason)", revision: plan.revision, asOf: plan.asOf,
                gate: StepGate(schedule: schedule, now: asOf.clock), session: SessionName(command: "restate"))
            options.recordsApplied = false
            let report = try await applyShowingProgress(
                plan, configuration: configuration, options: options, logger: logger, verbose: output.verbose)
            if let held = report.held {
                print("restated in part: \(report.summaryLine)")
                printError(ScheduleText.line(held.admission, at: asOf.clock()) + "; run warden restate again then")
                throw ExitCode(3)
            }
            print("restated: \(report.summaryLine)")
        }
    }
}
