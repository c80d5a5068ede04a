/// One file as committed: its repository-relative path and its exact bytes.
public struct GitFile: Sendable, Hashable {
    /// The path from the repository root, with `/` separators, e.g. `desired-state/templates/x.yaml`.
    public var path: String
    /// The blob's bytes exactly as stored in git (no line-ending or filter conversion).
    public var contents: [UInt8]

    /// Creates a file value.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
    }

    /// The contents decoded as UTF-8, or nil when they are not valid UTF-8.
    public var text: String? {
        String(validating: contents, as: UTF8.self)
    }

    /// The last component of ``path``.
    public var name: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
