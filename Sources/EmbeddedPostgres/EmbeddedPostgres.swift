import Foundation
import Logging
import PostgresClient
import PostgresSyntax
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster in a folder of its own: `initdb`, `pg_ctl start` on a free port of
/// 127.0.0.1 with its Unix socket in the folder, and on ``stop()`` (or `deinit`) the server stopped and the
/// folder removed.
///
/// Works when the caller is root, which `initdb` refuses: the server then runs as the `postgres` OS user
/// (through `runuser`) in a folder that user owns. Clusters left behind by a process that was killed are
/// swept away by the next ``start(parent:settings:logger:)`` in the same parent folder.
///
/// Used by the tests (each starts the servers it needs; none skips) and by `warden demo`.
public final class EmbeddedPostgres: Sendable {
    /// The cluster folder: `data/`, the socket, `server.log`.
    public let directory: String
    /// The data directory (`PGDATA`).
    public let dataDirectory: String
    /// Where the server's Unix socket lives (the cluster folder).
    public let socketDirectory: String
    /// The TCP port on 127.0.0.1, also the socket's port number.
    public let port: Int
    /// The superuser every connection uses (trust authentication, local only).
    public let superuser = "postgres"
    /// The PostgreSQL binaries used (`initdb`, `pg_ctl`).
    public let binDirectory: String

    private let runsAsPostgresUser: Bool
    private let stopped = Mutex(false)
    private let logger: Logger

    private init(
        directory: String, port: Int, binDirectory: String, runsAsPostgresUser: Bool, logger: Logger
    ) {
        self.directory = directory
        self.dataDirectory = directory + "/data"
        self.socketDirectory = directory
        self.port = port
        self.binDirectory = binDirectory
        self.runsAsPostgresUser = runsAsPostgresUser
        self.logger = logger
    }

    deinit { stop() }

    /// The errors of starting and stopping a cluster, each one sentence with what to do.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Creates and starts a cluster.
    ///
    /// - Parameters:
    ///   - parent: the folder to create the cluster in (default: the system's temporary folder); keep it
    ///     short, since a Unix socket path is limited to 107 bytes.
    ///   - settings: extra `postgresql.conf` settings.
    public static func start(
        parent: String? = nil, settings: [String: String] = [:],
        logger: Logger = Logger(label: "warden.embedded-postgres")
    ) async throws -> EmbeddedPostgres {
        try await runBlocking { try startBlocking(parent: parent, settings: settings, logger: logger) }
    }

    /// Starts a cluster, runs `body`, and stops and removes the cluster however `body` ends.
    public static func withCluster<T>(
        parent: String? = nil, settings: [String: String] = [:],
        logger: Logger = Logger(label: "warden.embedded-postgres"),
        _ body: (EmbeddedPostgres) async throws -> T
    ) async throws -> T {
        let cluster = try await start(parent: parent, settings: settings, logger: logger)
        defer { cluster.stop() }
        return try await body(cluster)
    }

    /// A libpq connection string for a database of this cluster, through the Unix socket.
    public func connectionString(database: String = "postgres") -> String {
        "host=\(socketDirectory) port=\(port) user=\(superuser) dbname=\(Self.conninfoValue(database))"
    }

    /// A libpq connection string for a database of this cluster, through TCP on 127.0.0.1.
    public func tcpConnectionString(database: String = "postgres") -> String {
        "host=127.0.0.1 port=\(port) user=\(superuser) dbname=\(Self.conninfoValue(database))"
    }

    /// Opens a connection to a database of this cluster.
    public func connect(database: String = "postgres", logger: Logger? = nil) async throws -> PostgresConnection {
        try await PostgresConnection.connect(
            ConnectionConfiguration(connectionString(database: database)), logger: logger ?? self.logger)
    }

    /// Creates a database (`CREATE DATABASE`), failing if it exists.
    public func createDatabase(_ name: String) async throws {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        try await connection.execute("CREATE DATABASE \(SQL.quoteIdentifier(name))")
    }

    /// Drops a database if it exists, disconnecting its sessions.
    public func dropDatabase(_ name: String) async throws {
        let connection = try await connect()
        defer { Task { await connection.close() } }
        try await connection.execute("DROP DATABASE IF EXISTS \(SQL.quoteIdentifier(name)) WITH (FORCE)")
    }

