extension PostgresConnection {
    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    ///
    /// The connection is held for the whole transaction, so no other caller's statement can slip into it.
    /// A statement that failed inside `body` aborts the transaction even if `body` caught the error;
    /// the commit then reports it instead of silently rolling back.
    ///
    /// - Parameter lockTimeout: a `SET LOCAL lock_timeout` for this transaction only — how long any
    ///   statement in it may wait for a lock before failing with SQLSTATE 55P03.
    @discardableResult
    public func withTransaction<T>(
        lockTimeout: Duration? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withExclusiveAccess {
            try await execute("BEGIN")
            do {
                if let lockTimeout {
                    try await query("SELECT set_config('lock_timeout', $1, true)", [Self.milliseconds(lockTimeout)])
                }
                let value = try await body(self)
                let tag = try await query("COMMIT").commandTag
                if tag == "ROLLBACK" {
                    throw Self.rolledBack
                }
                return value
            } catch {
                // A failed ROLLBACK (connection lost) leaves nothing behind either: the server aborts it.
                _ = try? await query("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs `statements` in one transaction sent as one simple-query message: `BEGIN`, the lock timeout,
    /// the statements, `COMMIT`, in a single round trip instead of one per statement. If a statement
    /// fails, the rest are skipped, the transaction is rolled back and the error is thrown, as with
    /// ``withTransaction(lockTimeout:_:)``. Each statement ends on its own line, so a trailing `--`
    /// comment cannot swallow the separator.
    public func transactionScript(_ statements: [String], lockTimeout: Duration? = nil) async throws {
        var script = "BEGIN;\n"
        if let lockTimeout { script += "SET LOCAL lock_timeout = '\(Self.milliseconds(lockTimeout))';\n" }
        for statement in statements { script += statement + "\n;\n" }
        script += "COMMIT;"
        try await withExclusiveAccess {
            do {
                let tag = try await executeScript(script).commandTag
                if tag == "ROLLBACK" {
                    throw Self.rolledBack
                }
            } catch {
                _ = try? await query("ROLLBACK")
                throw error
            }
        }
    }

    /// What a `COMMIT` answered with `ROLLBACK` throws: a statement before it failed.
    static let rolledBack = PostgresError(
        code: .queryFailed, sqlState: "25P02", message: "the transaction was rolled back because a statement in it failed")

    /// Sets `lock_timeout` for the rest of the session (`nil` or zero: wait forever).
    public func setLockTimeout(_ timeout: Duration?) async throws {
        try await query("SELECT set_config('lock_timeout', $1, false)", [Self.milliseconds(timeout ?? .zero)])
    }

    /// Sets `statement_timeout` for the rest of the session (`nil` or zero: no limit).
    public func setStatementTimeout(_ timeout: Duration?) async throws {
        try await query("SELECT set_config('statement_timeout', $1, false)", [Self.milliseconds(timeout ?? .zero)])
    }

    /// A duration as PostgreSQL's millisecond setting text (`2000ms`), rounded up so 0.5 ms stays non-zero.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if attoseconds % 1_000_000_000_000_000 != 0 { millis += 1 }
        return "\(max(0, millis))ms"
    }
}
