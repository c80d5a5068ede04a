import ArgumentParser

extension Warden {
    /// `warden demo`: the whole story on an embedded PostgreSQL.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build the example tenant sources and a seed-style legacy warehouse on an embedded PostgreSQL and show it.")

        func run() async throws {
            print("demo: not yet")
        }
    }
}
