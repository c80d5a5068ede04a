import WardenModel

/// A template as read from its file, with the positions the loader's cross-file checks report at.
struct TemplateDeclaration {
    var template: Template
    /// Repository-relative path of `templates/<name>.yaml`.
    var file: String
    /// Where `name:` is (or the top of the file when it is missing).
    var namePosition: SourcePosition
    /// Where each column's name is.
    var columnPositions: [String: SourcePosition]
    /// Repository-relative path of the query file, when it was found.
    var queryFile: String?
}
