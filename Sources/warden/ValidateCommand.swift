import ArgumentParser
import Catalog
import Controller
import DesiredState
import PostgresClient

extension Warden {
    /// `warden validate`: lint the desired state; with a database, also normalize types through the server
    /// and dry-run every template through every tenant's connection.
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lint the desired state. With --database, also check types on the server and dry-run each template's query (LIMIT 0) through every tenant's connection.")

        @OptionGroup var source: SourceOptions
        @Option(name: .customLong("database"), help: ArgumentHelp("Also check against this warehouse (libpq DSN).", valueName: "DSN"))
        var database: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let logger = output.logger("warden.validate")
            try await reportingErrors(verbose: output.verbose, displayPrefix: source.displayPrefix) {
                let snapshot = try source.source.read()
                // Offline first: an invalid repository never reaches the database.
                let offline = try Pipeline.loadOffline(snapshot)
                printWarnings(offline.diagnostics)
                var desired = offline.desired!
                // Seed 002, "backward compatibility first": breaking changes since the previous revision.
                if let previous = try? source.source.readPrevious(to: snapshot),
                   let before = DesiredStateLoader.load(files: previous.files, root: previous.root, revision: previous.revision).desired {
                    let changes = BreakingChangeLint.lint(previous: before, current: desired)
                    for change in changes {
                        print("breaking since \(previous.revision.map { String($0.prefix(12)) } ?? "the previous revision"): \(change); "
                            + "applying it needs policy.allowDestructive: true or --allow-destructive")
                    }
                }
                var problems = 0
                if let database {
                    let connection = try await PostgresConnection.connect(ConnectionConfiguration(database), logger: logger)
                    defer { Task { await connection.close() } }
                    desired = try await Pipeline.load(snapshot, on: connection).desired!
                    let report = try await QueryDryRun.run(desired, on: connection)
                    for problem in report.database { print("\(connection.target): \(problem)") }
                    for problem in report.connections {
                        print("\(problem.connection) (\(problem.tenant)): \(problem.problem); its queries were not tried")
                    }
                    for check in report.checks {
                        for problem in check.problems { print("\(check.template) via \(check.connection) (\(check.tenant)): \(problem)") }
                    }
                    problems = report.problemCount
                    print("dry-ran \(report.checks.count) template × tenant queries on \(connection.target): \(problems == 0 ? "all match" : "\(problems) problem(s)")")
                }
                let revision = snapshot.revision.map { " at \(String($0.prefix(12)))" } ?? ""
                if problems > 0 { throw ExitCode(1) }
                print("valid: \(desired.templates.count) template(s), \(desired.settings.tenants.count) tenant(s), "
                    + "\(desired.settings.windows.count) window(s)\(revision)")
            }
        }

        private func printWarnings(_ diagnostics: [Diagnostic]) {
            for diagnostic in diagnostics where diagnostic.severity != .error { printError(source.displayPrefix + diagnostic.description, prefixed: false) }
        }
    }
}
