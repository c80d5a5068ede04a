import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP server that records the bodies POSTed to it and answers 200: the other end of warden's
/// notification webhooks in tests.
public final class WebhookReceiver: @unchecked Sendable {
    public let port: Int
    private let socketHandle: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var closed = false

    public init() throws {
        let socketHandle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.socketHandle = socketHandle
        var yes: Int32 = 1
        setsockopt(socketHandle, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketHandle, $0, length) }
        }
        guard bound == 0, listen(socketHandle, 16) == 0 else {
            close(socketHandle)
            port = 0
            throw Subprocess.SpawnFailure(description: "cannot listen for webhooks")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketHandle, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// The JSON bodies received so far.
    public var bodies: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    public func stop() {
        lock.lock()
        closed = true
        lock.unlock()
        shutdown(socketHandle, Int32(SHUT_RDWR))
        close(socketHandle)
    }

    private func acceptLoop() {
        while true {
            let client = accept(socketHandle, nil, nil)
            if client < 0 {
                lock.lock()
                let done = closed
                lock.unlock()
                if done { return }
                continue
            }
            handle(client)
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            data += buffer[0..<count]
            let text = String(decoding: data, as: UTF8.self)
            guard let headerEnd = text.range(of: "\r\n\r\n") else { continue }
            let headers = text[..<headerEnd.lowerBound].lowercased()
            let length = headers.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyStart = text.utf8.distance(from: text.startIndex, to: headerEnd.upperBound)
            if data.count - bodyStart >= length {
                let body = String(decoding: data[bodyStart..<(bodyStart + length)], as: UTF8.self)
                lock.lock()
                received.append(body)
                lock.unlock()
                break
            }
        }
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = response.withCString { write(client, $0, strlen($0)) }
    }
}
