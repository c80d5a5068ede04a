import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension ControllerConfiguration {
    /// The bearer token of the mutating endpoints, read from `http.tokenFile` and trimmed; `nil` when no
    /// token file is configured (those endpoints are then disabled).
    ///
    /// - Throws: ``ConfigurationError`` when the file is missing, unreadable, empty, more than one token,
    ///   or readable by every user; the message names the file and the command that fixes it.
    public func readToken() throws -> String? {
        guard let path = http.tokenFile else { return nil }
        return try Self.readToken(at: path)
    }

    /// Reads and checks a token file (see ``readToken()``).
    public static func readToken(at path: String) throws -> String {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(problems: [.init(file: path, line: 1, column: 1, key: "http.tokenFile", message: message)])
        }
        let create = "openssl rand -hex 32 > \(path) && chmod 600 \(path)"
        // stat, not lstat: Kubernetes mounts secrets as symbolic links, whose own mode says nothing.
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                throw failure("the token file \(path) (http.tokenFile) does not exist; create it with a random secret: \(create)")
            }
            throw failure("the token file \(path) (http.tokenFile) cannot be inspected (\(String(cString: strerror(code)))); "
                + "check the path and the permissions of its folders")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw failure("the token file \(path) (http.tokenFile) is not a regular file; point tokenFile at the file holding the token")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o006 == 0 else {
            throw failure("the token file \(path) (http.tokenFile) is readable or writable by every user (mode "
                + String(format: "%04o", Int(mode)) + "); restrict it: chmod 600 \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("the token file \(path) (http.tokenFile) cannot be read by this user; "
                + "make it readable by warden's user only: chown warden \(path) && chmod 600 \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw failure("the token file \(path) (http.tokenFile) is empty; write a random secret into it: \(create)")
        }
        guard !token.contains(where: { $0.isWhitespace }) else {
            throw failure("the token file \(path) (http.tokenFile) holds spaces or several lines; keep only the token, on one line")
        }
        return token
    }
}
