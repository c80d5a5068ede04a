import Foundation
import PostgresClient
import PostgresSyntax
import TestSupport
import Testing

@Suite("PostgresConnection against a real PostgreSQL", .integration, .hangGuard)
struct PostgresConnectionTests {
    @Test("a hostile string and a 10 kB unicode string round-trip as parameters")
    func hostileStringsRoundTrip() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.execute("CREATE TABLE x (id int, body text)")
            let hostile = "'); DROP TABLE x; --"
            let unicode = String(repeating: "Grüße, 世界! 🚀 ∑ ", count: 10_240 / 16)
            #expect(unicode.utf8.count >= 10_000)
            try await connection.execute("INSERT INTO x VALUES (1, $1), (2, $2)", [hostile, unicode])
            let rows = try await connection.query("SELECT body FROM x ORDER BY id")
            #expect(try rows[0].decode(String.self, at: 0) == hostile)
            #expect(try rows[1].decode(String.self, at: 0) == unicode)
            // The table is still there: the hostile value never became SQL.
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM x") == 2)
            let echoed = try await connection.scalar(String.self, "SELECT $1::text", [hostile])
            #expect(echoed == hostile)
        }
    }

    @Test("a unique violation surfaces with SQLSTATE 23505 and names the constraint")
    func uniqueViolation() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
            try await connection.execute("INSERT INTO t VALUES (1)")
            let error = try await #require(throws: PostgresError.self) {
                try await connection.execute("INSERT INTO t VALUES ($1)", [1])
            }
            #expect(error.sqlState == .uniqueViolation)
            #expect(error.code == .queryFailed)
            #expect(error.constraint == "t_pkey")
            #expect(error.detail?.contains("(id)=(1)") == true)
            #expect(error.statement == "INSERT INTO t VALUES ($1)")
            #expect(!error.isTransient)
        }
    }

    @Test("a failed transaction leaves nothing behind")
    func failedTransactionRollsBack() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
            await #expect(throws: PostgresError.self) {
                try await connection.withTransaction { transaction in
                    try await transaction.execute("CREATE TABLE created_inside (a int)")
                    try await transaction.execute("INSERT INTO t VALUES (1), (2)")
                    try await transaction.execute("INSERT INTO t VALUES (2)")  // fails
                }
            }
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM t") == 0)
            #expect(try await connection.scalar(String?.self, "SELECT to_regclass('created_inside')::text") == nil)

            // A body that swallows a statement's failure still cannot commit half a transaction.
            await #expect(throws: PostgresError.self) {
                try await connection.withTransaction { transaction in
                    try await transaction.execute("INSERT INTO t VALUES (3)")
                    _ = try? await transaction.execute("SELECT 1/0")
                }
            }
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM t") == 0)

            // And a good one commits.
            try await connection.withTransaction { transaction in
                try await transaction.execute("INSERT INTO t VALUES (4)")
            }
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM t") == 1)
        }
    }

    @Test("a transaction script is all or nothing, keeps the connection usable, and applies its lock timeout")
    func transactionScript() async throws {
        try await TestCluster.withDatabase { cluster, name, connection in
            try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
            // A statement with a dollar-quoted semicolon and a trailing comment, then a failing one.
            let error = try await #require(throws: PostgresError.self) {
                try await connection.transactionScript([
                    "CREATE TABLE created_inside (a text DEFAULT $x$;$x$) -- a comment",
                    "INSERT INTO t VALUES (1), (2)",
                    "INSERT INTO t VALUES (2)",
                    "INSERT INTO t VALUES (3)",
                ])
            }
            #expect(error.sqlState == .uniqueViolation)
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM t") == 0)
            #expect(try await connection.scalar(String?.self, "SELECT to_regclass('created_inside')::text") == nil)
            // The same script without the failing statement commits every statement.
            try await connection.transactionScript([
                "CREATE TABLE created_inside (a text DEFAULT $x$;$x$) -- a comment",
                "INSERT INTO t VALUES (1), (2)",
            ])
            #expect(try await connection.scalar(Int.self, "SELECT count(*) FROM t") == 2)
            #expect(try await connection.scalar(String.self, "SELECT current_setting('lock_timeout')") == "0")

            let holder = try await cluster.connect(database: name)
            try await holder.execute("BEGIN")
            try await holder.execute("LOCK TABLE t IN ACCESS SHARE MODE")
            let timedOut = try await #require(throws: PostgresError.self) {
                try await connection.transactionScript(["ALTER TABLE t ADD COLUMN b int"], lockTimeout: .milliseconds(50))
            }
            #expect(timedOut.sqlState == .lockNotAvailable)
            try await holder.execute("COMMIT")
            await holder.close()
            // SET LOCAL: the session's own setting is back after the transaction.
            #expect(try await connection.scalar(String.self, "SELECT current_setting('lock_timeout')") == "0")
        }
    }

    @Test("lock_timeout surfaces as a lock timeout (55P03) while another connection holds the lock")
    func lockTimeout() async throws {
        try await TestCluster.withDatabase { cluster, name, connection in
            try await connection.execute("CREATE TABLE t (id int)")
            let holder = try await cluster.connect(database: name)
            defer { Task { await holder.close() } }
            try await holder.execute("BEGIN")
            try await holder.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE")

            try await connection.setLockTimeout(.milliseconds(100))
            let started = ContinuousClock.now
            let error = try await #require(throws: PostgresError.self) {
                try await connection.execute("ALTER TABLE t ADD COLUMN b int")
            }
            #expect(error.sqlState == .lockNotAvailable)
            #expect(error.isTransient)
            #expect(ContinuousClock.now - started < .seconds(5))

            // The per-transaction form behaves the same.
            let inTransaction = try await #require(throws: PostgresError.self) {
                try await connection.withTransaction(lockTimeout: .milliseconds(50)) { transaction in
                    try await transaction.execute("SELECT * FROM t")
                }
            }
            #expect(inTransaction.sqlState == .lockNotAvailable)
            try await holder.execute("ROLLBACK")
            try await connection.execute("ALTER TABLE t ADD COLUMN b int")
        }
    }

    @Test("an advisory lock held by one connection is refused to another and granted after release")
    func advisoryLocks() async throws {
        try await TestCluster.withDatabase { cluster, name, first in
            let second = try await cluster.connect(database: name)
            defer { Task { await second.close() } }
            let key = PostgresConnection.advisoryLockKey("warden.leader")
            #expect(key == PostgresConnection.advisoryLockKey("warden.leader"))
            #expect(key != PostgresConnection.advisoryLockKey("warden.leader2"))

            #expect(try await first.tryAdvisoryLock(key))
            #expect(try await !second.tryAdvisoryLock(key))
            let holder = try #require(try await second.advisoryLockHolder(key))
            #expect(holder.pid == first.backendPID)
            #expect(holder.applicationName == "warden")
            #expect(holder.description.contains("pid \(first.backendPID)"))

            #expect(try await first.advisoryUnlock(key))
            #expect(try await second.tryAdvisoryLock(key))
            #expect(try await first.advisoryLockHolder(key)?.pid == second.backendPID)
            #expect(try await second.advisoryUnlock(key))
            #expect(try await first.advisoryLockHolder(key) == nil)
        }
    }

    @Test("SELECT pg_sleep(30) is cancelled within a second")
    func cancelRunningStatement() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            let started = ContinuousClock.now
            let sleeper = Task { try await connection.query("SELECT pg_sleep(30)") }
            try await Task.sleep(for: .milliseconds(200))
            connection.cancel()
            let result = await sleeper.result
            let elapsed = ContinuousClock.now - started
            let error = try #require(result.error as? PostgresError)
            #expect(error.code == .cancelled)
            #expect(error.sqlState == .queryCanceled)
            // Far less than the 30 s statement (a generous bound: the test machine may be loaded).
            #expect(elapsed < .seconds(10))
            // The connection is usable afterwards.
            #expect(try await connection.scalar(Int.self, "SELECT 41 + 1") == 42)
        }
    }

    @Test("cancelling the calling task cancels the statement on the server")
    func taskCancellationCancelsStatement() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            let started = ContinuousClock.now
            let sleeper = Task { try await connection.query("SELECT pg_sleep(30)") }
            try await Task.sleep(for: .milliseconds(200))
            sleeper.cancel()
            let error = try #require(await sleeper.result.error as? PostgresError)
            #expect(error.code == .cancelled)
            #expect(ContinuousClock.now - started < .seconds(10))
        }
    }

    @Test("statement_timeout stops a long statement")
    func statementTimeout() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.setStatementTimeout(.milliseconds(100))
            let error = try await #require(throws: PostgresError.self) {
                try await connection.query("SELECT pg_sleep(5)")
            }
            #expect(error.sqlState == .queryCanceled)
            try await connection.setStatementTimeout(nil)
        }
    }

    @Test("a refused connection gives a clear error that does not contain the password")
    func refusedConnectionHidesPassword() async throws {
        let secret = "s3cr3t-Pa55word"
        let cases = [
            "host=127.0.0.1 port=1 user=warden password=\(secret) dbname=wh connect_timeout=2",
            "postgresql://warden:\(secret)@127.0.0.1:1/wh?connect_timeout=2",
        ]
        for dsn in cases {
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresConnection.connect(ConnectionConfiguration(dsn))
            }
            #expect(error.code == .connectionFailed)
            let everything = "\(error) \(error.debugDescription) \(String(reflecting: error))"
            #expect(!everything.contains(secret))
            #expect(error.description.contains("cannot connect to PostgreSQL at warden@127.0.0.1:1/wh"))
            #expect(error.description.lowercased().contains("refused"))
        }
        // A malformed string that libpq would echo back is redacted too.
        let malformed = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(ConnectionConfiguration("host=x password=\(secret) oops"))
        }
        #expect(malformed.code == .badConnectionString)
        #expect(!"\(malformed) \(malformed.debugDescription)".contains(secret))
    }

    @Test("a connection string that does not parse is reported without any piece of a password libpq quotes back")
    func parseErrorsEchoNoSecret() async throws {
        // Issue 14: a bad percent escape, and a password with a space, each had libpq quote the secret.
        let cases: [(dsn: String, secret: String, says: String)] = [
            ("postgresql://wardenpw:Pw-S3cr3t%zzq9Zx@127.0.0.1:1/wh", "zzq9Zx", "invalid percent-encoded token"),
            ("host=127.0.0.1 port=1 password=Pw-S3cr3t q9Zx!7 dbname=wh", "q9Zx!7", "missing \"=\" after"),
        ]
        for (dsn, secret, says) in cases {
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresConnection.connect(ConnectionConfiguration(dsn))
            }
            #expect(error.code == .badConnectionString)
            let everything = "\(error) \(error.debugDescription) \(String(reflecting: error)) \(ConnectionConfiguration(dsn))"
            #expect(!everything.contains(secret), "\(everything)")
            #expect(!everything.contains("S3cr3t"), "\(everything)")
            #expect(error.description.contains(says), "\(error.description)")
        }
    }

    @Test("a password inside a failing statement never reaches the error text")
    func secretInStatementIsRedacted() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.execute("CREATE ROLE pw_user_\(connection.backendPID) LOGIN PASSWORD 'right-one'")
            let error = try await #require(throws: PostgresError.self) {
                try await connection.execute(
                    "CREATE ROLE pw_user_\(connection.backendPID) LOGIN PASSWORD 'hunter2-secret'")
            }
            #expect(error.sqlState == .duplicateObject)
            #expect(error.statement?.contains("CREATE ROLE") == true)
            #expect(!error.debugDescription.contains("hunter2-secret"))
            try await connection.execute("DROP ROLE pw_user_\(connection.backendPID)")
        }
    }

    @Test("values decode into the Swift types warden needs")
    func decoding() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            let row = try #require(try await connection.query(
                """
                SELECT 'text'::text AS t, 42::int2 AS i2, 2147483647::int4 AS i4, 9223372036854775807::int8 AS i8,
                       12345678901234567890.123456789::numeric AS n, true AS b, false AS f, DATE '2024-02-29' AS d,
                       TIMESTAMPTZ '2026-03-04 05:06:07.891234+02' AS ts, 'pg_class'::regclass::oid AS o,
                       ARRAY['a', 'b c', 'd"e', 'f\\g', NULL, ''] AS arr, NULL::text AS nothing, 1.5::float8 AS d8
                """).rows.first)
            #expect(try row.decode(String.self, "t") == "text")
            #expect(try row.decode(Int16.self, "i2") == 42)
            #expect(try row.decode(Int32.self, "i4") == Int32.max)
            #expect(try row.decode(Int64.self, "i8") == Int64.max)
            #expect(try row.decode(Decimal.self, "n") == Decimal(string: "12345678901234567890.123456789"))
            #expect(try row.decode(Bool.self, "b") == true)
            #expect(try row.decode(Bool.self, "f") == false)
            #expect(try row.decode(PostgresDate.self, "d") == PostgresDate(year: 2024, month: 2, day: 29))
            let timestamp = try row.decode(Date.self, "ts")
            #expect(abs(timestamp.timeIntervalSince1970 - 1_772_593_567.891234) < 0.000_01)
            #expect(try row.decode(UInt32.self, "o") == 1259)
            #expect(try row.decode([String].self, "arr") == ["a", "b c", "d\"e", "f\\g", ""])
            #expect(try row.decode(String?.self, "nothing") == nil)
            #expect(throws: PostgresError.self) { try row.decode(String.self, "nothing") }
            #expect(try row.decode(Double.self, "d8") == 1.5)
            #expect(throws: PostgresError.self) { try row.decode(Int.self, "t") }

            // And parameters of the same types go back in.
            let date = PostgresDate(year: 2026, month: 1, day: 31)
            let echoed = try #require(try await connection.query(
                "SELECT $1::date + 1 AS d, $2::timestamptz AS ts, $3::text[] AS arr, $4::numeric * 2 AS n, $5::bool AS b",
                [date, timestamp, ["x y", "z\"", "back\\slash"], Decimal(string: "1.25")!, true]).rows.first)
            #expect(try echoed.decode(PostgresDate.self, "d") == PostgresDate(year: 2026, month: 2, day: 1))
            #expect(abs(try echoed.decode(Date.self, "ts").timeIntervalSince(timestamp)) < 0.000_01)
            #expect(try echoed.decode([String].self, "arr") == ["x y", "z\"", "back\\slash"])
            #expect(try echoed.decode(Decimal.self, "n") == Decimal(string: "2.50"))
            #expect(try echoed.decode(Bool.self, "b"))
        }
    }

    @Test("a NUL character in a parameter is refused before it reaches the server")
    func nulParameterRefused() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            let error = try await #require(throws: PostgresError.self) {
                try await connection.query("SELECT $1::text", ["a\u{0}b"])
            }
            #expect(error.code == .badParameter)
            #expect(error.message.contains("$1"))
        }
    }

    @Test("callers sharing a connection take turns: nothing slips into another caller's transaction")
    func transactionsAreExclusive() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.execute("CREATE TABLE t (id int)")
            let inside = Task {
                try await connection.withTransaction { transaction in
                    try await transaction.execute("INSERT INTO t VALUES (1)")
                    try await Task.sleep(for: .milliseconds(300))
                    try await transaction.execute("SELECT 1/0")  // roll everything back
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            // This statement must wait for the transaction instead of running inside it.
            try await connection.execute("INSERT INTO t VALUES (2)")
            _ = await inside.result
            let ids = try await connection.query("SELECT id FROM t").map { try $0.decode(Int.self, at: 0) }
            #expect(ids == [2])
        }
    }

    @Test("a connection whose backend is terminated reports a lost connection, and reset reconnects")
    func lostConnection() async throws {
        try await TestCluster.withDatabase { cluster, name, connection in
            let killer = try await cluster.connect(database: name)
            defer { Task { await killer.close() } }
            try await killer.query("SELECT pg_terminate_backend($1)", [connection.backendPID])
            try await Task.sleep(for: .milliseconds(100))
            let error = try await #require(throws: PostgresError.self) {
                try await connection.query("SELECT 1")
            }
            #expect(error.code == .connectionLost)
            #expect(error.isTransient)
            try await connection.reset()
            #expect(try await connection.scalar(Int.self, "SELECT 1") == 1)
        }
    }

    @Test("session settings: the configured application name (over the connection string's), ISO dates, a client check every second, kept across a reset")
    func sessionSettings() async throws {
        try await TestCluster.withDatabase { cluster, name, connection async throws in
            #expect(try await connection.scalar(String.self, "SHOW application_name") == "warden")
            #expect(try await connection.scalar(String.self, "SHOW DateStyle") == "ISO, YMD")
            #expect(try await connection.scalar(String.self, "SHOW client_connection_check_interval") == "1s")

            let named = try await PostgresConnection.connect(ConnectionConfiguration(
                cluster.connectionString(database: name) + " application_name=from-the-dsn", applicationName: "warden/apply pid=1"))
            #expect(try await named.scalar(String.self, "SHOW application_name") == "warden/apply pid=1")
            try await named.setApplicationName("warden/apply pid=1 run=7")
            try await named.reset()
            #expect(try await named.scalar(String.self, "SHOW application_name") == "warden/apply pid=1 run=7")
            #expect(try await named.scalar(String.self, "SHOW client_connection_check_interval") == "1s")
            await named.close()
        }
    }

    @Test("a script of several statements runs as one unit")
    func scripts() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            try await connection.executeScript("CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2);")
            #expect(try await connection.scalar(Int.self, "SELECT sum(x) FROM a") == 3)
            await #expect(throws: PostgresError.self) {
                try await connection.executeScript("INSERT INTO a VALUES (3); SELECT * FROM missing_table;")
            }
            #expect(try await connection.scalar(Int.self, "SELECT sum(x) FROM a") == 3)
        }
    }

    @Test("a connection the server fails to make (dblink to a closed port) is not this connection lost, and reads as one line")
    func serverSideConnectionFailureIsNotLost() async throws {
        try await TestCluster.withDatabase { cluster, _, connection in
            try await connection.execute("CREATE EXTENSION dblink")
            let failure = await #expect(throws: PostgresError.self) {
                try await connection.query(
                    "SELECT dblink_connect('probe', $1)", ["host=\(cluster.socketDirectory) port=1 dbname=postgres"])
            }
            let error = try #require(failure)
            #expect(error.code == .queryFailed)
            #expect(error.sqlState?.class == "08")
            #expect(!error.description.contains("the connection was lost"), "\(error)")
            #expect(!error.description.contains("\t") && !error.description.contains("\n"), "\(error.description)")
            #expect(error.detail?.contains("Is the server running locally") == true, "\(error)")
            // The connection itself is fine.
            #expect(try await connection.scalar(Int.self, "SELECT 1") == 1)
        }
    }

    @Test("quoted identifiers and literals survive hostile names in DDL")
    func quotingInDDL() async throws {
        try await TestCluster.withDatabase { _, _, connection in
            let schema = "landb; DROP SCHEMA x"
            let table = "we\"ird name"
            let literal = "it's a \\ back'slash"
            try await connection.execute("CREATE SCHEMA \(SQL.quoteIdentifier(schema))")
            try await connection.execute("CREATE TABLE \(SQL.qualified(schema, table)) (v text DEFAULT \(SQL.quoteLiteral(literal)))")
            try await connection.execute("INSERT INTO \(SQL.qualified(schema, table)) DEFAULT VALUES")
            #expect(try await connection.scalar(String.self, "SELECT v FROM \(SQL.qualified(schema, table))") == literal)
            #expect(try await connection.scalar(String.self, "SELECT nspname::text FROM pg_namespace WHERE nspname = $1", [schema]) == schema)
        }
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
