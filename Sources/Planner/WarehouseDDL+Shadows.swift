import PostgresSyntax
import WardenModel

extension WarehouseDDL {
    /// `CREATE VIEW v AS SELECT … FROM m1 UNION ALL SELECT … FROM m2 …`: one branch per member with its
    /// select list, in order.
    static func createView(_ view: QualifiedName, branches: [(member: QualifiedName, list: [String])]) -> String {
        "CREATE VIEW \(view) AS\n"
            + branches.map { "SELECT \($0.list.joined(separator: ", ")) FROM \($0.member)" }.joined(separator: "\nUNION ALL\n")
    }

    /// `COMMENT ON <VIEW|TABLE|MATERIALIZED VIEW> r IS 'warden: spec=… revision=…'`.
    static func comment(on relation: QualifiedName, keyword: String, stamp: ObjectStamp) -> String {
        "COMMENT ON \(keyword) \(relation) IS \(SQL.quoteLiteral(stamp.description))"
    }

    /// A check that fails the swap transaction, before any rename, when a view outside the swap reads one
    /// of the views it retires: views reference relations by OID, so such a view (a BI layer, an analyst's
    /// view) would go on reading the retired view, and cleanup could not drop it. The error names each
    /// such view and what it reads, and the fix; the transaction rolls back, the shadows stay for the
    /// next run.
    static func outsideReadersCheck(_ retiring: [QualifiedName]) -> String {
        let list = "ARRAY[" + retiring.map { SQL.quoteLiteral($0.description) + "::regclass" }.joined(separator: ", ") + "]::oid[]"
        return """
            DO $warden$
            DECLARE outside text;
            BEGIN
              SELECT string_agg(DISTINCT format('%I.%I (reads %I.%I)', vn.nspname, v.relname, rn.nspname, rc.relname), ', ')
                INTO outside
                FROM pg_depend d
                JOIN pg_rewrite r ON r.oid = d.objid
                JOIN pg_class v ON v.oid = r.ev_class
                JOIN pg_namespace vn ON vn.oid = v.relnamespace
                JOIN pg_class rc ON rc.oid = d.refobjid
                JOIN pg_namespace rn ON rn.oid = rc.relnamespace
               WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
                 AND d.refobjid = ANY (\(list)) AND v.oid <> ALL (\(list));
              IF outside IS NOT NULL THEN
                RAISE EXCEPTION 'views outside warden read the views this swap would retire: %; save their definitions, drop them, apply again, then create them again (after a swap by rename they would go on reading the retired views)', outside;
              END IF;
            END $warden$
            """
    }

    /// `ALTER <VIEW|TABLE|INDEX> s.r RENAME TO name`.
    static func rename(_ keyword: String, _ relation: QualifiedName, to name: String) -> String {
        "ALTER \(keyword) \(relation) RENAME TO \(SQL.identifier(name))"
    }

    /// `CREATE TABLE s.t (c type [DEFAULT 'literal'] [NOT NULL], …)`: a yearly table with the template's
    /// columns in template order.
    static func createYearlyTable(_ table: QualifiedName, columns: [Column]) -> String {
        let definitions = columns.map { column in
            var text = "\(SQL.identifier(column.name)) \(column.type.name)"
            if let value = column.defaultValue { text += " DEFAULT \(SQL.quoteLiteral(value))" }
            if column.notNull { text += " NOT NULL" }
            return text
        }
        return "CREATE TABLE \(table) (\(definitions.joined(separator: ", ")))"
    }

    /// `INSERT INTO shadow (a, b) SELECT a, b::type FROM table`.
    static func copyRows(
        from table: QualifiedName, into shadow: QualifiedName, _ list: [(column: String, expression: String)]
    ) -> String {
        "INSERT INTO \(shadow) (\(list.map(\.column).joined(separator: ", "))) SELECT "
            + list.map(\.expression).joined(separator: ", ") + " FROM \(table)"
    }

    /// `ALTER TABLE s.t DROP COLUMN IF EXISTS a, DROP COLUMN IF EXISTS b`: metadata-only, the history of
    /// those columns is lost.
    static func dropColumns(_ names: [String], from table: QualifiedName) -> String {
        "ALTER TABLE \(table) " + names.map { "DROP COLUMN IF EXISTS \(SQL.identifier($0))" }.joined(separator: ", ")
    }

    /// A `DO` block that changes nothing and fails, in one sentence naming the table, the column, up to
    /// five offending rows (their `ctid`, a key column and the value) and the fix, when a value of
    /// `column` in `table` does not convert to `type`.
    ///
    /// The whole column is converted once first (one scan, no subtransactions); only when that fails is it
    /// scanned row by row, each conversion in its own exception block, stopping at the fifth bad value.
    static func conversionCheck(table: QualifiedName, column: String, to type: ColumnType, key: String?) -> String {
        let qualified = "\(table).\(SQL.identifier(column))"
        let value = "t.\(SQL.identifier(column))"
        // ` id 17`: the row's key column and its value, after its ctid.
        let keyExpression = key.map { "format(' %s %s', \(SQL.quoteLiteral($0)), t.\(SQL.identifier($0)))" } ?? "''"
        let body = """

            DECLARE
                offending text[] := '{}';
                first_error text;
                r record;
            BEGIN
                BEGIN
                    PERFORM count(\(value)::\(type.name)) FROM \(table) AS t;
                    RETURN;
                EXCEPTION
                    WHEN undefined_function OR cannot_coerce OR datatype_mismatch THEN
                        RAISE EXCEPTION '% cannot change to %: %; keep its old type in git, or add a column of the new type instead',
                            \(SQL.quoteLiteral(qualified)), \(SQL.quoteLiteral(type.name)), SQLERRM;
                    WHEN OTHERS THEN
                        first_error := SQLERRM;
                END;
                FOR r IN SELECT t.ctid AS row_id, \(keyExpression) AS key, \(value) AS value FROM \(table) AS t WHERE \(value) IS NOT NULL LOOP
                    BEGIN
                        PERFORM r.value::\(type.name);
                    EXCEPTION WHEN OTHERS THEN
                        offending := offending || format('ctid %s%s value %L', r.row_id, r.key, r.value::text);
                        EXIT WHEN cardinality(offending) >= 5;
                    END;
                END LOOP;
                RAISE EXCEPTION '% has values that do not convert to % (%), in rows %; fix or delete those rows, or keep the old type in git, then apply again',
                    \(SQL.quoteLiteral(qualified)), \(SQL.quoteLiteral(type.name)), first_error, array_to_string(offending, '; ')
                    USING ERRCODE = 'data_exception';
            END

            """
        return "DO " + SQL.dollarQuote(body, preferredTag: "check")
    }
}
