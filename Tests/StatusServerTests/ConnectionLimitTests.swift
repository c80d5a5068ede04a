import Foundation
import Logging
import Prometheus
import StatusServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client socket, for clients that never send a request (or never finish one).
struct RawSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            _ = Glibc.close(descriptor)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED)
        }
    }

    func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    }

    /// Waits up to `seconds` (a hang guard) until the server closes the connection or sends something;
    /// returns what it read, `""` for end of file, `nil` if neither happened.
    func read(within seconds: Int32) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, seconds * 1000) > 0 else { return nil }
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count <= 0 { return text }
            text += String(decoding: buffer[..<count], as: UTF8.self)
            if text.contains("\r\n\r\n"), !text.hasPrefix("HTTP/1.1 200") || text.hasSuffix("ok\n") { return text }
        }
    }

    /// Whether the server ends the connection (end of file or a reset) within `seconds`, reading and
    /// dropping whatever it sends before.
    func closedByServer(within seconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while poll(&poller, 1, seconds * 1000) > 0 {
            if Glibc.read(descriptor, &buffer, buffer.count) <= 0 { return true }
        }
        return false
    }

    func close() { _ = Glibc.close(descriptor) }
}

/// Runs blocking socket calls on a Dispatch thread, never on the cooperative pool the server's request
/// tasks need (on 2 cores, two blocked pool threads would stop the server from answering).
func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}

@Suite("status server: connection limits")
struct ConnectionLimitTests {
    static func server(_ limits: ConnectionLimits) -> StatusServer {
        StatusServer(
            api: FakeController(), registry: PrometheusCollectorRegistry(), token: token, host: "127.0.0.1", port: 0,
            logger: Logger(label: "warden.test"), limits: limits)
    }

    @Test("more idle sockets than the cap: /healthz still answers, the longest-waiting sockets are closed, and every idle one is closed after the idle timeout")
    func idleSocketsCannotStarveTheProbe() async throws {
        let server = Self.server(ConnectionLimits(maximumWaiting: 32, idleTimeout: .seconds(2), requestTimeout: .seconds(2)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.boundPort()
            var idle: [RawSocket] = []
            for _ in 0..<200 { idle.append(try RawSocket(port: port)) }

            let probe = try RawSocket(port: port)
            probe.send("GET /healthz HTTP/1.1\r\nHost: warden\r\nConnection: close\r\n\r\n")
            let answer = await blocking { probe.read(within: 60) }
            #expect(answer?.hasPrefix("HTTP/1.1 200") == true, "\(answer ?? "no answer")")
            probe.close()

            // None stays open: the oldest are closed at once (past the cap), the rest after 2 s idle.
            // The bound is a hang guard; the closing is the server's event.
            let sockets = idle
            let open = await blocking {
                // One 60 s hang guard for all of them, not one per socket.
                let deadline = DispatchTime.now().uptimeNanoseconds + 60_000_000_000
                return sockets.filter { socket in
                    let left = deadline > DispatchTime.now().uptimeNanoseconds ? (deadline - DispatchTime.now().uptimeNanoseconds) / 1_000_000_000 : 0
                    return !socket.closedByServer(within: Int32(max(1, left)))
                }.count
            }
            #expect(open == 0, "\(open) of \(idle.count) idle sockets still open")
            for socket in idle { socket.close() }
            group.cancelAll()
        }
    }

    @Test("a request head never finished, or a body never sent, is closed; a whole request is answered")
    func slowClientsAreClosed() async throws {
        let server = Self.server(ConnectionLimits(maximumWaiting: 32, idleTimeout: .seconds(1), requestTimeout: .seconds(1)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            let port = try await server.boundPort()
            let partialHead = try RawSocket(port: port)
            partialHead.send("GET /healthz HTTP/1.1\r\nHost: war")
            let missingBody = try RawSocket(port: port)
            missingBody.send("POST /api/v1/reconcile HTTP/1.1\r\nHost: warden\r\nContent-Length: 100\r\n\r\n{")
            #expect(await blocking { partialHead.closedByServer(within: 60) })
            #expect(await blocking { missingBody.closedByServer(within: 60) })
            partialHead.close()
            missingBody.close()

            let whole = try RawSocket(port: port)
            whole.send("GET /healthz HTTP/1.1\r\nHost: warden\r\nConnection: close\r\n\r\n")
            #expect(await blocking { whole.read(within: 60) }?.hasPrefix("HTTP/1.1 200") == true)
            whole.close()
            group.cancelAll()
        }
    }
}
