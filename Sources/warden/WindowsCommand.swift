import ArgumentParser
import Controller
import Foundation
import Planner
import PostgresClient
import Scheduler
import WardenModel

extension Warden {
    /// `warden windows`: the maintenance windows ahead, and which phases of the pending plan each would run.
    struct Windows: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the maintenance windows ahead, active or not, with the pending steps each would run. Exit 0, 1 error.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

        @OptionGroup var source: SourceOptions
        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("List from this instant (RFC 3339); default: now.", valueName: "TIME"))
        var from: String?
        @Option(help: "How many windows to list.")
        var count: Int = 10
        @Option(help: ArgumentHelp("The warehouse's today (YYYY-MM-DD) for the pending plan; default: the date of --from.", valueName: "DATE"))
        var asOf: String?
        @Flag(help: "Do not connect to the warehouse: list the windows without the pending steps.")
        var offline = false
        @Option(help: "table (people) or json (machines).")
        var format: Format = .table
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if count < 1 { throw ValidationError("--count must be at least 1") }
            if let from, AsOfOptions.parseTime(from) == nil {
                throw ValidationError("--from must be an RFC 3339 time like 2026-11-29T02:30:00-06:00, not '\(from)'")
            }
            if let asOf, Day(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
        }

        func run() async throws {
            let logger = output.logger("warden.windows")
            let start = from.flatMap(AsOfOptions.parseTime) ?? Date()
            let snapshot = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try source.source.read()
            }
            let desired = try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                try Pipeline.loadOffline(snapshot).desired!
            }
            let policy = desired.settings.policy
            let schedule = try await reportingErrors(verbose: output.verbose) { try Scheduling.schedule(desired, policy: policy) }
            let calendar = try await reportingErrors(verbose: output.verbose) { try WindowCalendar(desired.settings.windows) }
            let windows = calendar.upcoming(from: start, count: count)

            var pending: PendingPlan?
            if !offline {
                do {
                    pending = try await Pipeline.withDesiredState(source.source, database: database.configuration, logger: logger) {
                        desired, connection in
                        let day = asOf.flatMap(Day.init) ?? desired.settings.asOf(at: start)
                        return try await Pipeline.plan(desired, on: connection, asOf: day).plan
                    }
                } catch {
                    printError("warning: the pending steps are not shown: \(String(describing: error)); pass --offline to list the windows alone")
                }
            }
            let assigned = Self.phasesByWindow(pending, schedule: schedule, at: start)

            switch format {
            case .json:
                print(Self.json(windows, at: start, assigned: assigned, pending: pending))
            case .table:
                if desired.settings.windows.isEmpty {
                    print("no maintenance windows: every step may run at any time")
                }
                let header = ["WINDOW", "KIND", "START", "END", "ACTIVE", "MANUAL SYNC", "WOULD RUN"]
                var rows = [header]
                for window in windows {
                    let phases = assigned[Self.key(window)] ?? []
                    rows.append([
                        window.name, window.kind.rawValue, ScheduleText.local(window.start, timeZone: window.timeZone),
                        ScheduleText.local(window.end, timeZone: window.timeZone),
                        window.start <= start && start < window.end ? "yes" : "in " + ScheduleText.relative(from: start, to: window.start),
                        window.manualSync ? "yes" : "no",
                        phases.isEmpty ? "-" : phases.joined(separator: ", "),
                    ])
                }
                if windows.isEmpty && !desired.settings.windows.isEmpty { print("no window opens within the next 400 days") }
                if !windows.isEmpty { print(Self.table(rows), terminator: "") }
                if let pending, !pending.isEmpty {
                    print("")
                    print(Scheduling.phaseLines(pending, schedule: schedule, at: start, override: nil), terminator: "")
                } else if pending != nil {
                    print("\nnothing pending: the warehouse is in sync")
                }
            }
        }

        static func key(_ window: WindowOccurrence) -> String { "\(window.name)@\(window.start.timeIntervalSince1970)" }

        /// For each window occurrence, the phases of `plan` that wait for it (`swap: 4 steps`).
        static func phasesByWindow(_ plan: PendingPlan?, schedule: Schedule, at start: Date) -> [String: [String]] {
            guard let plan else { return [:] }
            var assigned: [String: [String]] = [:]
            let times = schedule.phaseTimes(for: plan, at: start)
            for phase in PlanStep.Phase.allCases {
                let steps = plan.steps(in: phase)
                guard !steps.isEmpty, let admission = times[phase] else { continue }
                if case .wait(_, let window?, _) = admission {
                    assigned[key(window), default: []].append("\(phase.rawValue): \(steps.count) step\(steps.count == 1 ? "" : "s")")
                }
            }
            return assigned
        }

        static func json(_ windows: [WindowOccurrence], at start: Date, assigned: [String: [String]], pending: PendingPlan?) -> String {
            let objects: [[String: Any]] = windows.map { window in
                [
                    "name": window.name, "kind": window.kind.rawValue, "timeZone": window.timeZone,
                    "start": ScheduleText.rfc3339(window.start), "end": ScheduleText.rfc3339(window.end),
                    "active": window.start <= start && start < window.end, "manualSync": window.manualSync,
                    "wouldRun": assigned[key(window)] ?? [],
                ]
            }
            var root: [String: Any] = ["windows": objects, "from": ScheduleText.rfc3339(start)]
            root["pendingSteps"] = pending.map { $0.steps.count } ?? NSNull()
            let data = (try? JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }

        static func table(_ rows: [[String]]) -> String {
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        }
    }
}

/// The planner's plan (inside `extension Warden`, `Plan` names the `plan` subcommand).
typealias PendingPlan = Plan
