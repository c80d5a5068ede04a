import ArgumentParser

/// The `warden` command line. Each subcommand parses its options and calls one library function.
@main
struct Warden: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "GitOps reconciler for a multi-tenant PostgreSQL warehouse of daily materialized views.",
        discussion: """
            warden reads the desired templates, columns, tenants and windows from git, diffs them against the
            live catalogs, and reconciles drift with the minimal partial reconstruction inside maintenance
            windows. See README.md and docs/.
            """,
        version: version,
        subcommands: [Validate.self, Drift.self, Plan.self, Apply.self, Restate.self, Windows.self, Run.self, History.self, Repair.self, Adopt.self, Init.self, Demo.self]
    )
}
