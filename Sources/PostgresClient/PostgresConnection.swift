import CLibPQ
import Dispatch
import Foundation
import Logging
import Synchronization

/// One libpq connection to PostgreSQL.
///
/// libpq allows a `PGconn` on any thread but never on two at once, and its calls block. Every libpq call
/// on the connection therefore runs on the connection's own serial dispatch queue — never on Swift's
/// cooperative thread pool, which a blocking call would stall — so calls are exclusive by construction.
/// Multi-statement scopes (``withTransaction(_:)``, ``withExclusiveAccess(_:)``) additionally hold an
/// async lease, so a second caller sharing the connection waits instead of interleaving its statements
/// into someone else's transaction.
///
/// - Important: `@unchecked Sendable` rests on these invariants: `handle` is read and written only on
///   `queue`; `cancelHandle` is guarded by its mutex; everything else is immutable.
public final class PostgresConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    private var handle: OpaquePointer?
    private let cancelHandle: Mutex<CancelHandle?>
    private let lease = AsyncLease()
    private let notices: NoticeSink
    let redaction: Redaction
    /// The settings ``applySessionSettings(_:)`` applies, again after a ``reset()``.
    private let settings: Mutex<ConnectionConfiguration>

    /// A description of the server and database, never with a password (`postgres@127.0.0.1:5432/wh`).
    public let target: String
    /// The server's process id for this session (`pg_backend_pid()`).
    public let backendPID: Int32
    /// The server's version number, e.g. `150018` for 15.18.
    public let serverVersion: Int
    /// The logger that receives statements (debug) and server notices (debug).
    public let logger: Logger

    private init(
        queue: DispatchQueue, handle: OpaquePointer, redaction: Redaction, target: String, notices: NoticeSink,
        logger: Logger, configuration: ConnectionConfiguration
    ) {
        self.settings = Mutex(configuration)
        self.queue = queue
        self.handle = handle
        self.cancelHandle = Mutex(PQgetCancel(handle).map(CancelHandle.init))
        self.redaction = redaction
        self.target = target
        self.notices = notices
        self.backendPID = PQbackendPID(handle)
        self.serverVersion = Int(PQserverVersion(handle))
        self.logger = logger
    }

    deinit {
        if let handle { PQfinish(handle) }
        cancelHandle.withLock { cancel in
            if let cancel { PQfreeCancel(cancel.pointer) }
            cancel = nil
        }
    }

    /// Opens a connection and applies warden's session settings.
    ///
    /// - Throws: ``PostgresError`` with code `connectionFailed` and one sentence naming the target and
    ///   what libpq said — never the password.
    public static func connect(
        _ configuration: ConnectionConfiguration, logger: Logger = Logger(label: "warden.postgres")
    ) async throws -> PostgresConnection {
        let redaction = configuration.redaction
        let queue = DispatchQueue(label: "warden.postgres.connection")
        let notices = NoticeSink(logger: logger, redaction: redaction)
        let opened: (handle: OpaquePointer, target: String, password: String?) =
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    continuation.resume(with: Result { try openHandle(configuration, redaction: redaction) })
                }
            }
        var allSecrets = redaction
        if let password = opened.password { allSecrets = Redaction(adding: password, to: redaction) }
        PQsetNoticeReceiver(opened.handle, noticeReceiver, Unmanaged.passUnretained(notices).toOpaque())
        let connection = PostgresConnection(
            queue: queue, handle: opened.handle, redaction: allSecrets, target: opened.target, notices: notices,
            logger: logger, configuration: configuration)
        try await connection.applySessionSettings(configuration)
        if let lockTimeout = configuration.lockTimeout { try await connection.setLockTimeout(lockTimeout) }
        if let statementTimeout = configuration.statementTimeout {
            try await connection.setStatementTimeout(statementTimeout)
        }
        return connection
    }

    /// warden's settings for every session, in one round trip: the date style the decoders read, the
    /// application name, the client check (PostgreSQL 14+) and TCP keepalives, so that a server notices
    /// a warden that died (killed, its host gone) and releases what it held.
    func applySessionSettings(_ configuration: ConnectionConfiguration) async throws {
        var settings: [(String, String)] = [("DateStyle", "ISO, YMD"), ("application_name", configuration.applicationName)]
        if let interval = configuration.clientConnectionCheckInterval, serverVersion >= 140000 {
            settings.append(("client_connection_check_interval", Self.milliseconds(interval)))
        }
        // Ignored on Unix-domain sockets. A host that vanished is noticed within about 25 s.
        settings += [("tcp_keepalives_idle", "10"), ("tcp_keepalives_interval", "5"), ("tcp_keepalives_count", "3")]
        var parameters: [any PostgresBindable] = []
        var calls: [String] = []
        for (index, setting) in settings.enumerated() {
            calls.append("set_config($\(2 * index + 1), $\(2 * index + 2), false)")
            parameters += [setting.0, setting.1]
        }
        _ = try await query("SELECT " + calls.joined(separator: ", "), parameters)
    }

    /// Names the session in `pg_stat_activity` (`application_name`), e.g. once a run has its id.
    public func setApplicationName(_ name: String) async throws {
        _ = try await query("SELECT set_config('application_name', $1, false)", [name])
        settings.withLock { $0.applicationName = name }
    }

    /// Runs on the connection's queue: opens the libpq handle or throws a redacted, readable error.
    private static func openHandle(
        _ configuration: ConnectionConfiguration, redaction: Redaction
    ) throws -> (handle: OpaquePointer, target: String, password: String?) {
        // Validate first so a malformed string yields a parse error rather than a confusing connect error.
        _ = try configuration.parsedOptions()
        // Keywords before "dbname" are defaults the connection string may override.
        let keywords = ["application_name", "connect_timeout", "dbname"]
        let values = [configuration.applicationName, String(configuration.connectTimeoutSeconds),
                      configuration.connectionString]
        let handle: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw PostgresError(code: .connectionFailed, message: "cannot allocate a libpq connection")
        }
        let target = describe(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            let raw = LibpqText.oneLine(String(cString: PQerrorMessage(handle)))
            PQfinish(handle)
            let said = redaction.apply(raw)
            throw PostgresError(
                code: .connectionFailed, message: "cannot connect to PostgreSQL at \(target): \(said)",
                hint: "Check that the server is running and reachable, and that the connection string, "
                    + "WARDEN_DATABASE_URL or the PG* variables name the right host, port, database and user.")
        }
        let password = PQpass(handle).map { String(cString: $0) }
        return (handle, target, password)
    }

    /// `user@host:port/dbname` of an opened (or failed) handle, as libpq resolved it.
    private static func describe(_ handle: OpaquePointer) -> String {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            guard let pointer else { return nil }
            let value = String(cString: pointer)
            return value.isEmpty ? nil : value
        }
        let host = text(PQhost(handle)) ?? "localhost"
        let port = text(PQport(handle)) ?? "5432"
        let user = text(PQuser(handle)) ?? "?"
        let dbname = text(PQdb(handle)) ?? "?"
        return "\(user)@\(host):\(port)/\(dbname)"
    }

    /// Closes the connection. Safe to call more than once; later calls on the connection fail with
    /// `connectionClosed`.
    public func close() async {
        cancelHandle.withLock { cancel in
            if let cancel { PQfreeCancel(cancel.pointer) }
            cancel = nil
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if let handle = self.handle { PQfinish(handle) }
                self.handle = nil
                continuation.resume()
            }
        }
    }

    /// Asks the server to cancel the statement running on this connection, from any thread.
    ///
    /// The running call then fails with code `cancelled` (SQLSTATE 57014). If nothing is running, the
    /// request is ignored by the server.
    public func cancel() {
        cancelHandle.withLock { cancel in
            guard let cancel else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel.pointer, &buffer, Int32(buffer.count))
        }
    }

    /// Runs `body` with the libpq handle on the connection's queue, cancelling the server-side statement
    /// if the calling task is cancelled meanwhile.
    func withHandle<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    guard let handle = self.handle else {
                        continuation.resume(throwing: PostgresError(
                            code: .connectionClosed, message: "the connection to \(self.target) is closed"))
                        return
                    }
                    continuation.resume(with: Result { try body(handle) })
                }
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Holds the connection for the whole of `body`: other callers' statements wait until it returns.
    ///
    /// Reentrant within the same task tree, so statements inside `body` do not deadlock.
    public func withExclusiveAccess<T>(_ body: () async throws -> T) async throws -> T {
        try await lease.withLease(owner: ObjectIdentifier(self), body)
    }

    /// Re-opens a broken connection with the same parameters (libpq's `PQreset`).
    public func reset() async throws {
        try await withHandle { handle in
            PQreset(handle)
            guard PQstatus(handle) == CONNECTION_OK else {
                let raw = LibpqText.oneLine(String(cString: PQerrorMessage(handle)))
                throw PostgresError(
                    code: .connectionFailed, message: "cannot reconnect to \(self.target): \(self.redaction.apply(raw))")
            }
            let fresh = PQgetCancel(handle).map(CancelHandle.init)
            self.cancelHandle.withLock { cancel in
                if let cancel { PQfreeCancel(cancel.pointer) }
                cancel = fresh
            }
        }
        try await applySessionSettings(settings.withLock { $0 })
    }
}

/// libpq's `PGcancel`: documented as usable from any thread, so it may cross threads (guarded by a mutex).
struct CancelHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Calls `body` with a NUL-terminated C string array that lives for the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let duplicated: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { duplicated.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicated.map { UnsafePointer($0) }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Receives server notices (`NOTICE: … does not exist, skipping`) and logs them at debug level instead of
/// letting libpq print them on standard error.
final class NoticeSink: Sendable {
    let logger: Logger
    let redaction: Redaction
    init(logger: Logger, redaction: Redaction) {
        self.logger = logger
        self.redaction = redaction
    }
}

private let noticeReceiver: PQnoticeReceiver = { argument, result in
    guard let argument, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(argument).takeUnretainedValue()
    let message = String(cString: PQresultErrorMessage(result)).trimmingCharacters(in: .whitespacesAndNewlines)
    sink.logger.debug("\(sink.redaction.apply(message))", metadata: ["postgres.notice": "true"])
}

extension Redaction {
    init(adding secret: String, to other: Redaction) {
        self = other
        self.add(secret)
    }
}
