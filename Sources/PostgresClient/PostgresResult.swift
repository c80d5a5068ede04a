/// A column of a result: its name and the type's OID (`25` text, `20` bigint, …).
public struct PostgresColumn: Sendable, Hashable {
    public var name: String
    public var typeOID: UInt32
}

/// Every row of a statement's result, copied out of libpq (the `PGresult` is already freed).
public struct PostgresResult: Sendable, RandomAccessCollection {
    public let columns: [PostgresColumn]
    public let rows: [PostgresRow]
    /// The command tag: `SELECT 3`, `CREATE TABLE`, `COMMIT`, `ROLLBACK`…
    public let commandTag: String
    /// Rows returned or affected, when the command reports a count.
    public let affectedRows: Int?

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> PostgresRow { rows[position] }
}

/// One row: text values (or `nil` for SQL NULL) decoded on request.
public struct PostgresRow: Sendable {
    /// Column names shared by every row of a result.
    final class Layout: Sendable {
        let columns: [PostgresColumn]
        let indexByName: [String: Int]
        init(columns: [PostgresColumn]) {
            self.columns = columns
            var index: [String: Int] = [:]
            for (position, column) in columns.enumerated() where index[column.name] == nil {
                index[column.name] = position
            }
            self.indexByName = index
        }
    }

    let layout: Layout
    /// The raw text of each column, `nil` for SQL NULL.
    public let values: [String?]

    /// The columns of this row.
    public var columns: [PostgresColumn] { layout.columns }

    /// The raw text of a column, `nil` for NULL.
    public subscript(index: Int) -> String? { values[index] }

    /// The raw text of a named column, `nil` for NULL or an unknown name.
    public subscript(name: String) -> String? {
        guard let index = layout.indexByName[name] else { return nil }
        return values[index]
    }

    /// Decodes a column by position.
    public func decode<T: PostgresDecodable>(_ type: T.Type, at index: Int) throws -> T {
        guard index < values.count else {
            throw PostgresError(code: .decoding, message: "the row has no column \(index)")
        }
        let column = layout.columns[index]
        guard let text = values[index] else {
            do { return try T.decodeNull() } catch {
                throw PostgresError(
                    code: .decoding, message: "column '\(column.name)' is NULL, expected \(T.self)")
            }
        }
        do {
            return try T(postgresText: text, typeOID: column.typeOID)
        } catch {
            throw PostgresError(
                code: .decoding, message: "column '\(column.name)' holds '\(text.prefix(60))', not a \(T.self)")
        }
    }

    /// Decodes a column by name.
    public func decode<T: PostgresDecodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let index = layout.indexByName[name] else {
            throw PostgresError(code: .decoding, message: "the result has no column '\(name)'")
        }
        return try decode(type, at: index)
    }
}
