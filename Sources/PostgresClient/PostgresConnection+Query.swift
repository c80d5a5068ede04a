import CLibPQ
import Foundation
import Logging

extension PostgresConnection {
    /// Runs one statement with `$1…` parameters and returns every row, copied into Swift values.
    ///
    /// Parameters travel separately from the SQL text, so no value can change the statement:
    /// `'); DROP TABLE x; --` arrives as that string.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> PostgresResult {
        let texts = parameters.map(\.postgresText)
        for (index, text) in texts.enumerated() where text.map(SQLTextCheck.containsNUL) == true {
            throw PostgresError(
                code: .badParameter,
                message: "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold",
                statement: redaction.apply(sql))
        }
        logger.debug("query", metadata: ["sql": "\(redaction.apply(sql))", "parameters": "\(texts.count)"])
        let redaction = self.redaction
        return try await withExclusiveAccess {
            try await withHandle { handle in
                let result: OpaquePointer? = withCStringArrayOptional(texts) { values in
                    PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
                }
                return try PostgresResult.consume(result, handle: handle, sql: sql, redaction: redaction)
            }
        }
    }

    /// Runs a statement and returns the number of rows it affected (0 for DDL).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresBindable] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows ?? 0
    }

    /// Runs a script of several statements separated by semicolons (libpq's simple-query protocol),
    /// as `psql -f` would without its backslash commands. Runs as one implicit transaction unless the
    /// script has its own `BEGIN`/`COMMIT`. Returns the last statement's result.
    @discardableResult
    public func executeScript(_ sql: String) async throws -> PostgresResult {
        logger.debug("script", metadata: ["bytes": "\(sql.utf8.count)"])
        let redaction = self.redaction
        return try await withExclusiveAccess {
            try await withHandle { handle in
                try PostgresResult.consume(PQexec(handle, sql), handle: handle, sql: sql, redaction: redaction)
            }
        }
    }

    /// Decodes the single value of a one-row, one-column query (`SELECT count(*) …`).
    public func scalar<T: PostgresDecodable>(
        _ type: T.Type, _ sql: String, _ parameters: [any PostgresBindable] = []
    ) async throws -> T {
        let result = try await query(sql, parameters)
        guard let row = result.rows.first, !result.columns.isEmpty else {
            throw PostgresError(
                code: .decoding, message: "expected one row from the query, got none", statement: sql)
        }
        return try row.decode(T.self, at: 0)
    }
}

enum SQLTextCheck {
    static func containsNUL(_ text: String) -> Bool { text.utf8.contains(0) }
}

/// Calls `body` with an array of optional C strings (`nil` is SQL NULL) that lives for the call.
func withCStringArrayOptional<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { duplicated.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = duplicated.map { UnsafePointer($0) }
    if pointers.isEmpty { return body(nil) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}

extension PostgresResult {
    /// Copies a `PGresult` into Swift values and frees it, or turns it into a ``PostgresError``.
    ///
    /// Runs on the connection's queue, in the same frame as the call that produced `result`, so the
    /// connection's error message is the one for this call.
    static func consume(
        _ result: OpaquePointer?, handle: OpaquePointer, sql: String, redaction: Redaction
    ) throws -> PostgresResult {
        guard let result else {
            throw connectionError(handle: handle, sql: sql, redaction: redaction)
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return copyRows(result)
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            let tag = String(cString: PQcmdStatus(result))
            let affected = String(cString: PQcmdTuples(result))
            return PostgresResult(columns: [], rows: [], commandTag: tag, affectedRows: Int(affected))
        default:
            throw serverError(result, handle: handle, sql: sql, redaction: redaction)
        }
    }

    private static func copyRows(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            columns.append(PostgresColumn(
                name: String(cString: PQfname(result, Int32(column))), typeOID: UInt32(PQftype(result, Int32(column)))))
        }
        let layout = PostgresRow.Layout(columns: columns)
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) != 0 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(layout: layout, values: values))
        }
        let tag = String(cString: PQcmdStatus(result))
        return PostgresResult(columns: columns, rows: rows, commandTag: tag, affectedRows: rowCount)
    }

    private static func serverError(
        _ result: OpaquePointer, handle: OpaquePointer, sql: String, redaction: Redaction
    ) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            let value = LibpqText.oneLine(String(cString: pointer))
            return value.isEmpty ? nil : redaction.apply(value)
        }
        let sqlState = field(clibpq_diag_sqlstate).map(SQLState.init(rawValue:))
        var message = field(clibpq_diag_message_primary)
            ?? LibpqText.oneLine(String(cString: PQresultErrorMessage(result)))
        var code = PostgresError.Code.queryFailed
        if sqlState == .queryCanceled { code = .cancelled }
        // An error result without a SQLSTATE comes from libpq itself: the connection broke mid-call. A
        // connection exception (08) or shutdown (57) ends this session only when it is FATAL; as an ERROR
        // it is about another connection the server tried to make (dblink's "could not establish
        // connection"), and this one is fine.
        let fatal = ["FATAL", "PANIC"].contains(field(clibpq_diag_severity) ?? "")
        let brokenConnection = sqlState == nil || PQstatus(handle) == CONNECTION_BAD
            || (fatal && (sqlState?.class == "08" || (sqlState?.class == "57" && sqlState != .queryCanceled)))
        if brokenConnection {
            code = .connectionLost
            message = "the connection was lost: \(redaction.apply(message))"
        }
        var error = PostgresError(
            code: code, sqlState: sqlState, message: redaction.apply(message), detail: field(clibpq_diag_message_detail),
            hint: field(clibpq_diag_message_hint), statement: redaction.apply(sql))
        error.schema = field(clibpq_diag_schema_name)
        error.table = field(clibpq_diag_table_name)
        error.column = field(clibpq_diag_column_name)
        error.constraint = field(clibpq_diag_constraint_name)
        return error
    }

    private static func connectionError(handle: OpaquePointer, sql: String, redaction: Redaction) -> PostgresError {
        let raw = LibpqText.oneLine(String(cString: PQerrorMessage(handle)))
        let lost = PQstatus(handle) == CONNECTION_BAD
        return PostgresError(
            code: lost ? .connectionLost : .queryFailed,
            message: lost ? "the connection was lost: \(redaction.apply(raw))" : redaction.apply(raw),
            hint: lost ? "The server may have restarted; warden retries transient failures on a new connection." : nil,
            statement: redaction.apply(sql))
    }
}
