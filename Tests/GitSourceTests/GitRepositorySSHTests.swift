import Foundation
import GitSource
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Fetching over SSH from a throw-away `sshd` on 127.0.0.1. These run only where OpenSSH's server is
/// installed and the tests run as root (sshd's privilege separation needs it); elsewhere they are
/// skipped, and the host-key logic is still covered by `KnownHostsTests`.
@Suite(
    "SSH remotes against a local sshd",

    .serialized)
struct GitRepositorySSHTests {
    @Test("known host and accepted key: clone works; unknown host key: .certificate; wrong key: .authentication")
    func sshRemote() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        try origin.write("desired-state/a.yaml", "a: 1\n")
        let commitID = try origin.commitAll("Initial")
        let server = try LocalSSHServer(root: fixture.root + "/ssh")
        defer { server.stop() }
        let url = "ssh://root@127.0.0.1:\(server.port)\(origin.path)"

        // The server's key is not in known_hosts: refused before any credential is offered.
        let unknownHost = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(
                url: url, into: fixture.root + "/cache",
                credentials: GitCredentials(
                    useSSHAgent: false, sshKeyFiles: [server.clientKey], knownHostsFiles: [server.emptyKnownHosts]))
        }
        #expect(unknownHost.code == .certificate, "\(unknownHost.debugDescription)")
        #expect(unknownHost.message.contains("[127.0.0.1]:\(server.port)"))

        // A known host with a key it does not accept.
        let wrongKey = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(
                url: url, into: fixture.root + "/cache",
                credentials: GitCredentials(
                    useSSHAgent: false, sshKeyFiles: [server.otherKey], knownHostsFiles: [server.knownHosts]))
        }
        #expect(wrongKey.code == .authentication, "\(wrongKey.debugDescription)")
        #expect(wrongKey.message.contains(server.otherKey))

        // Known host, accepted key.
        let mirror = try GitRepository.cloneOrFetch(
            url: url, into: fixture.root + "/cache",
            credentials: GitCredentials(
                useSSHAgent: false, sshKeyFiles: [server.clientKey], knownHostsFiles: [server.knownHosts]))
        #expect(try mirror.resolve("main").id == commitID)
        #expect(try mirror.snapshot(ref: "main", path: "desired-state").files.map(\.path) == ["desired-state/a.yaml"])
    }
}

/// An `sshd` listening on 127.0.0.1 with its own host key, accepting one client key for root.
private final class LocalSSHServer {
    let port: Int
    let clientKey: String
    let otherKey: String
    let knownHosts: String
    let emptyKnownHosts: String
    private let process: Process

    init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for name in ["host_key", "client_key", "other_key"] {
            try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", root + "/" + name])
        }
        clientKey = root + "/client_key"
        otherKey = root + "/other_key"
        try FileManager.default.copyItem(atPath: root + "/client_key.pub", toPath: root + "/authorized_keys")
        knownHosts = root + "/known_hosts"
        emptyKnownHosts = root + "/known_hosts_empty"
        try "".write(toFile: emptyKnownHosts, atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: root + "/host_key.pub", encoding: .utf8)
            .split(separator: " ").prefix(2).joined(separator: " ")
        // A random port may be taken: try a few.
        for _ in 0..<5 {
            let port = try Self.freePort()
            let config = """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(root)/host_key
                AuthorizedKeysFile \(root)/authorized_keys
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin prohibit-password
                StrictModes no
                UsePAM no
                PidFile \(root)/sshd.pid
                """
            try config.write(toFile: root + "/sshd_config", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
            process.arguments = ["-D", "-e", "-f", root + "/sshd_config"]
            process.standardError = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Wait until sshd itself greets us (at most about two seconds), unless it exited.
            for _ in 0..<200 where process.isRunning && !Self.greetsWithSSHBanner(port: port) {
                usleep(10_000)
            }
            if process.isRunning {
                self.port = port
                self.process = process
                try "[127.0.0.1]:\(port) \(hostKey)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
                return
            }
        }
        throw FixtureError("sshd did not start")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FixtureError("\(executable) failed") }
    }

    /// A port that nothing listens on right now, chosen by the kernel.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 ? getsockname(fd, $0, &length) : -1
            }
        }
        guard status == 0 else { throw FixtureError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether an SSH server answers on `port` (its first bytes are `SSH-`).
    private static func greetsWithSSHBanner(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard connected else { return false }
        var reader = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&reader, 1, 1_000) > 0 else { return false }
        var banner = [UInt8](repeating: 0, count: 4)
        return read(fd, &banner, 4) == 4 && banner == Array("SSH-".utf8)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
