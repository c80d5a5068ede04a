import WardenModel

/// Index names as the seed's registry writes them, `idx_<schema>_<relation>_<col1>_<col2>`, fitted to
/// PostgreSQL's 63 bytes.
///
/// A name that does not fit keeps its first 54 bytes and gets `_` and 8 hex digits of a hash of the
/// whole name, so PostgreSQL never truncates it (two truncated names could collide) and two long names
/// that share a prefix stay distinct.
public enum IndexNames {
    /// The name of the index on `columns` of `schema.relation`.
    public static func name(schema: String, relation: String, columns: [String]) -> String {
        fitted("idx_\(schema)_\(relation)_" + columns.joined(separator: "_"))
    }

    /// `name` unchanged when it fits 63 bytes, else its first 54 bytes (whole characters), `_` and a hash.
    public static func fitted(_ name: String) -> String {
        guard name.utf8.count > NamingRules.maximumIdentifierBytes else { return name }
        var prefix = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            let width = String(scalar).utf8.count
            if bytes + width > keptBytes { break }
            prefix.append(scalar)
            bytes += width
        }
        return String(prefix) + "_" + String(SpecHash.of([name]).prefix(8))
    }

    /// Bytes kept from a name too long to fit: 54 + `_` + 8 hex digits = 63.
    static let keptBytes = 54
}
