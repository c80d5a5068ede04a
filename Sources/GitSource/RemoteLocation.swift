import Foundation

/// A remote as given to ``GitRepository/cloneOrFetch(url:into:credentials:logger:)``: its kind, its
/// host, a form safe to log, and the name of its folder in the cache.
struct RemoteLocation: Sendable, Hashable {
    /// How the remote is reached.
    enum Kind: Sendable, Hashable {
        /// A folder on this machine, given as a path.
        case localPath
        /// A `file://` URL.
        case file
        /// An `http://` or `https://` URL.
        case http
        /// An `ssh://` URL or the scp-like `user@host:path`.
        case ssh
        /// Any other `scheme://` URL, left for libgit2 to judge.
        case other
    }

    /// The URL exactly as it will be fetched (relative local paths made absolute). May hold a password.
    let url: String
    /// How the remote is reached.
    let kind: Kind
    /// The host name, for network remotes.
    let host: String?
    /// The port, when the URL names one.
    let port: Int?
    /// The user name in the URL, if any.
    let user: String?
    /// The password in the URL, if any; only ever used to scrub messages.
    let password: String?
    /// The path part of the URL (the folder for local remotes).
    let remotePath: String

    /// Parses `url`; never fails, since libgit2 has the final word on what it can fetch.
    init(url rawURL: String) {
        let trimmed = rawURL.trimmingCharacters(in: .whitespacesAndNewlines)
        if let schemeRange = trimmed.range(of: "://") {
            let scheme = trimmed[..<schemeRange.lowerBound].lowercased()
            let rest = trimmed[schemeRange.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<authorityEnd]
            let path = String(rest[authorityEnd...])
            var user: String?
            var password: String?
            if let at = authority.lastIndex(of: "@") {
                let userInfo = authority[..<at]
                authority = authority[authority.index(after: at)...]
                if let colon = userInfo.firstIndex(of: ":") {
                    user = String(userInfo[..<colon])
                    password = String(userInfo[userInfo.index(after: colon)...])
                } else {
                    user = String(userInfo)
                }
            }
            var host = String(authority)
            var port: Int?
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                let after = host[host.index(after: close)...]
                if after.hasPrefix(":") { port = Int(after.dropFirst()) }
                host = String(host[host.index(after: host.startIndex)..<close])
            } else if let colon = host.lastIndex(of: ":") {
                port = Int(host[host.index(after: colon)...])
                host = String(host[..<colon])
            }
            self.url = trimmed
            self.kind =
                switch scheme {
                case "file": .file
                case "http", "https": .http
                case "ssh", "git+ssh", "ssh+git": .ssh
                default: .other
                }
            self.host = host.isEmpty ? nil : host
            self.port = port
            self.user = user
            self.password = password
            self.remotePath = path
        } else if Self.isScpLike(trimmed) {
            let colon = trimmed.firstIndex(of: ":")!
            let authority = trimmed[..<colon]
            let at = authority.lastIndex(of: "@")
            self.url = trimmed
            self.kind = .ssh
            self.host = String(at.map { authority[authority.index(after: $0)...] } ?? authority)
            self.port = nil
            self.user = at.map { String(authority[..<$0]) }
            self.password = nil
            self.remotePath = String(trimmed[trimmed.index(after: colon)...])
        } else {
            let absolute = Self.absolutePath(trimmed)
            self.url = absolute
            self.kind = .localPath
            self.host = nil
            self.port = nil
            self.user = nil
            self.password = nil
            self.remotePath = absolute
        }
    }

    /// Whether `text` looks like scp's `[user@]host:path` (a colon before any slash, and not a local path).
    private static func isScpLike(_ text: String) -> Bool {
        guard !text.hasPrefix("/"), !text.hasPrefix("."), !text.hasPrefix("~"),
            let colon = text.firstIndex(of: ":")
        else { return false }
        if let slash = text.firstIndex(of: "/"), slash < colon { return false }
        return colon != text.startIndex
    }

    /// `path` made absolute against the current folder, with `~` expanded and `.`/`..` removed.
    static func absolutePath(_ path: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        let absolute =
            expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// The URL with any password replaced by `***`: safe to log and to put in messages.
    var redacted: String {
        guard let password, !password.isEmpty else { return url }
        return url.replacingOccurrences(of: ":\(password)@", with: ":***@")
    }

    /// `text` with the URL's password, if any, replaced by `***` (libgit2 messages may echo the URL).
    func scrub(_ text: String) -> String {
        guard let password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    /// The folder name of this remote's mirror in the cache: a readable slug of host and path, then
    /// 16 hex digits of a hash of the whole URL so that different URLs never share a folder, then `.git`.
    /// The slug never contains the user or password.
    var cacheName: String {
        let readable = [host, remotePath].compactMap { $0 }.joined(separator: "/")
        var slug = ""
        var lastWasDash = true
        for scalar in readable.unicodeScalars {
            let keep = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "." || scalar == "_")
            if keep {
                slug.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash {
                slug.append("-")
                lastWasDash = true
            }
        }
        if slug.hasSuffix(".git") { slug.removeLast(4) }
        while slug.hasSuffix("-") || slug.hasSuffix(".") { slug.removeLast() }
        while slug.hasPrefix(".") || slug.hasPrefix("-") { slug.removeFirst() }
        if slug.count > 60 { slug = String(slug.suffix(60)) }
        if slug.isEmpty { slug = "repository" }
        return "\(slug)-\(Self.fnv1a64Hex(url)).git"
    }

    /// The 64-bit FNV-1a hash of the UTF-8 of `text`, as 16 lowercase hex digits (stable across runs,
    /// unlike `Hasher`).
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