    /// Stops the server (immediate shutdown) and removes the cluster folder. Idempotent.
    public func stop() {
        let already = stopped.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        if already { return }
        _ = try? Self.run(
            [binDirectory + "/pg_ctl", "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30"],
            asPostgres: runsAsPostgresUser, log: directory + "/pg_ctl.log")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Stops the server as a crash would (immediate mode) and starts it again on the same port: for
    /// tests of what survives a database restart. Open connections break.
    public func restart() async throws {
        try await Self.runBlocking { [self] in
            _ = try Self.run(
                [binDirectory + "/pg_ctl", "stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30"],
                asPostgres: runsAsPostgresUser, log: directory + "/pg_ctl.log")
            try Self.startServer(
                binDirectory: binDirectory, dataDirectory: dataDirectory, directory: directory,
                asPostgres: runsAsPostgresUser)
        }
    }

    // MARK: - Starting

    private static func startBlocking(
        parent: String?, settings: [String: String], logger: Logger
    ) throws -> EmbeddedPostgres {
        let binDirectory = try findBinaries()
        let asPostgres = geteuid() == 0
        var parentFolder = parent ?? (NSTemporaryDirectory().isEmpty ? "/tmp" : NSTemporaryDirectory())
        while parentFolder.count > 1 && parentFolder.hasSuffix("/") { parentFolder.removeLast() }
        sweepAbandonedClusters(in: parentFolder, binDirectory: binDirectory)

        var template = Array((parentFolder + "/warden-pg-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw Failure(description: "cannot create a cluster folder in \(parentFolder): \(String(cString: strerror(errno))); "
                + "pass a writable folder as parent")
        }
        let directory = String(cString: created)
        try "\(getpid())\n".write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        if asPostgres {
            guard let account = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw Failure(description: "running as root needs a 'postgres' OS user to run the server "
                    + "(initdb refuses root); install the postgresql package or run as a normal user")
            }
            chown(directory, account.pointee.pw_uid, account.pointee.pw_gid)
            chmod(directory, 0o755)
        }
        let dataDirectory = directory + "/data"
        do {
            try run(
                [binDirectory + "/initdb", "-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync", "--no-instructions"],
                asPostgres: asPostgres, log: directory + "/initdb.log")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = try freePort()
            var conf: [String: String] = [
                "port": String(port), "listen_addresses": "'127.0.0.1'", "unix_socket_directories": "'\(directory)'",
                "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": "'128MB'",
                "max_connections": "200", "max_locks_per_transaction": "1024", "log_min_messages": "warning",
                "log_line_prefix": "'%m [%p] %q%a '",
            ]
            conf.merge(settings) { _, new in new }
            let lines = conf.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n")
            let autoConf = dataDirectory + "/postgresql.auto.conf"
            try ("# written by warden's EmbeddedPostgres\n" + lines + "\n").write(
                toFile: autoConf, atomically: false, encoding: .utf8)
            do {
                try startServer(
                    binDirectory: binDirectory, dataDirectory: dataDirectory, directory: directory, asPostgres: asPostgres)
                logger.debug("embedded PostgreSQL started", metadata: ["port": "\(port)", "directory": "\(directory)"])
                return EmbeddedPostgres(
                    directory: directory, port: port, binDirectory: binDirectory, runsAsPostgresUser: asPostgres,
                    logger: logger)
            } catch {
                lastError = error  // most likely the port was taken between probing and binding: try another
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw lastError ?? Failure(description: "the embedded PostgreSQL server did not start")
    }

    private static func startServer(
        binDirectory: String, dataDirectory: String, directory: String, asPostgres: Bool
    ) throws {
        do {
            try run(
                [binDirectory + "/pg_ctl", "start", "-D", dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60"],
                asPostgres: asPostgres, log: directory + "/pg_ctl.log")
        } catch {
            let serverLog = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            let tail = serverLog.split(separator: "\n").suffix(5).joined(separator: "\n")
            throw Failure(description: "the embedded PostgreSQL server did not start: \(error)\n\(tail)")
        }
    }

    /// Where `initdb` and `pg_ctl` are: `WARDEN_PG_BINDIR`, Debian's PostgreSQL 15 folder, then `PATH`.
    static func findBinaries() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["WARDEN_PG_BINDIR"] { candidates.append(explicit) }
        candidates.append("/usr/lib/postgresql/15/bin")
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for folder in candidates where FileManager.default.isExecutableFile(atPath: folder + "/initdb")
            && FileManager.default.isExecutableFile(atPath: folder + "/pg_ctl") {
            return folder
        }
        throw Failure(description: "cannot find PostgreSQL's initdb and pg_ctl (looked in \(candidates.prefix(2).joined(separator: ", ")) "
            + "and PATH); install postgresql-15 (apt-get install postgresql-15) or set WARDEN_PG_BINDIR")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on right now.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Failure(description: "cannot bind 127.0.0.1 to find a free port") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops and removes clusters in `parent` whose owning process is gone (a test run killed mid-way).
    static func sweepAbandonedClusters(in parent: String, binDirectory: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for entry in entries where entry.hasPrefix("warden-pg-") {
            let folder = parent + "/" + entry
            guard let text = try? String(contentsOfFile: folder + "/owner.pid", encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            if FileManager.default.fileExists(atPath: folder + "/data/postmaster.pid") {
                _ = try? run(
                    [binDirectory + "/pg_ctl", "stop", "-D", folder + "/data", "-m", "immediate", "-w", "-t", "10"],
                    asPostgres: geteuid() == 0, log: folder + "/pg_ctl.log")
            }
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    /// Runs a PostgreSQL program to completion, as the `postgres` user when we are root, with its output
    /// appended to `log` (never a pipe: `pg_ctl start` leaves the server holding its descriptors).
    ///
    /// Uses `posix_spawn` and a blocking `waitpid` rather than Foundation's `Process`, whose child reaping
    /// loses exits when several processes are started from different threads at once.
    @discardableResult
    static func run(_ arguments: [String], asPostgres: Bool, log: String) throws -> Int32 {
        let argv = asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + arguments : arguments
        // Append with open(2): never replace the log file (it may be a device).
        let output = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        defer { if output >= 0 { close(output) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if output >= 0 {
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, output, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var pid: pid_t = 0
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        let program = (arguments[0] as NSString).lastPathComponent
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failure(description: "cannot wait for \(program): \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard code == 0 else {
            let said = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
                .split(separator: "\n").suffix(4).joined(separator: " | ")
            throw Failure(description: "\(program) \(arguments.dropFirst().first ?? "") failed (exit \(code)): \(said)")
        }
        return code
    }

    /// Runs blocking work off Swift's cooperative thread pool.
    static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    private static func conninfoValue(_ value: String) -> String {
        let plain = value.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
        if plain && !value.isEmpty { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
