/// The fast way to read a daily view's dblink call: straight from its rewrite rule's node tree
/// (`pg_rewrite.ev_action`), instead of deparsing it with `pg_get_viewdef`.
///
/// `pg_get_viewdef` costs about 70 µs of server time per materialized view (4.1–4.6 s for 66,000 on the
/// benchmark machine); this costs the server about 12 µs, most of it decompressing the stored tree. The
/// server only cuts the tree in two with byte searches (`position`, `substring` and `LIKE` on `bytea`:
/// character-based text functions are several times slower on trees this size, and regular
/// expressions over the byte lists slower still) and checks its head; the client checks that
/// everything around the two constants is exactly the shape of
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

    /// The query: one row per materialized view of `$1` that has a `_RETURN` rule.
    ///
    /// With `t` the tree, cut at the first byte list (`p1`) and the end of the first constant (`e1`):
    /// - `ok`: the head (up to the first byte list) is a single top-level query with no CTE, sub-link,
    ///   aggregate or window function and the `old`/`new` entries of a materialized view's rule (`$2`);
    /// - `head_end`: the last 768 bytes of the head, for the client's strict check of the function
    ///   entry, the `FuncExpr` and the first constant's header;
    /// - `connection`: the first constant's byte list;
    /// - `rest`: everything after it, for the client to check and cut (the second constant, the column
    ///   definition list, the `FROM` list, the target list and the end of the query).
    static let query = """
        SELECT u.oid,
               substring(u.t FOR u.p1 + 1) LIKE $2::bytea ESCAPE '#' AS ok,
               convert_from(substring(u.t FROM greatest(u.p1 - 766, 1) FOR least(u.p1 + 1, 768)), 'UTF8') AS head_end,
               convert_from(substring(u.t FROM u.p1 + 3 FOR greatest(u.e1 - u.p1 - 3, 0)), 'UTF8') AS connection,
               convert_from(substring(u.t FROM greatest(u.e1, 1)), 'UTF8') AS rest
          FROM (
            SELECT s.oid, s.t, s.p1,
                   -- The first constant is short: look for its end near its start, not from the top.
                   CASE WHEN s.p1 > 0 THEN s.p1 - 1 + position(' ]} {CONST '::bytea IN substring(s.t FROM s.p1 FOR 1024))
                        ELSE 0 END AS e1
              FROM (SELECT t.oid, t.t, position(' [ '::bytea IN t.t) AS p1 FROM (
                SELECT r.ev_class AS oid, textsend(r.ev_action::text) AS t
                  FROM pg_rewrite r
                 WHERE r.ev_class = ANY ($1::oid[]) AND r.rulename = '_RETURN'
                OFFSET 0) t
              OFFSET 0) s
            OFFSET 0) u
        """

    /// The query's `$2` (bytea text input): the head's `LIKE … ESCAPE '#'` pattern for PostgreSQL 15's
    /// node trees.
    static let patterns: [String] = {
        let head = "({QUERY :commandType 1 :querySource 0 :canSetTag true :utilityStmt <> :resultRelation 0 "
            + ":hasAggs false :hasWindowFuncs false :hasTargetSRFs false :hasSubLinks false :hasDistinctOn false "
            + ":hasRecursive false :hasModifyingCTE false :hasForUpdate false :hasRowSecurity false :isReturn false "
            + ":cteList <> :rtable ({RANGETBLENTRY :alias {ALIAS :aliasname old :colnames <>} "
            + ":eref {ALIAS :aliasname old :colnames (%)} :rtekind 0 :relid % :relkind m %} "
            + "{RANGETBLENTRY :alias {ALIAS :aliasname new :colnames <>} "
            + ":eref {ALIAS :aliasname new :colnames (%)} :rtekind 0 :relid % :relkind m %} "
            + "{RANGETBLENTRY :alias {ALIAS :aliasname t :colnames <>} :eref {ALIAS :aliasname t :colnames (%["
        // `_` is a wildcard in LIKE; `#` is the escape. The text holds neither `#` nor `\\` (which bytea
        // input would read as an escape).
        return [head.replacing("_", with: "#_")]
    }()

    /// From the end of the column definition list to the target list: one `FROM` item, range-table
    /// entry 3, no qualifier.
    static let fromList = Array((" :funcparams (b)}) :funcordinality false :lateral false :inh false "
        + ":inFromCl true :requiredPerms 0 :checkAsUser 0 :selectedCols (b) :insertedCols (b) :updatedCols (b) "
        + ":extraUpdatedCols (b) :securityQuals <>}) :jointree {FROMEXPR :fromlist ({RANGETBLREF :rtindex 3}) "
        + ":quals <>} :targetList (").utf8)

    /// After the target list: the end of a query with no grouping, ordering, limit or set operation.
    static let queryEnd = Array((") :override 0 :onConflict <> :returningList <> :groupClause <> "
        + ":groupDistinct false :groupingSets <> :havingQual <> :windowClause <> :distinctClause <> :sortClause <> "
        + ":limitOffset <> :limitCount <> :limitOption 0 :rowMarks <> :setOperations <> :constraintDeps <> "
        + ":withCheckOptions <> :mergeActionList <> :mergeUseOuterJoin false :stmt_location 0 :stmt_len 0})").utf8)

    /// The end of the second constant's byte list.
    static let secondConstantEnd = Array(" ]}) :location ".utf8)

    /// A column of the view as the catalog has it, for checking the rule against.
    struct Column {
        var name: String
        var typeOID: UInt32
        var typmod: Int32
        /// `format_type(type, typmod)`.
        var typeName: String
    }

    /// The connection and query of one row of ``query``, checked strictly around both constants; `nil`
    /// when anything differs from the shape (the caller then asks `pg_get_viewdef`).
    static func decode(
        headEnd: String, connectionBytes: String, rest: String, columns: [Column], entry: [UInt8]
    ) -> (connection: String, query: String)? {
        guard checkHeadEnd(headEnd, entry: entry), let connection = textConstant(connectionBytes) else { return nil }
        let query = rest.withBytes { buffer -> String? in
            var cursor = ByteCursor(buffer)
            // The second constant.
            guard cursor.skip(" ]} "), constantHeader(&cursor), cursor.skip(UInt8(ascii: " ")),
                  let query = textConstant(&cursor, until: secondConstantEnd)
            else { return nil }
            // The end of the call, the column definition list, the FROM list, the targets, the end.
            guard cursor.integer() != nil, cursor.skip("} :funccolcount "), cursor.integer() == columns.count,
                  cursor.skip(UInt8(ascii: " ")), columnDefinitions(&cursor, columns: columns),
                  cursor.skip(fromList), targets(&cursor, columns: columns), cursor.skip(queryEnd), cursor.atEnd
            else { return nil }
            return query
        }
        guard let query else { return nil }
        return (connection, query)
    }

    /// What a daily view of these columns has around its two constants in `pg_get_viewdef`'s text
    /// (PostgreSQL 15, default pretty flags): the same for every daily view of a template.
    struct Frame: Sendable {
        /// ` SELECT t.id,\n    t.store\n   FROM dblink(`
        var prefix: String
        /// `) t(id bigint, store text);`
        var suffix: String

        init(columns: [Column], dblink: DblinkFunction, quoting: ServerQuoting) {
            var prefix = " SELECT "
            for (index, column) in columns.enumerated() {
                if index > 0 { prefix += ",\n    " }
                prefix += "t." + quoting.identifier(column.name)
            }
            self.prefix = prefix + "\n   FROM " + dblink.renderedName + "("
            var suffix = ") t("
            for (index, column) in columns.enumerated() {
                if index > 0 { suffix += ", " }
                suffix += quoting.identifier(column.name) + " " + column.typeName
            }
            self.suffix = suffix + ");"
        }

        /// The text `pg_get_viewdef` prints for a daily view with this frame, in a string of exactly its
        /// size (66,000 of them are kept).
        func render(connection: String, query: String, quoting: ServerQuoting) -> String {
            let middle = "::text, "
            let end = "::text"
            func doubled(_ value: String) -> Int {
                var count = 0
                for byte in value.utf8
                where byte == UInt8(ascii: "'") || (byte == UInt8(ascii: "\\") && !quoting.standardConformingStrings) {
                    count += 1
                }
                return count
            }
            let capacity = prefix.utf8.count + connection.utf8.count + doubled(connection) + query.utf8.count
                + doubled(query) + suffix.utf8.count + middle.utf8.count + end.utf8.count + 4
            return String(unsafeUninitializedCapacity: capacity) { buffer in
                var count = 0
                func append<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
                    for byte in bytes {
                        buffer[count] = byte
                        count += 1
                    }
                }
                func literal(_ value: String) {
                    append(CollectionOfOne(UInt8(ascii: "'")))
                    for byte in value.utf8 {
                        if byte == UInt8(ascii: "'") || (byte == UInt8(ascii: "\\") && !quoting.standardConformingStrings) {
                            append(CollectionOfOne(byte))
                        }
                        append(CollectionOfOne(byte))
                    }
                    append(CollectionOfOne(UInt8(ascii: "'")))
                }
                append(prefix.utf8)
                literal(connection)
                append(middle.utf8)
                literal(query)
                append(end.utf8)
                append(suffix.utf8)
                return count
            }
        }
    }

    /// The function entry `t` as it must appear in the tree of a view with these columns, up to the
    /// collation of the call (the bytes ``checkHeadEnd(_:entry:)`` looks for).
    static func functionEntry(columns: [Column], dblink: DblinkFunction) -> [UInt8] {
        var entry = "{RANGETBLENTRY :alias {ALIAS :aliasname t :colnames <>} :eref {ALIAS :aliasname t :colnames ("
        entry += columns.map { "\"" + outToken($0.name) + "\"" }.joined(separator: " ")
        entry += ")} :rtekind 3 :functions ({RANGETBLFUNCTION :funcexpr {FUNCEXPR :funcid \(dblink.oid) "
            + ":funcresulttype 2249 :funcretset true :funcvariadic false :funcformat 0 :funccollid 0 :inputcollid "
        return Array(entry.utf8)
    }

    /// The end of the head: the previous entry's end, the function entry `t` with its column names
    /// (``functionEntry(columns:dblink:)``), the `dblink(text, text)` call and the first constant's
    /// header, exactly.
    static func checkHeadEnd(_ text: String, entry: [UInt8]) -> Bool {
        text.withBytes { buffer -> Bool in
            guard buffer.count >= entry.count + 2 else { return false }
            var start = buffer.count - entry.count
            while start >= 2 {
                if buffer[start] == entry[0] && buffer[start + 1] == entry[1]
                    && entry.indices.allSatisfy({ buffer[start + $0] == entry[$0] })
                {
                    break
                }
                start -= 1
            }
            guard start >= 2, buffer[start - 2] == UInt8(ascii: "}"), buffer[start - 1] == UInt8(ascii: " ") else {
                return false
            }
            var cursor = ByteCursor(buffer)
            cursor.position = start + entry.count
            return cursor.integer() != nil && cursor.skip(" :args (") && constantHeader(&cursor) && cursor.atEnd
        }
    }

    /// `{CONST :consttype 25 … :constvalue N [`: a non-null `text` constant's header.
    static func constantHeader(_ cursor: inout ByteCursor) -> Bool {
        cursor.skip("{CONST :consttype 25 :consttypmod -1 :constcollid ") && cursor.integer() != nil
            && cursor.skip(" :constlen -1 :constbyval false :constisnull false :location ") && cursor.integer() != nil
            && cursor.skip(" :constvalue ") && cursor.integer() != nil && cursor.skip(" [")
    }

    /// A string as `outToken` writes it inside a node tree: a backslash before a leading `<`, `"`,
    /// digit or sign-and-digit, and before every space, newline, tab, parenthesis, brace and backslash.
    static func outToken(_ value: String) -> String {
        var out = ""
        let bytes = Array(value.utf8)
        if let first = bytes.first {
            let second = bytes.count > 1 ? bytes[1] : 0
            let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
            if first == UInt8(ascii: "<") || first == UInt8(ascii: "\"") || isDigit(first)
                || ((first == UInt8(ascii: "+") || first == UInt8(ascii: "-"))
                    && (isDigit(second) || second == UInt8(ascii: ".")))
            {
                out.append("\\")
            }
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case " ", "\n", "\t", "(", ")", "{", "}", "\\": out.append("\\")
            default: break
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Decodes a `text` constant's datum bytes (`72 0 0 0 116 …`, `-92 3 0 0 83 …`): a 4-byte (or
    /// 1-byte) varlena header on a little-endian server, then UTF-8. `nil` for anything else
    /// (compressed, big-endian, broken).
    static func textConstant(_ list: String) -> String? {
        list.withBytes { buffer -> String? in
            var cursor = ByteCursor(buffer)
            return textConstant(&cursor, until: nil)
        }
    }

    /// A constant's byte list up to `terminator` (consumed), or to the end.
    static func textConstant(_ cursor: inout ByteCursor, until terminator: [UInt8]?) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(cursor.remaining / 3)
        let buffer = cursor.bytes
        var position = cursor.position
        let end = buffer.count
        while true {
            if let terminator {
                guard position < end else { return nil }
                if buffer[position] == terminator[0] {  // " ": either the terminator or a separator
                    cursor.position = position
                    if cursor.skip(terminator) { break }
                }
            } else if position >= end {
                cursor.position = position
                break
            }
            if !bytes.isEmpty {
                guard position < end, buffer[position] == UInt8(ascii: " ") else { return nil }
                position += 1
            }
            // `outDatum` prints each byte as a C `char`: signed on x86, unsigned on ARM.
            var negative = false
            if position < end, buffer[position] == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            var value = 0
            var digits = 0
            while position < end, digits < 4 {
                let digit = buffer[position] &- 48
                guard digit < 10 else { break }
                value = value * 10 + Int(digit)
                digits += 1
                position += 1
            }
            guard digits > 0, negative ? value <= 128 : value <= 255 else { return nil }
            bytes.append(UInt8(truncatingIfNeeded: negative ? -value : value))
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

    /// `:funccolnames ("a" "b") :funccoltypes (o 20 25) :funccoltypmods (i -1 -1) :funccolcollations (o 0 100)`
    /// against the view's columns: same names, types and typmods in order, and no collation other than
    /// none or the default (the deparser would print a `COLLATE`).
    static func columnDefinitions(_ cursor: inout ByteCursor, columns: [Column]) -> Bool {
        let close = UInt8(ascii: ")")
        guard cursor.skip(":funccolnames ("), let names = tokens(&cursor, quoted: true), names.count == columns.count,
              zip(names, columns).allSatisfy({ $0 == $1.name }),
              cursor.skip(" :funccoltypes (o "), let types = cursor.integerVector(until: close),
              types.count == columns.count, zip(types, columns).allSatisfy({ $0 == Int($1.typeOID) }),
              cursor.skip(" :funccoltypmods (i "), let typmods = cursor.integerVector(until: close),
              typmods.count == columns.count, zip(typmods, columns).allSatisfy({ $0 == Int($1.typmod) }),
              cursor.skip(" :funccolcollations (o "), let collations = cursor.integerVector(until: close),
              collations.count == columns.count, collations.allSatisfy({ $0 == 0 || $0 == 100 })
        else { return false }
        return true
    }

    /// The target list: exactly one plain `Var` of range-table entry 3 per column, attribute k at
    /// position k, named as the column (so the deparser prints `t.<name>` with no `AS`).
    static func targets(_ cursor: inout ByteCursor, columns: [Column]) -> Bool {
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
        return true
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
