import Foundation

/// The host keys listed in OpenSSH `known_hosts` files, and the check of a server's key against them.
///
/// libgit2 1.5 does not check SSH host keys itself: without a certificate callback it accepts any key.
/// GitSource's callback asks this type instead. Supported: plain and hashed (`|1|salt|hash`) host
/// names, `[host]:port`, comma-separated patterns with `*`, `?` and `!` negation, and `@revoked`.
/// `@cert-authority` lines are ignored (host certificates are not supported).
struct KnownHosts: Sendable {
    /// The outcome of checking one host key.
    enum Verdict: Sendable, Hashable {
        /// A line lists this host with exactly this key.
        case trusted
        /// A line lists this host with a different key of the same type: possibly an impostor.
        case mismatch
        /// A `@revoked` line lists this key.
        case revoked
        /// No line lists this host with a key of this type.
        case unknown
    }

    /// One usable line of a `known_hosts` file.
    struct Entry: Sendable, Hashable {
        /// `@revoked`, `@cert-authority`, or nil.
        var marker: String?
        /// The host field: comma-separated patterns, or one `|1|salt|hash`.
        var hosts: String
        /// The key type, such as `ssh-ed25519`.
        var keyType: String
        /// The public key in SSH wire format (the base64 field, decoded).
        var key: [UInt8]
    }

    /// Every usable line of the files that exist, in order.
    let entries: [Entry]

    /// Reads `files`; missing or unreadable files contribute nothing.
    init(files: [String]) {
        entries = files.flatMap { file in
            (try? String(contentsOfFile: file, encoding: .utf8)).map(Self.parse) ?? []
        }
    }

    /// Uses the lines of `text` (the contents of one `known_hosts` file).
    init(text: String) {
        entries = Self.parse(text)
    }

    /// The usable lines of `text`; comments, blank and malformed lines are skipped.
    static func parse(_ text: String) -> [Entry] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            var fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#") else { return nil }
            var marker: String?
            if first.hasPrefix("@") {
                marker = first
                fields.removeFirst()
            }
            guard fields.count >= 3, let key = Data(base64Encoded: fields[2]) else { return nil }
            return Entry(marker: marker, hosts: fields[0], keyType: fields[1], key: [UInt8](key))
        }
    }

    /// How `known_hosts` names `host` reached on `port`: `host`, or `[host]:port` for a port other than 22.
    static func lookupName(host: String, port: Int?) -> String {
        guard let port, port != 22 else { return host.lowercased() }
        return "[\(host.lowercased())]:\(port)"
    }

    /// The key type named at the start of an SSH wire-format key, such as `ssh-ed25519`.
    static func keyType(ofWireKey key: [UInt8]) -> String? {
        guard key.count >= 4 else { return nil }
        let length = Int(key[0]) << 24 | Int(key[1]) << 16 | Int(key[2]) << 8 | Int(key[3])
        guard length > 0, key.count >= 4 + length else { return nil }
        return String(decoding: key[4..<(4 + length)], as: UTF8.self)
    }

    /// Checks the key `key` (SSH wire format) that `host` presented on `port`.
    func verdict(host: String, port: Int?, key: [UInt8]) -> Verdict {
        let name = Self.lookupName(host: host, port: port)
        let type = Self.keyType(ofWireKey: key)
        var sameTypeListed = false
        var trusted = false
        for entry in entries where Self.matches(hosts: entry.hosts, name: name) {
            switch entry.marker {
            case "@revoked":
                if entry.key == key { return .revoked }
            case nil:
                if entry.key == key {
                    trusted = true
                } else if type == nil || entry.keyType == type {
                    sameTypeListed = true
                }
            default:
                continue
            }
        }
        if trusted { return .trusted }
        return sameTypeListed ? .mismatch : .unknown
    }

    /// Whether the host field of a line names `name`.
    static func matches(hosts: String, name: String) -> Bool {
        if hosts.hasPrefix("|1|") {
            let parts = hosts.split(separator: "|", omittingEmptySubsequences: true)
            guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])),
                let expected = Data(base64Encoded: String(parts[2]))
            else { return false }
            return SHA1.hmac(key: [UInt8](salt), message: Array(name.utf8)) == [UInt8](expected)
        }
        var matched = false
        for pattern in hosts.split(separator: ",") {
            if pattern.hasPrefix("!") {
                if glob(pattern.dropFirst().lowercased(), matches: name) { return false }
            } else if glob(pattern.lowercased(), matches: name) {
                matched = true
            }
        }
        return matched
    }

    /// OpenSSH-style wildcard matching: `*` is any run of characters, `?` one character.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern)
        let t = Array(text)
        var (pi, ti) = (0, 0)
        var star: Int?
        var resume = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == "*" {
                star = pi
                resume = ti
                pi += 1
            } else if let star {
                pi = star + 1
                resume += 1
                ti = resume
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
