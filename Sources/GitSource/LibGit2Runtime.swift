internal import CLibGit2

/// The process-wide libgit2 set-up: `git_libgit2_init` exactly once, never `git_libgit2_shutdown`.
///
/// A `static let` is initialised lazily, once, and thread-safely by the Swift runtime, so the first
/// GitSource call from any thread performs the set-up and every later one sees its result (P-G1).
/// libgit2 counts init/shutdown pairs and tears its global state down at the last shutdown, so a
/// long-running controller simply never shuts it down (P-G2).
enum LibGit2Runtime {
    /// The CA bundle handed to libgit2. Debian's libgit2 uses mbedTLS, which has no default CA store (P-G7).
    static let caBundlePath = "/etc/ssl/certs/ca-certificates.crt"

    /// The outcome of the one-time set-up, plus a warning when the CA bundle could not be set.
    private static let state: (result: Result<Void, GitError>, warning: String?) = {
        do throws(GitError) {
            try check(git_libgit2_init(), "git_libgit2_init")
        } catch {
            return (.failure(error), nil)
        }
        // Non-fatal: HTTPS to a public host then fails with a certificate error that says so.
        var warning: String?
        do throws(GitError) {
            try check(clibgit2_set_ssl_cert_file(caBundlePath), "git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS)")
        } catch {
            warning = "libgit2 did not accept the CA bundle \(caBundlePath): \(error.libgit2Message ?? error.message)"
        }
        // Owner validation (safe.directory) stays ON, libgit2's default: warden clones its own cache as the
        // user it runs as, and a checkout owned by another user is refused with a `.ownership` error that
        // tells the operator to run as the owner or add the folder to `safe.directory`.
        return (.success(()), warning)
    }()

    /// Initialises libgit2 if this is the first call in the process; throws if that failed.
    static func ensureInitialized() throws(GitError) {
        try state.result.get()
    }

    /// Why the CA bundle could not be configured, if it could not; worth one warning in the log.
    static var certificateWarning: String? { state.warning }
}
