internal import CLibGit2
import Foundation
import Logging

/// The state of one connect-and-fetch, handed to libgit2's callbacks as their payload.
///
/// The caller keeps the session alive for the whole libgit2 call (`withExtendedLifetime`), and the
/// callbacks borrow it with `Unmanaged.passUnretained` / `takeUnretainedValue` only: libgit2 calls
/// the credential callback again after each rejection, so taking a +1 reference there would
/// over-release (P-G4). All callbacks run synchronously on the thread that called libgit2, under the
/// repository's lock, so the session needs no lock of its own.
final class FetchSession {
    /// The most credential requests answered in one fetch, whatever the methods left: a safety cap
    /// against a remote that keeps asking.
    static let maxCredentialRequests = 6

    let credentials: GitCredentials
    let location: RemoteLocation
    let logger: Logger?

    /// The error a callback decided on; reported instead of libgit2's generic "callback failed".
    private(set) var failure: GitError?
    /// How many refs the fetch created, moved or deleted.
    private(set) var updatedRefs = 0
    /// How many times libgit2 asked for credentials.
    private var credentialRequests = 0
    /// Whether the HTTPS user name and password were already offered.
    private var offeredUserPassword = false
    /// SSH methods not yet offered, in order.
    private var sshMethods: [SSHMethod]
    /// SSH methods already offered, for the error message.
    private var offeredSSHMethods: [String] = []

    /// One way to authenticate over SSH.
    private enum SSHMethod {
        case agent
        case keyFile(String)

        var label: String {
            switch self {
            case .agent: "ssh-agent"
            case .keyFile(let path): path
            }
        }
    }

