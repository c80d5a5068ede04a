import Foundation

/// Removes secrets from text that libpq or the server produced before it reaches an error or a log.
///
/// libpq's parse errors quote pieces of the connection string (`missing "=" after "s3cret"`), and
/// statements such as `CREATE USER MAPPING … OPTIONS (password '…')` carry secrets too. Known secrets
/// (the password of the connection string and `PGPASSWORD`) are replaced wherever they appear, and
/// anything that looks like `password=…`, `password '…'` or `user:password@` is masked as well.
struct Redaction: Sendable {
    static let mask = "********"
    private var secrets: [String]

    init(secrets: [String]) {
        // Longest first, so a secret that contains another is masked whole.
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    mutating func add(_ secret: String) {
        guard !secret.isEmpty else { return }
        secrets.append(secret)
        secrets.sort { $0.count > $1.count }
    }

    func apply(_ text: String) -> String {
        var out = text
        for secret in secrets { out = out.replacingOccurrences(of: secret, with: Self.mask) }
        return Self.maskPatterns(out)
    }

    /// Masks password-looking fragments even when the secret itself is unknown.
    static func maskPatterns(_ text: String) -> String {
        var out = text
        let patterns = [
            #"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'"]+)"#,  // conninfo: password=... or password='...'
            #"(?i)(password\s+)('(?:[^']|'')*')"#,  // OPTIONS (password '...')
            #"(?i)(password\s*:\s*)(\S+)"#,  // YAML-ish
            #"(://[^:/@\s]*:)([^@\s]+)(@)"#,  // URI user:password@
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(out.startIndex..., in: out)
            let template = regex.numberOfCaptureGroups == 3 ? "$1\(mask)$3" : "$1\(mask)"
            out = regex.stringByReplacingMatches(in: out, range: range, withTemplate: template)
        }
        return out
    }
}
