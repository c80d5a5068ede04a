/// Quoting of identifiers and literals for SQL text that cannot use parameters (DDL).
///
/// Values that can travel as parameters (`$1`) should: quoting is for the statements where PostgreSQL
/// accepts no parameters, such as `CREATE MATERIALIZED VIEW`, `ALTER TABLE … ADD COLUMN … DEFAULT` and
/// `COMMENT ON`. Everything here is pure Swift, so the pure stages (the planner renders SQL) can use it.
public enum SQL {
    /// Quotes an identifier the way `quote_ident` / `format('%I')` does, always with double quotes.
    ///
    /// `landb; DROP SCHEMA x` becomes `"landb; DROP SCHEMA x"`: one identifier, never two statements.
    /// Names are expected to be valid already (see ``containsNUL(_:)``); a NUL character, which
    /// PostgreSQL cannot store in a name, is removed rather than allowed to end the string early.
    public static func quoteIdentifier(_ name: String) -> String {
        var out = "\""
        out.reserveCapacity(name.utf8.count + 2)
        for scalar in name.unicodeScalars where scalar != "\0" {
            if scalar == "\"" { out.append("\"\"") } else { out.unicodeScalars.append(scalar) }
        }
        out.append("\"")
        return out
    }

    /// Quotes an identifier only when PostgreSQL needs it: lower-case ASCII names that are not keywords
    /// stay bare, as `pg_get_viewdef` prints them, so rendered SQL reads like hand-written SQL.
    public static func identifier(_ name: String) -> String {
        isPlainIdentifier(name) ? name : quoteIdentifier(name)
    }

    /// A qualified name, `schema.relation`, each part quoted as needed.
    public static func qualified(_ schema: String, _ name: String) -> String {
        identifier(schema) + "." + identifier(name)
    }

    /// Quotes a string literal, safe whatever `standard_conforming_strings` is set to.
    ///
    /// Single quotes are doubled; a value with backslashes is written as an escape string (`E'…'`) with
    /// the backslashes doubled, exactly as libpq's `PQescapeLiteral` does. NUL characters are removed.
    public static func quoteLiteral(_ value: String) -> String {
        let hasBackslash = value.utf8.contains(UInt8(ascii: "\\"))
        var out = hasBackslash ? "E'" : "'"
        out.reserveCapacity(value.utf8.count + 3)
        for scalar in value.unicodeScalars where scalar != "\0" {
            switch scalar {
            case "'": out.append("''")
            case "\\": out.append("\\\\")
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("'")
        return out
    }

    /// Dollar-quotes a body (`$q$…$q$`), choosing a tag that does not occur in the body.
    ///
    /// Used for query templates, which are SQL themselves and full of quotes.
    public static func dollarQuote(_ body: String, preferredTag: String = "q") -> String {
        var tag = preferredTag
        var counter = 0
        // The body must not hold the closing delimiter, nor end in a part of it that the closing delimiter
        // completes early: a body ending in `$q` would make `…$q$q$` close one `q$` too soon.
        while body.contains("$\(tag)$") || body.hasSuffix("$\(tag)") {
            counter += 1
            tag = "\(preferredTag)\(counter)"
        }
        return "$\(tag)$\(body)$\(tag)$"
    }

    /// Whether a string holds a NUL character, which no PostgreSQL text value or name can contain.
    public static func containsNUL(_ value: String) -> Bool {
        value.utf8.contains(0)
    }

    /// Whether a name can be written without quotes: lower-case ASCII letters, digits and underscores,
    /// not starting with a digit, and not a reserved keyword.
    public static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || (first >= 97 && first <= 122) else {
            return false
        }
        for byte in name.utf8 {
            let ok = byte == UInt8(ascii: "_") || (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57)
            if !ok { return false }
        }
        return !reservedKeywords.contains(name)
    }

    /// PostgreSQL's reserved keywords (and the type/function-name ones that cannot be column names).
    /// Quoting one of these is required; quoting anything else is harmless.
    static let reservedKeywords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "between",
        "bigint", "binary", "bit", "boolean", "both", "case", "cast", "char", "character", "check", "coalesce",
        "collate", "collation", "column", "concurrently", "constraint", "create", "cross", "current_catalog",
        "current_date", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
        "dec", "decimal", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
        "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant", "greatest",
        "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout", "int", "integer",
        "intersect", "interval", "into", "is", "isnull", "join", "lateral", "leading", "least", "left", "like",
        "limit", "localtime", "localtimestamp", "national", "natural", "nchar", "none", "normalize", "not",
        "notnull", "null", "nullif", "numeric", "offset", "on", "only", "or", "order", "out", "outer",
        "overlaps", "overlay", "placing", "position", "precision", "primary", "real", "references", "returning",
        "right", "row", "select", "session_user", "setof", "similar", "smallint", "some", "substring",
        "symmetric", "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
        "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar", "variadic", "verbose",
        "when", "where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest",
        "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable",
    ]
}
