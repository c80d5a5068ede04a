/// The rates the planner turns live sizes into durations with, before the scheduler has recorded
/// durations of its own (DESIGN.md §6).
enum Estimates {
    /// Bytes per second a daily view builds at through dblink.
    static let buildBytesPerSecond = 20_000_000.0
    /// Bytes per second `CREATE INDEX CONCURRENTLY` reads a relation at.
    static let indexBytesPerSecond = 50_000_000.0
    /// Seconds a catalog-only statement (a view swap, a metadata-only `ADD COLUMN`, a rename) takes.
    static let catalogStatementSeconds = 0.005

    /// Seconds to build `bytes`, or `nil` when the size is unknown.
    static func buildSeconds(_ bytes: Double?) -> Double? { bytes.map { $0 / buildBytesPerSecond } }
}
