import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client socket, for clients that never send a request (or never finish one).
public struct RawSocket: Sendable {
    public let descriptor: Int32

    public init(port: Int) throws {
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

    public func send(_ text: String) {
        _ = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
    }

    /// Waits up to `seconds` (a hang guard) until the server closes the connection or sends something;
    /// returns what it read, `""` for end of file, `nil` if neither happened.
    public func read(within seconds: Int32) -> String? {
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
    public func closedByServer(within seconds: Int32) -> Bool {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while poll(&poller, 1, seconds * 1000) > 0 {
            if Glibc.read(descriptor, &buffer, buffer.count) <= 0 { return true }
        }
        return false
    }

    public func close() { _ = Glibc.close(descriptor) }
}

/// Runs blocking socket calls on a Dispatch thread, never on the cooperative pool the server's request
/// tasks need (on 2 cores, two blocked pool threads would stop the server from answering).
public func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
