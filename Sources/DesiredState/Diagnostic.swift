/// A problem in the schema repository, at the place a person has to fix it.
///
/// Printed as compilers print theirs, `desired-state/templates/x.yaml:12:5: error: …`, so editors and CI
/// annotations can jump to it.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How bad a problem is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// The desired state cannot be used; nothing is reconciled until it is fixed.
        case error
        /// Worth a look; the desired state is still used.
        case warning

        /// Errors sort before warnings.
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// Repository-relative path of the file.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars (as libyaml counts them).
    public var column: Int
    /// Whether it stops the load.
    public var severity: Severity
    /// One sentence naming the object and the fix.
    public var message: String

    /// A diagnostic at `file:line:column`.
    public init(file: String, line: Int, column: Int, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    /// `file:line:column: severity: message`.
    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)"
    }

    /// Orders by file, line and column (then severity and message, so the order is total).
    public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        if lhs.column != rhs.column { return lhs.column < rhs.column }
        if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
        return lhs.message < rhs.message
    }
}
