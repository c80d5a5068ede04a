import PostgresClient

/// Canonical spellings of column types, as the server itself prints them (`format_type`).
///
/// `int`, `int4` and `INTEGER` are one type, `integer`; `numeric(10, 3)` is `numeric(10,3)`;
/// `varchar(20)` is `character varying(20)`; a domain, an enum or an extension's type is whatever the
/// server calls it. DESIGN.md §2: types are normalized through the server when one is at hand.
///
/// Each spelling is tried as the type of the only column of a temporary table, inside a transaction
/// that is always rolled back (each try under a savepoint), so nothing is ever left behind. Spellings
/// come from a schema repository, which is hostile input: before anything reaches the server, a
/// spelling must look like a type name (letters, digits, `_`, spaces, dots, and parenthesized or
/// bracketed modifiers), so no `;`, quote, comment or clause can ride along; and after the table is
/// made, it must have exactly one plain column (no default, constraint, collation or storage clause),
/// so `integer DEFAULT 1` is refused rather than read as `integer`.
public enum TypeNormalizer {
    /// Why a spelling has no canonical form.
    public struct Unknown: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Reason: Sendable, Hashable {
            /// The server does not know the type (SQLSTATE 42704), or cannot parse the spelling.
            case unknownType
            /// The spelling is not just a type name, and was not sent to the server as one.
            case refused
        }

        /// The spelling, as given.
        public var spelling: String
        public var reason: Reason
        /// One sentence naming the spelling and what is wrong with it.
        public var message: String

        public var description: String { message }
    }

    /// The canonical spelling of each of `spellings`, or why it has none.
    ///
    /// Call it outside a transaction: it opens its own and rolls it back.
    ///
    /// - Throws: `PostgresError` only when the connection itself fails; a bad spelling is a
    ///   `.failure` in the result, never an error.
    public static func canonicalize(
        _ spellings: Set<String>, on connection: PostgresConnection
    ) async throws -> [String: Result<String, Unknown>] {
        var results: [String: Result<String, Unknown>] = [:]
        var probe: [String] = []
        for spelling in spellings.sorted() {
            if let refusal = refusal(spelling) {
                results[spelling] = .failure(Unknown(
                    spelling: spelling, reason: .refused,
                    message: "the type '\(spelling)' is refused: \(refusal)"))
            } else {
                probe.append(spelling)
            }
        }
        guard !probe.isEmpty else { return results }
        try await connection.withExclusiveAccess {
            try await connection.execute("BEGIN")
            do {
                for spelling in probe { results[spelling] = try await resolve(spelling, on: connection) }
            } catch {
                _ = try? await connection.execute("ROLLBACK")
                throw error
            }
            try await connection.execute("ROLLBACK")
        }
        return results
    }

    /// Tries one spelling under a savepoint; the savepoint is always rolled back.
    static func resolve(_ spelling: String, on connection: PostgresConnection) async throws -> Result<String, Unknown> {
        try await connection.execute("SAVEPOINT warden_type_probe")
        let outcome: Result<String, Unknown>
        do {
            // The spelling's only place in SQL text: the type of a column definition (checked above).
            try await connection.execute("CREATE TEMPORARY TABLE warden_type_probe (probe \(spelling))")
            let row = try await connection.query(checkSQL).first
            let columns = try row?.decode(Int.self, "columns") ?? 0
            let decorated = try row?.decode(Bool.self, "decorated") ?? true
            if let canonical = try row?.decode(String.self, "canonical"), columns == 1, !decorated {
                outcome = .success(canonical)
            } else {
                outcome = .failure(Unknown(
                    spelling: spelling, reason: .refused,
                    message: "the type '\(spelling)' is refused: it is more than a type name"))
            }
        } catch let error as PostgresError where error.code == .queryFailed {
            let message: String
            switch error.sqlState {
            case .undefinedObject?:
                message = "the type '\(spelling)' is unknown to PostgreSQL: \(error.message)"
            case "42601"?:
                message = "the type '\(spelling)' is not a type spelling PostgreSQL understands: \(error.message)"
            default:
                message = "the type '\(spelling)' is not usable as a column type: \(error.message)"
            }
            outcome = .failure(Unknown(spelling: spelling, reason: .unknownType, message: message))
        }
        try await connection.execute("ROLLBACK TO SAVEPOINT warden_type_probe")
        return outcome
    }

    /// The probe table's column: its canonical type, how many columns the table has, and whether
    /// anything besides the type came along (default, NOT NULL, identity, generation, compression,
    /// storage, collation or a constraint).
    static let checkSQL = """
        SELECT format_type(a.atttypid, a.atttypmod) AS canonical,
               (SELECT count(*) FROM pg_attribute x WHERE x.attrelid = a.attrelid AND x.attnum > 0)::int AS columns,
               (a.atthasdef OR a.attnotnull OR a.attidentity <> '' OR a.attgenerated <> ''
                OR a.attcompression <> '' OR a.attstorage <> t.typstorage OR a.attcollation <> t.typcollation
                OR EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = a.attrelid)) AS decorated
          FROM pg_attribute a
          JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = 'pg_temp.warden_type_probe'::regclass AND a.attnum = 1
        """

    /// Why a spelling is not sent to the server at all, or `nil` when it looks like a type name.
    static func refusal(_ spelling: String) -> String? {
        if spelling.unicodeScalars.allSatisfy({ $0 == " " }) { return "it is empty" }
        if spelling.utf8.count > 200 { return "it is longer than 200 bytes" }
        if spelling.contains(";") { return "it contains ';'" }
        if spelling.contains("'") || spelling.contains("\"") || spelling.contains("`") { return "it contains a quote" }
        if spelling.contains("--") || spelling.contains("/*") || spelling.contains("*/") {
            return "it contains a comment marker"
        }
        var depth = 0
        for scalar in spelling.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", " ", ".", "[", "]": continue
            case "(": depth += 1
            case ")":
                depth -= 1
                if depth < 0 { return "it closes a parenthesis it did not open" }
            case ",":
                if depth == 0 { return "it contains ',' outside parentheses" }
            default:
                return "it contains '\(scalar)', which no type name has"
            }
        }
        if depth != 0 { return "its parentheses are unbalanced" }
        return nil
    }
}
