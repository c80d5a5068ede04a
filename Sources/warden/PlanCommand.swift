import ArgumentParser
import Controller
import Drift
import Foundation
import Planner
import PostgresClient
import Scheduler
import WardenModel

extension Warden {
    /// `warden plan`: the minimal partial reconstruction that would reconcile the drift. Changes nothing.
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the plan that would reconcile the drift: a summary per phase (when it runs, steps grouped, classes, estimates; --sql adds the SQL). Changes nothing. Exit 0 nothing to do, 2 pending changes, 1 error.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, sql }

        @OptionGroup var source: SourceOptions
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var asOf: AsOfOptions
        @Option(help: "text (people), json (machines), sql (a migration file in seed 002's layout, with UP and DOWN).")
        var format: Format = .text
        @Option(help: ArgumentHelp("Write the plan to this file instead of standard output (for --format sql: a folder or a file).", valueName: "FILE"))
        var out: String?
        @Flag(help: "With --format text, show every step with its SQL after the summary.")
        var sql = false
        @Option(help: "Override policy.strategy for this plan.")
        var strategy: WardenModel.Policy.Strategy?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let logger = output.logger("warden.plan")
            let (observation, schedule) = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try await Pipeline.withDesiredState(source.source, database: database.configuration, logger: logger) {
                    desired, connection in
                    var policy = desired.settings.policy
                    if let strategy { policy.strategy = strategy }
                    let observation = try await Pipeline.observation(
                        desired, on: connection, asOf: try asOf.day(desired.settings), policy: policy)
                    return (observation, try Scheduling.schedule(desired, policy: policy))
                }
            }
            let routine = observation.routinePlan
            // The change, with the routine's steps beside it for machines; the migration file is the
            // change's, or the routine's when nothing else is due.
            var plan = observation.change
            plan.routine = routine.steps
            var rendered: String
            var fileName: String?
            switch format {
            case .text:
                rendered = Scheduling.text(routine: routine, change: observation.change, schedule: schedule, at: asOf.now, override: nil, sql: sql)
            case .json:
                var scheduled = plan
                if !plan.isEmpty { scheduled.when = schedule.planSchedule(for: plan, at: asOf.now) }
                rendered = scheduled.json() + "\n"
            case .sql:
                let now = Date()
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
                let timestamp = MigrationTimestamp(
                    day: Day(year: parts.year!, month: parts.month!, day: parts.day!)!, hour: parts.hour!,
                    minute: parts.minute!, second: parts.second!)
                let migration = plan.isEmpty ? routine : observation.change
                let file = migration.migrationFile(name: "warden reconcile \(plan.revision.map { String($0.prefix(12)) } ?? "")", timestamp: timestamp)
                rendered = file.contents
                fileName = file.fileName
            }
            if let out {
                var isFolder: ObjCBool = false
                let target = FileManager.default.fileExists(atPath: out, isDirectory: &isFolder) && isFolder.boolValue && fileName != nil
                    ? (out as NSString).appendingPathComponent(fileName!) : out
                try await reportingErrors(verbose: output.verbose) {
                    try rendered.write(toFile: target, atomically: true, encoding: .utf8)
                }
                print("wrote \(target)")
            } else {
                print(rendered, terminator: "")
            }
            if !plan.unplanned.isEmpty {
                let count = plan.unplanned.count
                printError("\(count) drift item\(count == 1 ? "" : "s") cannot be planned yet (\(plan.unplanned.joined(separator: ", "))); "
                    + "the plan's notes say why and what to do")
            }
            for sentence in observation.readiness.unreachableSentences(observation.settings) { printError(sentence) }
            if !plan.isInSync || !observation.drift.inSync || !observation.isEmpty { throw ExitCode(2) }
        }
    }
}

extension WardenModel.Policy.Strategy: ExpressibleByArgument {}
