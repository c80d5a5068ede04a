/// The fast way to read a daily view's dblink call: straight from its rewrite rule's node tree
/// (`pg_rewrite.ev_action`), instead of deparsing it with `pg_get_viewdef`.
///
/// `pg_get_viewdef` costs about 70 µs per materialized view (4.6 s for 66,000 on the benchmark machine);
/// this costs about 15 µs, most of it decompressing the stored tree. The server only cuts the tree
/// into pieces with byte searches (`position`, `substring` and `LIKE` on `bytea`: character-based
/// text functions and regular expressions are several times slower on trees this size) and checks
/// that everything around the pieces is exactly the shape of
///
///     SELECT * FROM dblink('<connection>', '<query>') AS t(<column> <type>, …)
///
/// and nothing else: one query, no CTE, sub-link, aggregate, qualifier, grouping, ordering, limit or set
/// operation, one function range-table entry aliased `t` calling `dblink(text, text)` with two constant
/// text arguments, and a target list of exactly its columns in order. The client then decodes the two
/// constants (stored as raw datum bytes, `[ 72 0 0 0 116 101 … ]`), checks the target list entry by
/// entry and the column definition list against the view's columns, and renders the text
/// `pg_get_viewdef` would print for that shape. Anything else, and any server but PostgreSQL 15 (whose
/// node-tree format this matches), is left to `pg_get_viewdef`.
struct DailyViewRule {
    /// The server's `dblink(text, text)`.
    struct DblinkFunction: Sendable, Hashable {
        var oid: UInt32
        /// How the deparser names it: bare when visible on the search path, else schema-qualified.
        var renderedName: String
    }

    /// Whether the fast path applies to this server at all.
    static func supports(serverVersion: Int) -> Bool { (150000..<160000).contains(serverVersion) }

    /// The query: one row per materialized view of `$1` that has a `_RETURN` rule, with `ok` (the
    /// server-side shape checks), the two constants' byte lists, the column definition list and the
    /// target list. `$2`–`$5` are the patterns of ``patterns(dblink:)``.
    static let query = """
        SELECT z.oid, z.ok, z.connection, z.query, z.coldefs, z.targets
          FROM (
            SELECT y.oid,
                   (y.head LIKE $2::bytea ESCAPE '#' AND y.middle LIKE $3::bytea ESCAPE '#'
                    AND y.tail LIKE $4::bytea ESCAPE '#'
                    AND substring(y.tail FROM position(') :override 0 '::bytea IN y.tail)) = $5::bytea) AS ok,
                   convert_from(y.l1, 'UTF8') AS connection,
                   convert_from(y.l2, 'UTF8') AS query,
                   convert_from(substring(y.tail FROM position(':funccolnames ('::bytea IN y.tail)
                                          FOR greatest(position(' :funcparams '::bytea IN y.tail)
                                                       - position(':funccolnames ('::bytea IN y.tail), 0)), 'UTF8') AS coldefs,
                   convert_from(substring(y.tail FROM position(' :targetList ('::bytea IN y.tail) + 14
                                          FOR greatest(position(') :override 0 '::bytea IN y.tail)
                                                       - position(' :targetList ('::bytea IN y.tail) - 14, 0)), 'UTF8') AS targets
              FROM (
                SELECT x.oid, x.head, x.l1,
                       substring(x.s2 FOR x.p2 + 1) AS middle,
                       substring(x.s2 FROM x.p2 + 3 FOR greatest(x.e2 - x.p2 - 3, 0)) AS l2,
                       substring(x.s2 FROM x.e2) AS tail
                  FROM (
                    SELECT w.oid, w.head, w.l1, w.s2,
                           position(' [ '::bytea IN w.s2) AS p2, position(' ]}) :location '::bytea IN w.s2) AS e2
                      FROM (
                        SELECT v.oid, substring(v.t FOR v.p1 + 1) AS head,
                               substring(v.t FROM v.p1 + 3 FOR greatest(v.e1 - v.p1 - 3, 0)) AS l1,
                               substring(v.t FROM greatest(v.e1, 1)) AS s2
                          FROM (
                            SELECT u.oid, u.t, position(' [ '::bytea IN u.t) AS p1,
                                   position(' ]} {CONST '::bytea IN u.t) AS e1
                              FROM (
                                SELECT r.ev_class AS oid, textsend(r.ev_action::text) AS t
                                  FROM pg_rewrite r
                                 WHERE r.ev_class = ANY ($1::oid[]) AND r.rulename = '_RETURN'
                                OFFSET 0) u
                            OFFSET 0) v
                        OFFSET 0) w
                    OFFSET 0) x
                OFFSET 0) y
            OFFSET 0) z
        """

