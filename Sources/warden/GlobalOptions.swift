import ArgumentParser
import Executor
import Logging
import PostgresClient

/// Options every command that talks to the warehouse shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp(
            "A libpq connection string or URI. Default: WARDEN_DATABASE_URL, then libpq's PG* variables, ~/.pgpass and service files.",
            valueName: "DSN"))
    var database: String?

    /// The connection, its sessions named after the command (`warden/drift pid=…`).
    var configuration: ConnectionConfiguration {
        var configuration = ConnectionConfiguration.resolve(database)
        configuration.applicationName = SessionName(command: Self.commandName).description
        return configuration
    }

    /// The subcommand this process runs (`apply`, `drift`, …).
    static var commandName: String {
        CommandLine.arguments.dropFirst().first { !$0.hasPrefix("-") && !$0.contains("/") } ?? "warden"
    }
}

/// Options for output detail.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Show the SQL behind errors and log each statement.")
    var verbose = false

    /// A logger for the command: warnings only unless `--verbose`.
    func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}
