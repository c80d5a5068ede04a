/// The two keys every file of the format starts with: `apiVersion: warden/v1` and its `kind`.
enum DocumentHeader {
    /// The only version of the format.
    static let apiVersion = "warden/v1"

    /// Reports a missing or wrong `apiVersion` or `kind`.
    static func check(_ reader: MappingReader, kind: String, diagnostics: inout DiagnosticList) {
        if let version = reader.string("apiVersion", required: "apiVersion: \(apiVersion)", diagnostics: &diagnostics),
           version.value != apiVersion {
            diagnostics.error(
                "apiVersion \(MessageText.quoted(version.value)) of \(reader.subject) is not one warden reads; write apiVersion: \(apiVersion)",
                file: reader.file, at: version.node)
        }
        if let found = reader.string("kind", required: "kind: \(kind)", diagnostics: &diagnostics), found.value != kind {
            let place = kind == "Warehouse" ? "warehouse.yaml" : "a template file"
            diagnostics.error(
                "kind \(MessageText.quoted(found.value)) does not belong in \(place); write kind: \(kind)",
                file: reader.file, at: found.node)
        }
    }
}
