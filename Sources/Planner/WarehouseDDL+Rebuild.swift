import PostgresSyntax
import WardenModel

extension WarehouseDDL {
    /// `ALTER TABLE s.t RENAME COLUMN old TO new`: catalog-only, the column keeps its values.
    static func renameColumn(_ old: String, to new: String, in table: QualifiedName) -> String {
        "ALTER TABLE \(table) RENAME COLUMN \(SQL.identifier(old)) TO \(SQL.identifier(new))"
    }

    /// `ALTER TABLE s.t ALTER COLUMN a TYPE x USING a::x, …`: every retyped column of one table in one
    /// statement, so the table (and its indexes) is rewritten once. The columns are named as they are
    /// after any rename.
    static func alterColumnTypes(_ columns: [Column], in table: QualifiedName) -> String {
        "ALTER TABLE \(table) " + columns.map { column in
            let name = SQL.identifier(column.name)
            return "ALTER COLUMN \(name) TYPE \(column.type.name) USING \(name)::\(column.type.name)"
        }.joined(separator: ", ")
    }

    /// `COMMENT ON VIEW s.v IS '…'`: any text, quoted.
    static func comment(onView view: QualifiedName, _ text: String) -> String {
        "COMMENT ON VIEW \(view) IS \(SQL.quoteLiteral(text))"
    }
}
