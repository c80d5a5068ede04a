import CLibPQ
import Foundation

/// How to reach a PostgreSQL server: a libpq connection string or URI plus warden's session settings.
///
/// An empty connection string lets libpq use its own defaults: the `PG*` environment variables,
/// `~/.pgpass`, and service files (`PGSERVICE`, `~/.pg_service.conf`). Passwords therefore never need to
/// appear on a command line or in git.
public struct ConnectionConfiguration: Sendable, CustomStringConvertible {
    /// A libpq keyword/value string (`host=… dbname=…`) or URI (`postgresql://…`); may be empty.
    public var connectionString: String
    /// `application_name` of the session, shown in `pg_stat_activity`. warden sets it after connecting, over
    /// any the connection string names: it is how a later run tells its own sessions from a dead run's.
    public var applicationName: String
    /// Seconds to wait for the connection to open; the connection string may override it.
    public var connectTimeoutSeconds: Int
    /// `lock_timeout` for the session, or `nil` to keep the server's setting.
    public var lockTimeout: Duration?
    /// `statement_timeout` for the session, or `nil` to keep the server's setting.
    public var statementTimeout: Duration?
    /// `client_connection_check_interval` for the session (PostgreSQL 14 and later; ignored before): how
    /// often the server checks, during a statement, that warden is still there. A warden killed in the
    /// middle of a statement then has it cancelled and its locks released within about this long, instead
    /// of when the statement would have ended. `nil` keeps the server's setting.
    public var clientConnectionCheckInterval: Duration?

    public init(
        _ connectionString: String = "", applicationName: String = "warden", connectTimeoutSeconds: Int = 10,
        lockTimeout: Duration? = nil, statementTimeout: Duration? = nil,
        clientConnectionCheckInterval: Duration? = .seconds(1)
    ) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.lockTimeout = lockTimeout
        self.statementTimeout = statementTimeout
        self.clientConnectionCheckInterval = clientConnectionCheckInterval
    }

    /// The configuration warden uses when a command gets no `--database`: `WARDEN_DATABASE_URL`, else
    /// libpq's own `PG*` variables and files.
    public static func resolve(
        _ explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> ConnectionConfiguration {
        if let explicit, !explicit.isEmpty { return ConnectionConfiguration(explicit) }
        if let url = environment["WARDEN_DATABASE_URL"], !url.isEmpty { return ConnectionConfiguration(url) }
        return ConnectionConfiguration("")
    }

    /// The connection string's options as libpq parses them, without the password.
    ///
    /// Throws ``PostgresError/Code-swift.struct/badConnectionString`` with a redacted message if the
    /// string does not parse.
    public func parsedOptions() throws -> [String: String] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            var message = "the connection string does not parse"
            if let errorMessage {
                message += ": " + Self.withoutQuotedParts(String(cString: errorMessage))
                PQfreemem(errorMessage)
            }
            throw PostgresError(
                code: .badConnectionString, message: redaction.apply(message),
                hint: "Write it as 'host=… port=… dbname=… user=…' or 'postgresql://user@host:port/dbname'.")
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if let value = cursor.pointee.val {
                let key = String(cString: keyword)
                if key != "password" { result[key] = String(cString: value) }
            }
            cursor += 1
        }
        return result
    }

    /// libpq's parse error without the parts of the string it quotes back (`invalid percent-encoded token:
    /// "Pw-S3cr3t%zzq9Zx"`, `missing "=" after "q9Zx!7"`): any of them may be a piece of a password that
    /// did not parse, so no redaction by value could catch it. The quoted `"="` of libpq's own wording stays.
    static func withoutQuotedParts(_ libpqMessage: String) -> String {
        var out = ""
        var rest = Substring(libpqMessage.trimmingCharacters(in: .whitespacesAndNewlines))
        while let open = rest.firstIndex(of: "\"") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "\"") else {
                out += "\"…\""
                rest = ""
                break
            }
            let quoted = after[..<close]
            out += quoted == "=" ? "\"=\"" : "\"…\""
            rest = after[after.index(after: close)...]
        }
        return (out + rest).replacingOccurrences(of: "\n", with: "; ")
    }

    /// Whether the connection string itself holds a password (`password=…` or `postgresql://user:secret@…`),
    /// which belongs in `~/.pgpass`, a service file or the environment rather than in a file people share.
    public var containsPassword: Bool {
        var errorMessage: UnsafeMutablePointer<CChar>?
        defer { if let errorMessage { PQfreemem(errorMessage) } }
        guard let options = PQconninfoParse(connectionString, &errorMessage) else { return false }
        defer { PQconninfoFree(options) }
        var cursor = options
        while let keyword = cursor.pointee.keyword {
            if String(cString: keyword) == "password", let value = cursor.pointee.val, value.pointee != 0 { return true }
            cursor += 1
        }
        return false
    }

    /// The secrets this configuration could leak into messages: its password and `PGPASSWORD`.
    var redaction: Redaction {
        var secrets: [String] = []
        if let env = ProcessInfo.processInfo.environment["PGPASSWORD"] { secrets.append(env) }
        var errorMessage: UnsafeMutablePointer<CChar>?
        if let options = PQconninfoParse(connectionString, &errorMessage) {
            var cursor = options
            while let keyword = cursor.pointee.keyword {
                if String(cString: keyword) == "password", let value = cursor.pointee.val {
                    secrets.append(String(cString: value))
                }
                cursor += 1
            }
            PQconninfoFree(options)
        }
        if let errorMessage { PQfreemem(errorMessage) }
        return Redaction(secrets: secrets)
    }

    /// A short description of the target for messages and logs, never with the password:
    /// `user@host:port/dbname`, with libpq's defaults where the string leaves a part out.
    public var description: String {
        guard let options = try? parsedOptions() else { return "<unparseable connection string>" }
        let env = ProcessInfo.processInfo.environment
        let host = options["host"] ?? options["hostaddr"] ?? env["PGHOST"] ?? "localhost"
        let port = options["port"] ?? env["PGPORT"] ?? "5432"
        let user = options["user"] ?? env["PGUSER"] ?? "(current user)"
        let dbname = options["dbname"] ?? env["PGDATABASE"] ?? user
        let service = options["service"].map { " (service \($0))" } ?? ""
        return "\(user)@\(host):\(port)/\(dbname)\(service)"
    }
}
