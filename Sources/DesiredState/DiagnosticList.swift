import Yams

/// The diagnostics gathered while loading one repository: every reader adds to it and goes on, so a
/// user sees all the problems of a repository at once.
struct DiagnosticList {
    private(set) var items: [Diagnostic] = []

    /// Whether any diagnostic is an error.
    var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// Sorted by file, line and column, without repeats.
    var sorted: [Diagnostic] { Array(Set(items)).sorted() }

    mutating func error(_ message: String, file: String, at position: SourcePosition) {
        add(.error, message, file: file, at: position)
    }

    mutating func error(_ message: String, file: String, at node: Node?) {
        add(.error, message, file: file, at: SourcePosition(node?.mark))
    }

    mutating func warning(_ message: String, file: String, at position: SourcePosition) {
        add(.warning, message, file: file, at: position)
    }

    mutating func warning(_ message: String, file: String, at node: Node?) {
        add(.warning, message, file: file, at: SourcePosition(node?.mark))
    }

    private mutating func add(_ severity: Diagnostic.Severity, _ message: String, file: String, at position: SourcePosition) {
        items.append(Diagnostic(
            file: file, line: position.line, column: position.column, severity: severity, message: Self.oneLine(message)))
    }

    /// The message with line breaks and other control characters escaped: a diagnostic is one line,
    /// whatever a hostile name holds.
    static func oneLine(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return message }
        var out = ""
        for scalar in message.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
