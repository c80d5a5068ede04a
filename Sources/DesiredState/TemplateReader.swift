import Foundation
import WardenModel
import Yams

/// Reads one `templates/<name>.yaml` (kind `Template`) and the query file it references.
struct TemplateReader {
    /// The keys of a template file, in the order DESIGN.md §2 shows them.
    static let keys = ["apiVersion", "kind", "name", "description", "query", "columns", "indexes", "readyWhen"]
    static let columnKeys = ["name", "type", "default", "notNull", "renamedFrom"]
    static let indexKeys = ["columns", "unique"]
    /// PostgreSQL's 1,600 columns of a relation, less the public view's tenant column.
    static let maximumColumns = 1599
    /// Indexes per template (each is built on every daily view and yearly table of every tenant).
    static let maximumIndexes = 32
    /// PostgreSQL's `INDEX_MAX_KEYS`.
    static let maximumIndexKeys = 32

    let document: YAMLDocument
    let layout: RepositoryLayout
    let types: TypeResolver
    /// The file name without `.yaml`: what the template's `name` must be.
    let fileName: String
    var file: String { document.file }

    /// The declaration, or `nil` when the file cannot be read at all.
    static func read(
        _ source: SourceFile, layout: RepositoryLayout, types: TypeResolver, diagnostics: inout DiagnosticList
    ) -> TemplateDeclaration? {
        guard let document = YAMLDocument.parse(source, diagnostics: &diagnostics) else { return nil }
        let fileName = String(source.path.dropFirst(layout.templatesFolder.count).dropLast(".yaml".count))
        guard let root = document.root else {
            diagnostics.error(
                "the template file is empty; declare apiVersion: warden/v1, kind: Template, name: \(fileName), query and columns",
                file: source.path, at: .start)
            return nil
        }
        let reader = TemplateReader(document: document, layout: layout, types: types, fileName: fileName)
        return reader.read(root, diagnostics: &diagnostics)
    }

    private func mapping(_ node: Node, _ subject: String, _ diagnostics: inout DiagnosticList) -> MappingReader? {
        MappingReader(node, file: file, subject: subject, hiddenKeys: document.hiddenKeys, diagnostics: &diagnostics)
    }