    /// `LIKE … ESCAPE '#'` patterns (as bytea text input) for the head (up to the first constant's
    /// bytes), the middle (between the constants), the tail (after the second constant, up to the
    /// target list) and the exact suffix after the target list, for PostgreSQL 15's node trees.
    static func patterns(dblink: DblinkFunction) -> [String] {
        func like(_ text: String) -> String {
            // `_` is a wildcard in LIKE; `#` is the escape. Node trees of this shape hold neither `#`
            // nor `\` (which bytea input would read as an escape) outside the `%` parts.
            text.replacing("_", with: "#_")
        }
        let head = "({QUERY :commandType 1 :querySource 0 :canSetTag true :utilityStmt <> :resultRelation 0 "
            + ":hasAggs false :hasWindowFuncs false :hasTargetSRFs false :hasSubLinks false :hasDistinctOn false "
            + ":hasRecursive false :hasModifyingCTE false :hasForUpdate false :hasRowSecurity false :isReturn false "
            + ":cteList <> :rtable ({RANGETBLENTRY :alias {ALIAS :aliasname old :colnames <>} "
            + ":eref {ALIAS :aliasname old :colnames (%)} :rtekind 0 :relid % :relkind m %} "
            + "{RANGETBLENTRY :alias {ALIAS :aliasname new :colnames <>} "
            + ":eref {ALIAS :aliasname new :colnames (%)} :rtekind 0 :relid % :relkind m %} "
            + "{RANGETBLENTRY :alias {ALIAS :aliasname t :colnames <>} :eref {ALIAS :aliasname t :colnames (%)} "
            + ":rtekind 3 :functions ({RANGETBLFUNCTION :funcexpr {FUNCEXPR :funcid \(dblink.oid) "
            + ":funcresulttype 2249 :funcretset true :funcvariadic false :funcformat 0 :funccollid 0 :inputcollid % "
            + ":args ({CONST :consttype 25 :consttypmod -1 :constcollid % :constlen -1 :constbyval false "
            + ":constisnull false :location % :constvalue % ["
        let middle = " ]} {CONST :consttype 25 :consttypmod -1 :constcollid % :constlen -1 :constbyval false "
            + ":constisnull false :location % :constvalue % ["
        let tail = " ]}) :location %} :funccolcount % :funccolnames (%) :funccoltypes (o %) :funccoltypmods (i %) "
            + ":funccolcollations (o %) :funcparams (b)}) :funcordinality false :lateral false :inh false "
            + ":inFromCl true :requiredPerms 0 :checkAsUser 0 :selectedCols (b) :insertedCols (b) :updatedCols (b) "
            + ":extraUpdatedCols (b) :securityQuals <>}) :jointree {FROMEXPR :fromlist ({RANGETBLREF :rtindex 3}) "
            + ":quals <>} :targetList (%"
        let suffix = ") :override 0 :onConflict <> :returningList <> :groupClause <> :groupDistinct false "
            + ":groupingSets <> :havingQual <> :windowClause <> :distinctClause <> :sortClause <> :limitOffset <> "
            + ":limitCount <> :limitOption 0 :rowMarks <> :setOperations <> :constraintDeps <> :withCheckOptions <> "
            + ":mergeActionList <> :mergeUseOuterJoin false :stmt_location 0 :stmt_len 0})"
        return [like(head), like(middle), like(tail), suffix]
    }

    /// A column of the view as the catalog has it, for checking the rule against.
    struct Column {
        var name: String
        var typeOID: UInt32
        var typmod: Int32
        /// `format_type(type, typmod)`.
        var typeName: String
    }

    /// The connection and query of one rule row, checked; `nil` when anything differs from the shape
    /// (the caller then asks `pg_get_viewdef`).
    static func decode(
        connectionBytes: String, queryBytes: String, coldefs: String, targets: String, columns: [Column]
    ) -> (connection: String, query: String)? {
        guard let connection = textConstant(connectionBytes), let query = textConstant(queryBytes),
              checkColumnDefinitions(coldefs, columns: columns), checkTargets(targets, columns: columns)
        else { return nil }
        return (connection, query)
    }

    /// The text `pg_get_viewdef` prints for the shape (PostgreSQL 15, default pretty flags).
    static func render(
        connection: String, query: String, columns: [Column], dblink: DblinkFunction, quoting: ServerQuoting
    ) -> String {
        var text = " SELECT "
        for (index, column) in columns.enumerated() {
            if index > 0 { text += ",\n    " }
            text += "t." + quoting.identifier(column.name)
        }
        text += "\n   FROM " + dblink.renderedName + "(" + quoting.literal(connection) + "::text, "
            + quoting.literal(query) + "::text) t("
        for (index, column) in columns.enumerated() {
            if index > 0 { text += ", " }
            text += quoting.identifier(column.name) + " " + column.typeName
        }
        return text + ");"
    }

