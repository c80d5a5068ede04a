import WardenModel

/// What the names the loader checks beyond ``NamingRules`` may be: columns, roles, schemas, foreign
/// servers and windows.
///
/// Each check returns the second half of a sentence ("is 70 bytes long; …") for the caller to put after
/// the object's name, or `nil` when the name is fine. Names that would need quoting with hostile
/// characters in them (`landb; DROP SCHEMA x`) are refused here, long before any SQL is written.
enum IdentifierRules {
    /// Column names PostgreSQL reserves for system columns: `CREATE TABLE` refuses them.
    static let systemColumns: Set<String> = ["tableoid", "xmin", "cmin", "xmax", "cmax", "ctid", "oid"]

    /// Words that cannot name a role in a grant.
    static let reservedRoleNames: Set<String> = ["none", "current_user", "session_user", "current_role", "public"]

    /// A plain SQL identifier: `^[a-z_][a-z0-9_]*$`, at most 63 bytes.
    static func problemWithPlainIdentifier(_ name: String) -> String? {
        if name.isEmpty { return "is empty; give it a name" }
        if name.utf8.count > NamingRules.maximumIdentifierBytes {
            return "is \(name.utf8.count) bytes long; PostgreSQL's limit is \(NamingRules.maximumIdentifierBytes), so shorten it"
        }
        let bytes = Array(name.utf8)
        let isPlain = { (byte: UInt8) in
            (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "_")
        }
        if bytes.allSatisfy(isPlain) {
            if bytes[0] >= 48 && bytes[0] <= 57 { return "starts with a digit; start it with a letter or an underscore" }
            return nil
        }
        let lowered = name.lowercased()
        if lowered.utf8.allSatisfy(isPlain), let first = lowered.utf8.first, !(first >= 48 && first <= 57) {
            return "has upper-case letters, which PostgreSQL folds to lower case unless quoted; write '\(lowered)'"
        }
        return "is not a plain identifier; use only lower-case letters, digits and underscores, starting with a letter"
    }

    /// A column name: a plain identifier that is not a system column.
    static func problemWithColumnName(_ name: String) -> String? {
        if let problem = problemWithPlainIdentifier(name) { return problem }
        if systemColumns.contains(name) { return "is the name of a PostgreSQL system column; choose another name" }
        return nil
    }

    /// A role in a grant or the owner: a plain identifier (hyphens allowed, as in `data-team`).
    static func problemWithRoleName(_ name: String) -> String? {
        if reservedRoleNames.contains(name.lowercased()) { return "is a reserved word, not a role; name a real role" }
        return problemWithLooseName(name, allowing: "_-", firstMayBeDigit: false)
    }

    /// A dblink foreign server name, such as `landb-prod`.
    static func problemWithConnectionName(_ name: String) -> String? {
        problemWithLooseName(name, allowing: "_-.", firstMayBeDigit: true)
    }

    /// A maintenance window's name, such as `sunday-night`.
    static func problemWithWindowName(_ name: String) -> String? {
        problemWithLooseName(name, allowing: "_-.", firstMayBeDigit: true)
    }

    /// The schema of the public views: a plain identifier that is not one PostgreSQL or warden keeps.
    static func problemWithPublicSchema(_ name: String) -> String? {
        if let problem = problemWithPlainIdentifier(name) { return problem }
        if name == "_wh" || name == "information_schema" || name.hasPrefix("pg_") {
            return "is reserved by PostgreSQL or warden; use public or a schema of your own"
        }
        return nil
    }

    /// Lower-case letters, digits and `extra`, at most 63 bytes.
    private static func problemWithLooseName(_ name: String, allowing extra: String, firstMayBeDigit: Bool) -> String? {
        if name.isEmpty { return "is empty; give it a name" }
        if name.utf8.count > NamingRules.maximumIdentifierBytes {
            return "is \(name.utf8.count) bytes long; PostgreSQL's limit is \(NamingRules.maximumIdentifierBytes), so shorten it"
        }
        let extraBytes = Array(extra.utf8)
        let allowed = { (byte: UInt8) in
            (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || extraBytes.contains(byte)
        }
        guard name.utf8.allSatisfy(allowed) else {
            let listed = extra.map { "'\($0)'" }.joined(separator: ", ")
            return "may contain only lower-case letters, digits and \(listed); rename it"
        }
        let first = name.utf8.first!
        let isLetter = first >= 97 && first <= 122
        let isDigit = first >= 48 && first <= 57
        if !(isLetter || (firstMayBeDigit && isDigit) || (!firstMayBeDigit && first == UInt8(ascii: "_"))) {
            return "must start with a letter\(firstMayBeDigit ? " or a digit" : ""); rename it"
        }
        return nil
    }
}