    private func read(_ node: Node, diagnostics: inout DiagnosticList) -> TemplateDeclaration? {
        guard var root = mapping(node, "template \(MessageText.quoted(fileName))", &diagnostics) else { return nil }
        let name = root.string("name", required: "name: \(fileName)", diagnostics: &diagnostics)
        var templateName = fileName
        if let name {
            if let problem = NamingRules.problemWithTemplateName(name.value) {
                diagnostics.error(problem, file: file, at: name.node)
            } else {
                templateName = name.value
                root.subject = "template \(MessageText.quoted(templateName))"
            }
            if name.value != fileName {
                diagnostics.error(
                    "template name \(MessageText.quoted(name.value)) differs from its file name \(fileName).yaml; rename the file or the template so they match",
                    file: file, at: name.node)
            }
        }
        root.rejectUnknownKeys(allowed: Self.keys, diagnostics: &diagnostics)
        DocumentHeader.check(root, kind: "Template", diagnostics: &diagnostics)
        let describedAs = root.string("description", diagnostics: &diagnostics)
        var description = describedAs?.value ?? ""
        if let located = describedAs, let scalar = description.unicodeScalars.first(where: { Self.isControl($0) || (0x80..<0xA0).contains($0.value) }) {
            // `warden plan` and the status page print descriptions: an ESC sequence there could erase or
            // hide plan lines on a reviewer's terminal.
            diagnostics.error(
                String(format: "the description of \(root.subject) holds the control character U+%04X, which a terminal would act on; remove it", scalar.value),
                file: file, at: located.node)
            description = ""
        }

        var query = ""
        var queryFile: String?
        if let reference = root.string("query", required: "query: \(fileName).sql", diagnostics: &diagnostics),
           let found = readQuery(reference, of: root.subject, diagnostics: &diagnostics) {
            query = found.query
            queryFile = found.path
        }
        var columns: [Column] = []
        var positions: [String: SourcePosition] = [:]
        if let items = root.sequence(
            "columns", required: "columns: [{ name: id, type: bigint }]", diagnostics: &diagnostics) {
            if items.value.isEmpty {
                diagnostics.error("\(root.subject) has no columns; declare at least one under columns",
                                  file: file, at: items.node)
            }
            // Checked before the columns are read: a runaway file should not cost minutes.
            if root.within(Self.maximumColumns, items, "columns; PostgreSQL allows 1600 per view and the public view adds the tenant column",
                      diagnostics: &diagnostics) {
                (columns, positions) = readColumns(items.value, of: root.subject, diagnostics: &diagnostics)
            }
        }
        var indexes: [IndexSpec] = []
        if let items = root.sequence("indexes", diagnostics: &diagnostics) {
            if root.within(Self.maximumIndexes, items, "indexes; each is built on every daily view and yearly table",
                      diagnostics: &diagnostics) {
                indexes = readIndexes(items.value, of: root.subject, columns: columns.map(\.name), diagnostics: &diagnostics)
            }
        }
        var readyWhen: String?
        if let probe = root.string("readyWhen", diagnostics: &diagnostics) {
            let text = probe.value.trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.contains(Template.datePlaceholder) {
                diagnostics.error(
                    "readyWhen of \(root.subject) does not mention {TARGET_DATE}, so it would answer the same for every day; write a query of one boolean about that day, e.g. readyWhen: \"SELECT EXISTS (SELECT 1 FROM load_log WHERE day = '{TARGET_DATE}'::date)\"",
                    file: file, at: probe.node)
            } else if text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" }) {
                diagnostics.error("readyWhen of \(root.subject) holds a control character; remove it", file: file, at: probe.node)
            } else {
                readyWhen = text
            }
        }
        return TemplateDeclaration(
            template: Template(
                name: templateName, description: description, query: query, columns: columns, indexes: indexes, readyWhen: readyWhen),
            file: file, namePosition: name?.position ?? root.node.position, columnPositions: positions,
            queryFile: queryFile)
    }

    // MARK: - Query

    private func readQuery(
        _ reference: MappingReader.Located<String>, of subject: String, diagnostics: inout DiagnosticList
    ) -> (query: String, path: String)? {
        let name = reference.value
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard name.hasSuffix(".sql"), !name.hasPrefix("/"), !name.contains("\\"),
              !components.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            diagnostics.error(
                "query of \(subject) must name a .sql file in the templates folder, such as query: \(fileName).sql",
                file: file, at: reference.node)
            return nil
        }
        let path = layout.templatesFolder + name
        guard let source = layout.filesByPath[path] else {
            // A link there is reported once, by the layout.
            if layout.notFiles[path] != nil { return nil }
            let present = layout.filesByPath.keys
                .filter { $0.hasPrefix(layout.templatesFolder) && $0.hasSuffix(".sql") }
                .map { String($0.dropFirst(layout.templatesFolder.count)) }
                .sorted()
            let hint = NameSuggestion.closest(to: name, among: present).map { "did you mean \($0)?" }
                ?? "add the file or fix the name"
            diagnostics.error("query file \(MessageText.quoted(name)) of \(subject) does not exist (\(path)); \(hint)",
                              file: file, at: reference.node)
            return nil
        }
        guard let text = UTF8Validation.text(of: source, diagnostics: &diagnostics) else { return nil }
        let query = text.trimmingTrailingWhitespace
        if query.trimmingSpaces.isEmpty {
            diagnostics.error(
                "the query of \(subject) is empty; write the SELECT for one day's rows, filtered on {TARGET_DATE}",
                file: path, at: .start)
            return nil
        }
        checkPlaceholders(query, path: path, of: subject, diagnostics: &diagnostics)
        guard checkControlCharacters(query, path: path, of: subject, diagnostics: &diagnostics) else { return nil }
        return (query, path)
    }

    /// A NUL, which no PostgreSQL text can hold (apply failed with `parameter $9 contains a NUL
    /// character`, naming no file), and terminal control characters such as ESC, which `warden plan
    /// --sql` would print raw on a reviewer's terminal, are refused where they are; tabs and line
    /// ends are text.
    private func checkControlCharacters(
        _ query: String, path: String, of subject: String, diagnostics: inout DiagnosticList
    ) -> Bool {
        var clean = true
        for (offset, scalar) in query.unicodeScalars.enumerated() {
            // A carriage return is a line end of a CRLF file.
            guard Self.isControl(scalar), scalar != "\r" else { continue }
            let value = scalar.value
            let what = value == 0 ? "a NUL byte" : String(format: "the control character U+%04X", value)
            diagnostics.error(
                "the query of \(subject) holds \(what), which PostgreSQL cannot store or a terminal would act on; remove it",
                file: path, at: SourcePosition.of(scalarOffset: offset, in: query))
            clean = false
            break
        }
        return clean
    }

    /// A character that PostgreSQL text cannot hold (NUL) or that a terminal acts on: a C0 control but
    /// tab and line feed, or DEL.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t" && scalar != "\n") || scalar.value == 0x7F
    }

    /// `{TARGET_DATE}` must appear; any other `{UPPER_CASE}` placeholder is refused, since nothing fills it.
    private func checkPlaceholders(_ query: String, path: String, of subject: String, diagnostics: inout DiagnosticList) {
        let scalars = Array(query.unicodeScalars)
        var usesTargetDate = false
        var line = 1
        var column = 1
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "{" {
                var end = index + 1
                while end < scalars.count, end - index <= 64,
                      scalars[end] == "_" || ("A"..."Z").contains(scalars[end]) || ("a"..."z").contains(scalars[end])
                          || ("0"..."9").contains(scalars[end]) {
                    end += 1
                }
                if end < scalars.count, scalars[end] == "}", end > index + 1 {
                    let name = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                    let position = SourcePosition(line: line, column: column)
                    if name == "TARGET_DATE" {
                        usesTargetDate = true
                    } else if name.uppercased() == "TARGET_DATE" {
                        diagnostics.error(
                            "the query of \(subject) writes {\(name)}; placeholders are case-sensitive, so write {TARGET_DATE}",
                            file: path, at: position)
                    } else if name.unicodeScalars.allSatisfy({ $0 == "_" || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }),
                              let first = name.unicodeScalars.first, ("A"..."Z").contains(first) {
                        diagnostics.error(
                            "the query of \(subject) uses the placeholder {\(name)}, but {TARGET_DATE} is the only one warden fills in; remove it",
                            file: path, at: position)
                    }
                }
            }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            index += 1
        }
        if !usesTargetDate {
            diagnostics.error(
                "the query of \(subject) never uses {TARGET_DATE}, so every daily view would hold the same rows; filter on it, e.g. WHERE logged_time >= '{TARGET_DATE}'",
                file: path, at: .start)
        }
    }

    // MARK: - Columns

    private func readColumns(
        _ items: [Node], of subject: String, diagnostics: inout DiagnosticList
    ) -> ([Column], [String: SourcePosition]) {
        var columns: [Column] = []
        var positions: [String: SourcePosition] = [:]
        var renames: [(column: String, from: MappingReader.Located<String>)] = []
        for (index, item) in items.enumerated() {
            guard var reader = mapping(item, "column \(index + 1) of \(subject)", &diagnostics) else { continue }
            let name = reader.string("name", required: "name: id", diagnostics: &diagnostics)
            if let name { reader.subject = "column \(MessageText.quoted(name.value)) of \(subject)" }
            reader.rejectUnknownKeys(allowed: Self.columnKeys, diagnostics: &diagnostics)
            if let name {
                if let problem = IdentifierRules.problemWithColumnName(name.value) {
                    diagnostics.error("\(reader.subject) \(problem)", file: file, at: name.node)
                }
                if let first = positions[name.value] {
                    diagnostics.error(
                        "\(subject) declares column \(MessageText.quoted(name.value)) twice (first on line \(first.line)); rename or remove one of them",
                        file: file, at: name.node)
                } else {
                    positions[name.value] = name.position
                }
            }
            var type: ColumnType?
            if let spelling = reader.string("type", required: "type: text", diagnostics: &diagnostics) {
                type = types.resolve(spelling.value)
                if type == nil {
                    let cutAtComma = spelling.value.contains("(") && !spelling.value.contains(")")
                    let fix = cutAtComma
                        ? "inside { } a comma ends the value, so quote the type, e.g. type: \"numeric(10,3)\""
                        : types.suggestion(for: spelling.value).map { "did you mean '\($0)'?" }
                        ?? "use a PostgreSQL type such as text, bigint or numeric(10,3) (domains and enums are checked against a server)"
                    diagnostics.error(
                        "type \(MessageText.quoted(spelling.value)) of \(reader.subject) is not a type PostgreSQL knows; \(fix)",
                        file: file, at: spelling.node)
                }
            }
            var defaultValue: String?
            if let value = reader.present("default", required: nil, diagnostics: &diagnostics) {
                if let text = value.scalarText {
                    defaultValue = text
                    if let type, let expected = DefaultLiteral.problem(text, type: type) {
                        diagnostics.error(
                            "default \(MessageText.quoted(text)) of \(reader.subject) does not parse as \(type.name); write \(expected)",
                            file: file, at: value)
                    }
                } else {
                    diagnostics.error("default of \(reader.subject) must be a single value, not \(value.shapeName)",
                                      file: file, at: value)
                }
            }
            let notNull = reader.bool("notNull", diagnostics: &diagnostics) ?? false
            if notNull && defaultValue == nil {
                diagnostics.error(
                    "\(reader.subject) is notNull without a default, so rows older than the column would break the constraint (seed 002); add a default or drop notNull",
                    file: file, at: reader.keyNode("notNull"))
            }
            var renamedFrom: String?
            if let from = reader.string("renamedFrom", diagnostics: &diagnostics) {
                renamedFrom = from.value
                if let problem = IdentifierRules.problemWithColumnName(from.value) {
                    diagnostics.error("renamedFrom \(MessageText.quoted(from.value)) of \(reader.subject) \(problem)",
                                      file: file, at: from.node)
                }
                if let name { renames.append((name.value, from)) }
            }
            guard let name else { continue }
            columns.append(Column(
                name: name.value, type: type ?? ColumnType(canonical: "text"), defaultValue: defaultValue, notNull: notNull,
                renamedFrom: renamedFrom))
        }
        var sources: [String: String] = [:]
        for rename in renames {
            let from = rename.from.value
            let shownColumn = MessageText.quoted(rename.column)
            if from == rename.column {
                diagnostics.error(
                    "column \(shownColumn) of \(subject) is renamedFrom itself; remove renamedFrom",
                    file: file, at: rename.from.node)
            } else if positions[from] != nil {
                diagnostics.error(
                    "column \(shownColumn) of \(subject) is renamedFrom \(MessageText.quoted(from)), which is still a column; remove renamedFrom or the old column",
                    file: file, at: rename.from.node)
            } else if let other = sources[from] {
                diagnostics.error(
                    "columns \(MessageText.quoted(other)) and \(shownColumn) of \(subject) are both renamedFrom \(MessageText.quoted(from)); keep one rename",
                    file: file, at: rename.from.node)
            } else {
                sources[from] = rename.column
            }
        }
        return (columns, positions)
    }

    // MARK: - Indexes

    private func readIndexes(
        _ items: [Node], of subject: String, columns: [String], diagnostics: inout DiagnosticList
    ) -> [IndexSpec] {
        var indexes: [IndexSpec] = []
        var seen: [IndexSpec: Int] = [:]
        for (index, item) in items.enumerated() {
            let label = "index \(index + 1) of \(subject)"
            guard let reader = mapping(item, label, &diagnostics) else { continue }
            reader.rejectUnknownKeys(allowed: Self.indexKeys, diagnostics: &diagnostics)
            var keyColumns: [String] = []
            var complete = true
            if let value = reader.present("columns", required: "columns: [id]", diagnostics: &diagnostics) {
                guard case .sequence(let names) = value else {
                    diagnostics.error("'columns' of \(label) must be a list, e.g. columns: [\(value.scalarText ?? "id")]",
                                      file: file, at: value)
                    continue
                }
                if names.isEmpty {
                    diagnostics.error("\(label) has no columns; list at least one, e.g. columns: [id]", file: file, at: value)
                    complete = false
                }
                if names.count > Self.maximumIndexKeys {
                    diagnostics.error(
                        "\(label) has \(names.count) columns; PostgreSQL allows at most \(Self.maximumIndexKeys) in one index",
                        file: file, at: value)
                    complete = false
                }
                for entry in names {
                    guard let column = entry.scalarText, !entry.isNull else {
                        diagnostics.error("a column of \(label) must be a column name, not \(entry.shapeName)",
                                          file: file, at: entry)
                        complete = false
                        continue
                    }
                    if !columns.contains(column) {
                        let hint = NameSuggestion.closest(to: column, among: columns).map { "did you mean '\($0)'?" }
                            ?? "use one of the template's columns"
                        diagnostics.error(
                            "\(label) is on column \(MessageText.quoted(column)), which the template does not declare; \(hint)",
                            file: file, at: entry)
                        complete = false
                    } else if keyColumns.contains(column) {
                        diagnostics.error("\(label) lists column \(MessageText.quoted(column)) twice; list it once",
                                          file: file, at: entry)
                        complete = false
                    }
                    keyColumns.append(column)
                }
            } else {
                complete = false
            }
            let unique = reader.bool("unique", diagnostics: &diagnostics) ?? false
            guard complete else { continue }
            let spec = IndexSpec(columns: keyColumns, unique: unique)
            if let first = seen[spec] {
                diagnostics.error("\(label) repeats index \(first + 1), \(spec); remove one of them", file: file, at: item)
            } else {
                seen[spec] = index
                indexes.append(spec)
            }
        }
        return indexes
    }
}
