import WardenModel

/// What loading a schema repository gives: the desired warehouse when it is valid, and every problem found.
public struct LoadResult: Sendable {
    /// The desired state, or `nil` when any diagnostic is an error.
    public var desired: DesiredWarehouse?
    /// Every problem of the repository, sorted by file, line and column.
    public var diagnostics: [Diagnostic]

    /// A result.
    public init(desired: DesiredWarehouse?, diagnostics: [Diagnostic]) {
        self.desired = desired
        self.diagnostics = diagnostics
    }

    /// The diagnostics that are errors.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// The diagnostics that are warnings.
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
}
