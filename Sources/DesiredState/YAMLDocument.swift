import Yams

/// One YAML file of the repository, composed into Yams nodes that keep their line and column.
///
/// Codable would ignore unknown keys and lose every position, so readers walk these nodes instead.
struct YAMLDocument {
    /// Repository-relative path, for diagnostics.
    let file: String
    /// The root node; `nil` for a file with no document (empty, or only comments).
    let root: Node?
    /// Repeated keys: Yams refuses a mapping with one, so after reporting it the copy is renamed and the
    /// file read again to find the file's other problems. Readers skip keys at these positions.
    let hiddenKeys: Set<SourcePosition>

    /// The most repeated keys renamed in one file before giving up on it.
    static let maximumRepeatedKeys = 32

    /// Decodes and composes a file; `nil` (after reporting why) when it is not UTF-8 or not YAML.
    static func parse(_ source: SourceFile, diagnostics: inout DiagnosticList) -> YAMLDocument? {
        guard let text = UTF8Validation.text(of: source, diagnostics: &diagnostics) else { return nil }
        var yaml = text
        var hidden = Set<SourcePosition>()
        for attempt in 0...maximumRepeatedKeys {
            do {
                let root = try Yams.compose(yaml: yaml)
                return YAMLDocument(file: source.path, root: root, hiddenKeys: hidden)
            } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
                let key = duplicates.first ?? "?"
                let first = SourcePosition(context.mark)
                guard attempt < maximumRepeatedKeys,
                      let repeated = RepeatedKeyLocator.locate(key: key, firstAt: first, in: yaml)
                else {
                    diagnostics.error(
                        "key \(MessageText.quoted(key)) appears more than once in the same mapping; keep one of them",
                        file: source.path, at: first)
                    return nil
                }
                diagnostics.error(
                    "key \(MessageText.quoted(key)) appears again in the same mapping (first on line \(first.line)); keep one of them",
                    file: source.path, at: repeated)
                yaml = RepeatedKeyLocator.renaming(keyOfLength: key.unicodeScalars.count, at: repeated, in: yaml, serial: attempt)
                hidden.insert(repeated)
            } catch let error as YamlError {
                report(error, file: source.path, bytes: source.contents, diagnostics: &diagnostics)
                return nil
            } catch {
                diagnostics.error("the file cannot be read as YAML (\(error)); fix its syntax", file: source.path, at: .start)
                return nil
            }
        }
        return nil
    }

    /// Turns a Yams error into a diagnostic at its mark.
    private static func report(_ error: YamlError, file: String, bytes: [UInt8], diagnostics: inout DiagnosticList) {
        func sentence(_ problem: String, _ context: YamlError.Context?) -> String {
            var text = "invalid YAML: \(problem)"
            if let context, !context.text.isEmpty, context.text.count < 120 {
                text += " (\(context.text) on line \(context.mark.line), column \(context.mark.column))"
            }
            return text + "; fix the syntax here (indentation, a missing ':' or an unclosed quote or bracket)"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            diagnostics.error(sentence(problem, context), file: file, at: SourcePosition(mark))
        case .reader(let problem, let offset, let value, _):
            let position = offset.map { SourcePosition.of(byteOffset: $0, in: bytes) } ?? .start
            let hex = String(value, radix: 16, uppercase: true)
            let character = value >= 0 ? " (U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ")" : ""
            diagnostics.error("the file holds a character YAML does not allow\(character): \(problem); remove it",
                              file: file, at: position)
        default:
            diagnostics.error("the file cannot be read as YAML (\(error)); fix its syntax", file: file, at: .start)
        }
    }
}