    /// Decodes a `text` constant's datum bytes (`72 0 0 0 116 …`, `-92 3 0 0 83 …`): a 4-byte (or 1-byte) varlena header
    /// on a little-endian server, then UTF-8. `nil` for anything else (compressed, big-endian, broken).
    static func textConstant(_ list: String) -> String? {
        list.withBytes { buffer -> String? in
            var cursor = ByteCursor(buffer)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(buffer.count / 3)
            while !cursor.atEnd {
                if !bytes.isEmpty { guard cursor.skip(UInt8(ascii: " ")) else { return nil } }
                // `outDatum` prints each byte as a C `char`: signed on x86, unsigned on ARM.
                guard let value = cursor.integer(), (-128...255).contains(value) else { return nil }
                bytes.append(UInt8(truncatingIfNeeded: value))
            }
            guard let first = bytes.first else { return nil }
            let headerLength: Int
            let declared: Int
            if first & 0x01 == 0x01 {
                // 1-byte header: length << 1 | 1 (never 0x01, which marks an external datum).
                guard first != 0x01 else { return nil }
                headerLength = 1
                declared = Int(first >> 1)
            } else {
                // 4-byte header, uncompressed: length << 2.
                guard first & 0x03 == 0, bytes.count >= 4 else { return nil }
                headerLength = 4
                declared = (Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24) >> 2
            }
            guard declared == bytes.count else { return nil }
            return String(validating: bytes[headerLength...], as: UTF8.self)
        }
    }

    /// `:funccolnames ("a" "b") :funccoltypes (o 20 25) :funccoltypmods (i -1 -1) :funccolcollations (o 0 100)`
    /// against the view's columns: same names, types and typmods in order, and no collation other than
    /// none or the default (the deparser would print a `COLLATE`).
    static func checkColumnDefinitions(_ text: String, columns: [Column]) -> Bool {
        text.withBytes { buffer -> Bool in
            var cursor = ByteCursor(buffer)
            guard cursor.skip(":funccolnames ("), let names = tokens(&cursor, quoted: true), names.count == columns.count,
                  zip(names, columns).allSatisfy({ $0 == $1.name }),
                  cursor.skip(" :funccoltypes (o "), let types = cursor.integerVector(until: UInt8(ascii: ")")),
                  types.count == columns.count, zip(types, columns).allSatisfy({ $0 == Int($1.typeOID) }),
                  cursor.skip(" :funccoltypmods (i "), let typmods = cursor.integerVector(until: UInt8(ascii: ")")),
                  typmods.count == columns.count, zip(typmods, columns).allSatisfy({ $0 == Int($1.typmod) }),
                  cursor.skip(" :funccolcollations (o "),
                  let collations = cursor.integerVector(until: UInt8(ascii: ")")), collations.count == columns.count,
                  collations.allSatisfy({ $0 == 0 || $0 == 100 }), cursor.atEnd
            else { return false }
            return true
        }
    }

    /// The target list: exactly one plain `Var` of range-table entry 3 per column, attribute k at
    /// position k, named as the column (so the deparser prints `t.<name>` with no `AS`).
    static func checkTargets(_ text: String, columns: [Column]) -> Bool {
        text.withBytes { buffer -> Bool in
            var cursor = ByteCursor(buffer)
            for (offset, column) in columns.enumerated() {
                let number = offset + 1
                if offset > 0 { guard cursor.skip(UInt8(ascii: " ")) else { return false } }
                guard cursor.skip("{TARGETENTRY :expr {VAR :varno 3 :varattno "), cursor.integer() == number,
                      cursor.skip(" :vartype "), cursor.integer() == Int(column.typeOID),
                      cursor.skip(" :vartypmod "), cursor.integer() == Int(column.typmod),
                      cursor.skip(" :varcollid "), cursor.integer() != nil,
                      cursor.skip(" :varlevelsup 0 :varnosyn 3 :varattnosyn "), cursor.integer() == number,
                      cursor.skip(" :location "), cursor.integer() != nil,
                      cursor.skip("} :resno "), cursor.integer() == number,
                      cursor.skip(" :resname "), let name = token(&cursor), name == column.name,
                      cursor.skip(" :ressortgroupref 0 :resorigtbl 0 :resorigcol 0 :resjunk false}")
                else { return false }
            }
            return cursor.atEnd
        }
    }

    /// Space-separated tokens up to the list's closing `)` (consumed), as `outToken` writes them:
    /// backslash-escaped, in double quotes for the strings of a name list.
    static func tokens(_ cursor: inout ByteCursor, quoted: Bool) -> [String]? {
        var out: [String] = []
        while true {
            if cursor.skip(UInt8(ascii: ")")) { return out }
            if !out.isEmpty { guard cursor.skip(UInt8(ascii: " ")) else { return nil } }
            if quoted {
                guard cursor.skip(UInt8(ascii: "\"")) else { return nil }
            }
            guard var value = token(&cursor) else { return nil }
            if quoted {
                // The closing quote is the token's last byte (quotes inside a name are not escaped).
                guard value.hasSuffix("\"") else { return nil }
                value.removeLast()
            }
            out.append(value)
        }
    }

    /// One `outToken` token up to an unescaped space or `)` (not consumed), unescaped.
    static func token(_ cursor: inout ByteCursor) -> String? {
        var bytes: [UInt8] = []
        while let byte = cursor.peek {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: ")") { break }
            cursor.position += 1
            if byte == UInt8(ascii: "\\") {
                guard let escaped = cursor.peek else { return nil }
                cursor.position += 1
                bytes.append(escaped)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
