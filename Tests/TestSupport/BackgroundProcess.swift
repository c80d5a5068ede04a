import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A program running beside the test (a `warden run` controller): its output goes to files the test
/// reads while it runs; it can be signalled and waited for.
public final class BackgroundProcess: @unchecked Sendable {
    public let pid: pid_t
    private let folder: TemporaryFolder
    private let lock = NSLock()
    private var exitStatus: Int32?

    public init(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        folder = try TemporaryFolder("warden-background")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder.path + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, folder.path + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw Subprocess.SpawnFailure(description: "cannot start \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
    }

    /// Standard output and error so far.
    public var standardOutput: String { (try? String(contentsOfFile: folder.path + "/out", encoding: .utf8)) ?? "" }
    public var standardError: String { (try? String(contentsOfFile: folder.path + "/err", encoding: .utf8)) ?? "" }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the program to end (up to `timeout`); returns its exit status (128 + signal when
    /// killed), or `nil` if it is still running.
    public func wait(timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let status = poll() { return status }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return poll()
    }

    private func poll() -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
    }

    /// Kills the program if it still runs, reaps it and removes its output files.
    public func terminate() async {
        if poll() == nil {
            kill(pid, SIGKILL)
            _ = await wait(timeout: .seconds(10))
        }
        folder.remove()
    }
}

/// A tiny HTTP client for tests of the status server.
public enum HTTP {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    public static func request(
        _ method: String, _ url: String, token: String? = nil, body: String? = nil, timeout: Double = 10
    ) async throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self))
    }

    /// A TCP port nobody listens on right now.
    public static func freePort() throws -> Int {
        let socketHandle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketHandle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketHandle, $0, length) }
        }
        guard bound == 0 else { throw Subprocess.SpawnFailure(description: "cannot bind a free port") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketHandle, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