    init(credentials: GitCredentials, location: RemoteLocation, logger: Logger?) {
        self.credentials = credentials
        self.location = location
        self.logger = logger
        var methods: [SSHMethod] = []
        let agentSocket = ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] ?? ""
        if credentials.useSSHAgent && !agentSocket.isEmpty { methods.append(.agent) }
        for file in credentials.sshKeyFiles where FileManager.default.isReadableFile(atPath: file) {
            methods.append(.keyFile(file))
        }
        self.sshMethods = methods
    }

    /// Fills libgit2's callback table with this session's callbacks and payload.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, _, usernameFromURL, allowedTypes, payload in
            guard let out, let payload else { return GIT_EUSER.rawValue }
            let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
            return session.acquireCredential(
                out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowedTypes: allowedTypes)
        }
        callbacks.certificate_check = { cert, _, host, payload in
            guard let payload else { return GIT_EUSER.rawValue }
            let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
            return session.checkCertificate(cert, host: host.map { String(cString: $0) })
        }
        callbacks.update_tips = { _, _, _, payload in
            guard let payload else { return 0 }
            Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue().updatedRefs += 1
            return 0
        }
        callbacks.transfer_progress = { _, payload in
            // P-G9: libgit2 1.5 has no network timeouts; a cancelled task is the way to stop a fetch.
            guard Task.isCancelled, let payload else { return 0 }
            let session = Unmanaged<FetchSession>.fromOpaque(payload).takeUnretainedValue()
            session.failure = GitError(
                code: .cancelled, message: "fetch of \(session.location.redacted) was cancelled")
            return -1
        }
    }

    /// Answers one credential request, or records why not and returns `GIT_EUSER`.
    private func acquireCredential(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, usernameFromURL: String?,
        allowedTypes: UInt32
    ) -> Int32 {
        credentialRequests += 1
        let remote = location.redacted
        guard credentialRequests <= Self.maxCredentialRequests else {
            return fail(
                "remote \(remote) rejected the credentials offered \(Self.maxCredentialRequests) times; "
                    + "check the user name, password, token or SSH key it expects")
        }
        func allows(_ type: git_credential_t) -> Bool { allowedTypes & type.rawValue != 0 }
        let sshUser = usernameFromURL ?? credentials.username ?? "git"

        if allows(GIT_CREDENTIAL_SSH_KEY) {
            guard !sshMethods.isEmpty else {
                let offered = offeredSSHMethods.isEmpty ? "none available" : offeredSSHMethods.joined(separator: ", ")
                return fail(
                    "ssh remote \(remote) did not accept user '\(sshUser)' with any key offered (\(offered)); "
                        + "load the deploy key into ssh-agent or put it at ~/.ssh/id_ed25519, and make sure the "
                        + "remote grants it access")
            }
            let method = sshMethods.removeFirst()
            offeredSSHMethods.append(method.label)
            logger?.debug(
                "offering ssh credentials",
                metadata: [
                    "git.remote": "\(remote)", "git.ssh.method": "\(method.label)", "git.ssh.user": "\(sshUser)",
                ])
            switch method {
            case .agent:
                return git_credential_ssh_key_from_agent(out, sshUser)
            case .keyFile(let path):
                let publicKey = path + ".pub"
                let hasPublicKey = FileManager.default.isReadableFile(atPath: publicKey)
                return git_credential_ssh_key_new(out, sshUser, hasPublicKey ? publicKey : nil, path, nil)
            }
        }
        if allows(GIT_CREDENTIAL_USERNAME) {
            return git_credential_username_new(out, sshUser)
        }
        if allows(GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
            guard !offeredUserPassword else {
                return fail(
                    "remote \(remote) rejected the user name and password; check WARDEN_GIT_USERNAME and "
                        + "WARDEN_GIT_PASSWORD or the token in WARDEN_GIT_TOKEN_FILE, and that it grants read access")
            }
            guard let pair = credentials.userPassword(usernameFromURL: usernameFromURL) else {
                return fail(
                    "remote \(remote) requires a user name and password; set WARDEN_GIT_USERNAME and "
                        + "WARDEN_GIT_PASSWORD, or WARDEN_GIT_TOKEN_FILE to a file holding a token")
            }
            offeredUserPassword = true
            logger?.debug(
                "offering https credentials", metadata: ["git.remote": "\(remote)", "git.user": "\(pair.username)"])
            return git_credential_userpass_plaintext_new(out, pair.username, pair.password)
        }
        return fail(
            "remote \(remote) asks for a kind of credential GitSource does not support (libgit2 types \(allowedTypes)); "
                + "use a user name and token over HTTPS, or an SSH key")
    }

    /// Lets libgit2 judge TLS certificates (against the CA bundle) and checks SSH host keys against
    /// `known_hosts`, which libgit2 1.5 does not do by itself.
    private func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>?, host: String?) -> Int32 {
        guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            return GIT_PASSTHROUGH.rawValue
        }
        let hostName = host ?? location.host ?? "?"
        if credentials.acceptAnySSHHostKey {
            logger?.warning(
                "accepting ssh host key without checking known_hosts", metadata: ["git.host": "\(hostName)"])
            return 0
        }
        let hostKey = UnsafeRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey,
            hostKey.hostkey_len > 0
        else {
            return failCertificate("ssh host \(hostName) sent no host key GitSource can check")
        }
        let key = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
        let files = credentials.knownHostsFiles.joined(separator: ", ")
        let name = KnownHosts.lookupName(host: hostName, port: location.port)
        switch KnownHosts(files: credentials.knownHostsFiles).verdict(host: hostName, port: location.port, key: key) {
        case .trusted:
            return 0
        case .revoked:
            return failCertificate("the ssh host key of \(name) is marked @revoked in \(files); refusing to connect")
        case .mismatch:
            return failCertificate(
                "the ssh host key of \(name) does not match the one in \(files): the server may be an impostor; "
                    + "if its key was really changed, remove the old line with `ssh-keygen -R '\(name)'` and add the new one"
            )
        case .unknown:
            let type = KnownHosts.keyType(ofWireKey: key) ?? "unknown"
            let scanType = type.hasPrefix("ecdsa") ? "ecdsa" : type.replacingOccurrences(of: "ssh-", with: "")
            let scanPort = location.port.map { $0 == 22 ? "" : "-p \($0) " } ?? ""
            return failCertificate(
                "ssh host \(name) is not in \(files) with its \(type) key; check the host's fingerprint, then add "
                    + "it, for example with `ssh-keyscan \(scanPort)-t \(scanType) \(hostName) >> ~/.ssh/known_hosts`")
        }
    }

    /// Records an authentication failure for the caller and aborts the libgit2 call.
    private func fail(_ message: String) -> Int32 {
        failure = GitError(code: .authentication, message: message)
        return GIT_EUSER.rawValue
    }

    /// Records a host-key failure for the caller and aborts the libgit2 call.
    private func failCertificate(_ message: String) -> Int32 {
        failure = GitError(code: .certificate, message: message)
        return GIT_ECERTIFICATE.rawValue
    }

    /// The ``GitError`` for a failed connect or fetch: the one a callback recorded, or one made from
    /// libgit2's failure in the words of this remote. Every failure to connect that is not about
    /// credentials or certificates means the remote could not be reached (no host, refused, no
    /// repository there); during the fetch itself only network-class failures do.
    func error(for failure: LibGit2Failure, connecting: Bool) -> GitError {
        let operation = connecting ? "connect to" : "fetch from"
        if let recorded = self.failure { return recorded }
        let remote = location.redacted
        let detail = location.scrub(failure.message)
        let networkClasses: Set<UInt32> = [
            GIT_ERROR_NET.rawValue, GIT_ERROR_SSH.rawValue, GIT_ERROR_HTTP.rawValue, GIT_ERROR_OS.rawValue,
        ]
        switch failure.status {
        case GIT_EAUTH.rawValue:
            return GitError(
                code: .authentication,
                message: "remote \(remote) refused to authenticate us (\(detail)); provide credentials "
                    + "(WARDEN_GIT_USERNAME/WARDEN_GIT_PASSWORD or an SSH key) that grant read access",
                libgit2Message: detail)
        case GIT_ECERTIFICATE.rawValue:
            return GitError(
                code: .certificate,
                message: "the TLS certificate of \(location.host ?? remote) could not be verified (\(detail)); "
                    + "check the host name and that its CA is in \(LibGit2Runtime.caBundlePath)",
                libgit2Message: detail)
        default:
            break
        }
        let networkClass = failure.errorClass >= 0 && networkClasses.contains(UInt32(failure.errorClass))
        if connecting || failure.isNotFound || networkClass {
            let hint =
                switch location.kind {
                case .localPath, .file: "check that the path exists and is a git repository"
                default: "check the URL, that the host is up and reachable from here, and that the repository exists"
                }
            return GitError(
                code: .unreachableRemote,
                message: "cannot \(operation) remote \(remote): \(detail); \(hint)",
                libgit2Message: detail)
        }
        return GitError(
            code: .libgit2(failure.status),
            message: "cannot \(operation) remote \(remote): \(detail)",
            libgit2Message: detail)
    }
}
