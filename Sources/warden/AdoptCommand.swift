import ArgumentParser
import Controller
import DesiredState
import Foundation
import PostgresClient
import WardenModel

extension Warden {
    /// `warden adopt`: write the desired state of an existing warehouse.
    struct Adopt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the desired state of an existing warehouse (built by hand with the seed's functions or by warden) to a folder.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("The folder to write warehouse.yaml and templates/ into.", valueName: "DIR"))
        var out: String
        // Not AsOfOptions: adopt evaluates no windows, so its --at only picks the day.
        @Option(help: ArgumentHelp(
            "The warehouse's today (YYYY-MM-DD): which daily views adopt expects; default: the UTC date of --at, or of now.",
            valueName: "DATE"))
        var asOf: String?
        @Option(help: ArgumentHelp(
            "Adopt as if now were TIME (RFC 3339, e.g. 2026-03-15T08:30:00Z): its UTC date is the warehouse's today when --as-of is not given.",
            valueName: "TIME"))
        var at: String?
        @Flag(help: "Overwrite files that already exist in DIR.")
        var force = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let asOf, Day(asOf) == nil { throw ValidationError("--as-of must be a date like 2026-03-15, not '\(asOf)'") }
            if let at, AsOfOptions.parseTime(at) == nil {
                throw ValidationError("--at must be an RFC 3339 time like 2026-03-15T08:30:00Z, not '\(at)'")
            }
        }

        /// `--as-of`, else the UTC date of `--at` (or of now).
        var today: Day {
            asOf.flatMap(Day.init) ?? Pipeline.today(in: "UTC", now: at.flatMap(AsOfOptions.parseTime) ?? Date())
        }

        func run() async throws {
            let logger = output.logger("warden.adopt")
            try await reportingErrors(verbose: output.verbose) {
                let connection = try await PostgresConnection.connect(database.configuration, logger: logger)
                defer { Task { await connection.close() } }
                let live = try await Pipeline.observe(connection)
                guard !live.registry.isEmpty else {
                    printError("\(connection.target) has no templates in _wh.mv_templates; there is nothing to adopt")
                    throw ExitCode(1)
                }
                let desired = Adoption.desiredState(of: live, asOf: today)
                let files = DesiredStateWriter.files(for: desired, root: "")
                var written: [String] = []
                for file in files {
                    let path = (out as NSString).appendingPathComponent(file.path)
                    if FileManager.default.fileExists(atPath: path) && !force {
                        printError("\(path) exists; pass --force to overwrite it or choose another --out")
                        throw ExitCode(1)
                    }
                    try FileManager.default.createDirectory(
                        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try Data(file.contents).write(to: URL(fileURLWithPath: path))
                    written.append(file.path)
                }
                print("adopted \(desired.templates.count) template(s) and \(desired.settings.tenants.count) tenant(s) from \(connection.target) into \(out): \(written.joined(separator: ", "))")
            }
        }
    }
}
