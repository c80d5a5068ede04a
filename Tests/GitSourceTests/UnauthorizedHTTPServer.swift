import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP server on 127.0.0.1 that answers every request with `401 Unauthorized` and a Basic
/// challenge, like a git host given no or wrong credentials. It records the `Authorization` header
/// of each request. Local only: it never contacts anything.
final class UnauthorizedHTTPServer: Sendable {
    /// The port it listens on (chosen by the kernel).
    let port: UInt16
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let headers = Mutex<[String?]>([])
    private let finished = Mutex<Bool>(false)

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw FixtureError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw FixtureError("bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The `Authorization` header of every request so far (nil for a request without one).
    var authorizationHeaders: [String?] { headers.withLock { $0 } }

    /// Stops accepting connections and waits for the serving thread to end.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        while !finished.withLock({ $0 }) { usleep(1_000) }
        close(listener)
    }

    private func serve() {
        defer { finished.withLock { $0 = true } }
        while !stopped.load(ordering: .relaxed) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var request = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !request.containsHeaderEnd {
                var reader = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
                guard poll(&reader, 1, 2_000) > 0 else { break }
                let count = read(connection, &buffer, buffer.count)
                guard count > 0 else { break }
                request += buffer[0..<count]
            }
            let text = String(decoding: request, as: UTF8.self)
            let authorization = text.split(separator: "\r\n").first {
                $0.lowercased().hasPrefix("authorization:")
            }
            headers.withLock {
                $0.append(
                    authorization.map {
                        String($0.dropFirst("authorization:".count)).trimmingCharacters(in: .whitespaces)
                    })
            }
            let response =
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"warden-test\"\r\n"
                + "Content-Length: 0\r\nConnection: close\r\n\r\n"
            _ = Array(response.utf8).withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            close(connection)
        }
    }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        count >= 4
            && (0...(count - 4)).contains {
                self[$0] == 13 && self[$0 + 1] == 10 && self[$0 + 2] == 13 && self[$0 + 3] == 10
            }
    }
}
