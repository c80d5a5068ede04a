import ArgumentParser
import Controller
import DesiredState
import Foundation
import PostgresClient

extension Warden {
    /// `warden adopt`: write the desired state of an existing warehouse.
    struct Adopt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the desired state of an existing warehouse (built by hand with the seed's functions or by warden) to a folder.")

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("The folder to write warehouse.yaml and templates/ into.", valueName: "DIR"))
        var out: String
        @OptionGroup var asOf: AsOfOptions
        @Flag(help: "Overwrite files that already exist in DIR.")
        var force = false
        @OptionGroup var output: OutputOptions

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
                let desired = Adoption.desiredState(of: live, asOf: try asOf.day(timeZone: "UTC"))
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
