import Foundation

/// What to offer a remote that asks who we are, and which SSH host keys to trust.
///
/// ``default`` reads the environment: for HTTPS, `WARDEN_GIT_USERNAME` with `WARDEN_GIT_PASSWORD` or
/// with a token read from the file named by `WARDEN_GIT_TOKEN_FILE`; for SSH, the ssh-agent (if
/// `SSH_AUTH_SOCK` is set), then `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`. Each method is offered
/// once: a remote that rejects them all gets a ``GitError`` with ``GitError/Code/authentication``
/// instead of being asked forever. Secrets never appear in ``description``, in a `dump`, in logs or in
/// error messages.
public struct GitCredentials: Sendable, CustomStringConvertible, CustomReflectable {
    /// The user name for HTTPS, and for SSH when the URL names none (SSH then defaults to `git`).
    public var username: String?
    /// The HTTPS password or token. Prefer ``passwordFile``, which keeps it out of the environment.
    public var password: String?
    /// A file whose first line is the HTTPS password or token; read when the remote asks, so a rotated
    /// token is picked up without a restart. Used when ``password`` is nil.
    public var passwordFile: String?
    /// Whether to offer the keys held by the ssh-agent at `SSH_AUTH_SOCK`.
    public var useSSHAgent: Bool
    /// Private key files to offer over SSH, in order; missing files are skipped. A `.pub` file next to
    /// a key is used when present. Keys with a passphrase are not supported (use the agent).
    public var sshKeyFiles: [String]
    /// `known_hosts` files that SSH host keys are checked against (OpenSSH format, hashed or plain).
    public var knownHostsFiles: [String]
    /// Accept any SSH host key without checking ``knownHostsFiles``. Insecure (anyone on the path can
    /// pose as the server); meant for throw-away test set-ups only.
    public var acceptAnySSHHostKey: Bool

    /// Creates a credential set. Every part is optional; see ``default`` for the usual one.
    public init(
        username: String? = nil,
        password: String? = nil,
        passwordFile: String? = nil,
        useSSHAgent: Bool = true,
        sshKeyFiles: [String] = GitCredentials.defaultSSHKeyFiles,
        knownHostsFiles: [String] = GitCredentials.defaultKnownHostsFiles,
        acceptAnySSHHostKey: Bool = false
    ) {
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
        self.useSSHAgent = useSSHAgent
        self.sshKeyFiles = sshKeyFiles
        self.knownHostsFiles = knownHostsFiles
        self.acceptAnySSHHostKey = acceptAnySSHHostKey
    }

    /// Credentials from the environment (`WARDEN_GIT_USERNAME`, `WARDEN_GIT_PASSWORD`,
    /// `WARDEN_GIT_TOKEN_FILE`), plus the ssh-agent and the default SSH keys.
    public static var `default`: GitCredentials {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        return GitCredentials(
            username: value("WARDEN_GIT_USERNAME"),
            password: value("WARDEN_GIT_PASSWORD"),
            passwordFile: value("WARDEN_GIT_TOKEN_FILE"))
    }

    /// No credentials at all: a remote that asks for any fails with ``GitError/Code/authentication``.
    public static var none: GitCredentials {
        GitCredentials(useSSHAgent: false, sshKeyFiles: [])
    }

    /// An HTTPS user name and password (or token).
    public static func usernamePassword(_ username: String, _ password: String) -> GitCredentials {
        GitCredentials(username: username, password: password, useSSHAgent: false, sshKeyFiles: [])
    }

    /// `~/.ssh/id_ed25519` and `~/.ssh/id_rsa`.
    public static var defaultSSHKeyFiles: [String] {
        ["id_ed25519", "id_rsa"].map { homeDirectory + "/.ssh/" + $0 }
    }

    /// `~/.ssh/known_hosts` and `/etc/ssh/ssh_known_hosts`.
    public static var defaultKnownHostsFiles: [String] {
        [homeDirectory + "/.ssh/known_hosts", "/etc/ssh/ssh_known_hosts"]
    }

    /// The HTTPS user name and secret to offer, if there is a secret. The user name defaults to the
    /// one in the URL, then to `x-access-token` (what GitHub expects with a token).
    func userPassword(usernameFromURL: String?) -> (username: String, password: String)? {
        let secret: String?
        if let password {
            secret = password
        } else if let passwordFile, let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) {
            secret = text.split(whereSeparator: \.isNewline).first.map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        } else {
            secret = nil
        }
        guard let secret, !secret.isEmpty else { return nil }
        return (username ?? usernameFromURL ?? "x-access-token", secret)
    }

    /// Which credentials are set, without any secret.
    public var description: String {
        var parts: [String] = []
        if let username { parts.append("username: \(username)") }
        if password != nil { parts.append("password: <redacted>") }
        if let passwordFile { parts.append("passwordFile: \(passwordFile)") }
        parts.append("sshAgent: \(useSSHAgent)")
        parts.append("sshKeyFiles: \(sshKeyFiles)")
        if acceptAnySSHHostKey { parts.append("acceptAnySSHHostKey: true") }
        return "GitCredentials(\(parts.joined(separator: ", ")))"
    }

    /// A mirror without the password, so `dump` and debuggers do not print it.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "username": username as Any,
                "password": (password == nil ? "nil" : "<redacted>") as Any,
                "passwordFile": passwordFile as Any,
                "useSSHAgent": useSSHAgent,
                "sshKeyFiles": sshKeyFiles,
                "knownHostsFiles": knownHostsFiles,
                "acceptAnySSHHostKey": acceptAnySSHHostKey,
            ])
    }

    /// `HOME`, or the account's home folder.
    private static var homeDirectory: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.path
    }
}
