import WardenModel
import Yams

/// Reads a schema repository (DESIGN.md §2) into a ``DesiredWarehouse``, with a `file:line:column`
/// diagnostic for every rule it breaks.
///
/// Pure: it is handed the files (from a `GitSnapshot` or ``files(inFolder:)``) and touches no database;
/// types a server knows beyond the built-in ones come in through `typeNames`.
public enum DesiredStateLoader {
    /// Loads the desired state from the files under `root`, reporting every problem of the repository at once.
    ///
    /// - Parameters:
    ///   - files: every file under `root` (as a `GitSnapshot` or a folder walk yields them); files outside
    ///     `root` are ignored.
    ///   - root: the folder of the desired state, repository-relative (`desired-state`; `""` for the top).
    ///   - revision: the commit the files were read at, or `nil` for a plain folder.
    ///   - typeNames: spelling → canonical spelling from a server (optional). Spellings absent from it fall
    ///     back to ``ColumnType/init(_:)``, else get an "unknown type" diagnostic.
    public static func load(
        files: [SourceFile], root: String, revision: String?, typeNames: [String: String] = [:]
    ) -> LoadResult {
        var diagnostics = DiagnosticList()
        let layout = RepositoryLayout(files: files, root: root)
        layout.reportLayout(into: &diagnostics)

        let settings = layout.warehouse.flatMap { WarehouseReader.read($0, diagnostics: &diagnostics) }
        let types = TypeResolver(typeNames: typeNames)
        let declarations = layout.templates.compactMap {
            TemplateReader.read($0, layout: layout, types: types, diagnostics: &diagnostics)
        }
        checkTemplateNames(declarations, diagnostics: &diagnostics)
        if let settings { checkTenantColumn(settings, declarations, diagnostics: &diagnostics) }
        reportUnreferencedQueries(layout, declarations, diagnostics: &diagnostics)

        var desired: DesiredWarehouse?
        if let settings, !diagnostics.hasErrors {
            desired = DesiredWarehouse(settings: settings, templates: declarations.map(\.template), revision: revision)
        }
        return LoadResult(desired: desired, diagnostics: diagnostics.sorted)
    }

    /// Every type spelling the templates under `root` use, for the caller to resolve on a server
    /// (`SELECT format_type(…::regtype, …)`) before ``load(files:root:revision:typeNames:)``.
    public static func typeSpellings(files: [SourceFile], root: String) -> Set<String> {
        let layout = RepositoryLayout(files: files, root: root)
        var spellings = Set<String>()
        for file in layout.templates {
            var ignored = DiagnosticList()
            guard let document = YAMLDocument.parse(file, diagnostics: &ignored),
                  case .mapping(let template)? = document.root,
                  case .sequence(let columns)? = template["columns"]
            else { continue }
            for column in columns {
                if case .mapping(let mapping) = column, let type = mapping["type"]?.scalarText, !type.isEmpty {
                    spellings.insert(type)
                }
            }
        }
        return spellings
    }

    // MARK: - Checks across files

    /// Two templates with one name, and a template named like another's yearly table
    /// (`foodlogstats_2024`) or daily view, which would collide in every tenant schema.
    private static func checkTemplateNames(_ declarations: [TemplateDeclaration], diagnostics: inout DiagnosticList) {
        var firstFile: [String: String] = [:]
        for declaration in declarations {
            let name = declaration.template.name
            if let other = firstFile[name] {
                diagnostics.error(
                    "template \(MessageText.quoted(name)) is also declared in \(other); rename one of them or delete the copy",
                    file: declaration.file, at: declaration.namePosition)
            } else {
                firstFile[name] = declaration.file
            }
        }
        let names = Set(firstFile.keys)
        for declaration in declarations {
            let name = declaration.template.name
            for other in names where other != name && name.hasPrefix(other + "_") {
                let suffix = String(name.dropFirst(other.count + 1))
                let isYear = suffix.count == 4 && suffix.allSatisfy(\.isNumber)
                let isDay = Day(suffix.replacing("_", with: "-")).map { $0.nameSuffix == suffix } ?? false
                if isYear || isDay {
                    let object = isYear ? "yearly table" : "daily view"
                    diagnostics.error(
                        "template \(MessageText.quoted(name)) has the name of a \(object) of template \(MessageText.quoted(other)), so their objects would collide; rename it",
                        file: declaration.file, at: declaration.namePosition)
                }
            }
        }
    }

    /// A template column named like `tenantColumn` would appear twice in the public view.
    private static func checkTenantColumn(
        _ settings: WarehouseSettings, _ declarations: [TemplateDeclaration], diagnostics: inout DiagnosticList
    ) {
        for declaration in declarations {
            guard let position = declaration.columnPositions[settings.tenantColumn] else { continue }
            diagnostics.error(
                "column \(MessageText.quoted(settings.tenantColumn)) of template \(MessageText.quoted(declaration.template.name)) has the name of the public views' tenant column; rename the column or set another tenantColumn in warehouse.yaml",
                file: declaration.file, at: position)
        }
    }

    /// `.sql` files in `templates/` that no template references are probably a typo in `query:`.
    private static func reportUnreferencedQueries(
        _ layout: RepositoryLayout, _ declarations: [TemplateDeclaration], diagnostics: inout DiagnosticList
    ) {
        let referenced = Set(declarations.compactMap(\.queryFile))
        // A template whose file could not be read may reference any of them: say nothing then.
        guard declarations.count == layout.templates.count else { return }
        for path in layout.filesByPath.keys.sorted()
        where path.hasPrefix(layout.templatesFolder) && path.hasSuffix(".sql") && !referenced.contains(path) {
            diagnostics.warning("no template references this query file; reference it with query: or delete it",
                                file: path, at: .start)
        }
    }
}
