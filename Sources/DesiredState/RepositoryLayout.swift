/// The files of a schema repository sorted into what DESIGN.md §2 lays out: `warehouse.yaml`,
/// `templates/<name>.yaml` and the query files they reference. Files outside the root are not looked at.
struct RepositoryLayout {
    /// The root with a trailing `/` (`desired-state/`), or `""` for the repository's top.
    let prefix: String
    /// `warehouse.yaml`, if present.
    let warehouse: SourceFile?
    /// `templates/*.yaml`, sorted by path.
    let templates: [SourceFile]
    /// Every file under the root, by repository-relative path.
    let filesByPath: [String: SourceFile]
    /// Entries under the root that are not files (symbolic links, submodules): path → what they are.
    let notFiles: [String: String]

    init(files: [SourceFile], root: String) {
        let prefix = RepositoryLayout.prefix(forRoot: root)
        self.prefix = prefix
        var byPath: [String: SourceFile] = [:]
        var skipped: [String: String] = [:]
        for file in files {
            let path = RepositoryLayout.normalized(file.path)
            guard path.hasPrefix(prefix) else { continue }
            if let description = file.notAFile {
                skipped[path] = description
            } else {
                byPath[path] = SourceFile(path: path, contents: file.contents)
            }
        }
        filesByPath = byPath
        notFiles = skipped
        warehouse = byPath[prefix + "warehouse.yaml"]
        templates = byPath.values
            .filter { RepositoryLayout.isTemplateFile(String($0.path.dropFirst(prefix.count))) }
            .sorted { $0.path < $1.path }
    }

    /// Where `warehouse.yaml` is, or would be.
    var warehousePath: String { prefix + "warehouse.yaml" }

    /// The folder of the template files, with a trailing `/`.
    var templatesFolder: String { prefix + "templates/" }

    /// Reports a missing `warehouse.yaml`, entries that are not files (a link is never followed, so
    /// what it points to would silently be absent), and files that look meant for warden but that it
    /// does not read.
    func reportLayout(into diagnostics: inout DiagnosticList) {
        for (path, description) in notFiles.sorted(by: { $0.key < $1.key }) {
            diagnostics.error(
                "\(path) is \(description), which warden never follows: nothing behind it is read; "
                    + "commit the file or folder itself in its place", file: path, at: .start)
        }
        if warehouse == nil, notFiles[warehousePath] == nil {
            if filesByPath.isEmpty {
                let shown = prefix.isEmpty ? "the repository" : "'\(prefix)'"
                diagnostics.error(
                    "there are no files under \(shown); check the path to the desired state or create \(warehousePath)",
                    file: warehousePath, at: .start)
            } else {
                diagnostics.error(
                    "the desired state has no warehouse.yaml; create \(warehousePath) with apiVersion: warden/v1, kind: Warehouse, firstYear and tenants",
                    file: warehousePath, at: .start)
            }
        }
        for path in filesByPath.keys.sorted() {
            let relative = String(path.dropFirst(prefix.count))
            guard relative != "warehouse.yaml", !RepositoryLayout.isTemplateFile(relative) else { continue }
            if relative == "warehouse.yml" {
                diagnostics.error("warden reads warehouse.yaml, not warehouse.yml; rename the file", file: path, at: .start)
            } else if relative.hasPrefix("templates/"), !relative.dropFirst(10).contains("/"), relative.hasSuffix(".yml") {
                diagnostics.error(
                    "template files end in .yaml, so warden would not read this one; rename it to \(relative.dropLast(4)).yaml",
                    file: path, at: .start)
            } else if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                diagnostics.warning(
                    "warden does not read this file (it reads warehouse.yaml and templates/<name>.yaml); move or delete it",
                    file: path, at: .start)
            }
        }
    }

    /// `templates/<name>.yaml`, directly in the folder.
    static func isTemplateFile(_ relative: String) -> Bool {
        guard relative.hasPrefix("templates/"), relative.hasSuffix(".yaml") else { return false }
        let name = relative.dropFirst("templates/".count)
        return !name.contains("/") && name.count > ".yaml".count
    }

    /// `desired-state/` for `desired-state`, `./desired-state/` or `/desired-state`; `""` for `.` or `""`.
    static func prefix(forRoot root: String) -> String {
        let path = normalized(root)
        if path.isEmpty || path == "." { return "" }
        return path.hasSuffix("/") ? path : path + "/"
    }

    /// Without a leading `./` or `/`, and without a trailing `/`.
    static func normalized(_ path: String) -> String {
        var text = Substring(path)
        while text.hasPrefix("./") { text = text.dropFirst(2) }
        while text.hasPrefix("/") { text = text.dropFirst() }
        while text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }
}
