internal import CLibGit2

/// A failed libgit2 call as libgit2 reported it: the status, the error class and its message.
///
/// Built only by ``check(_:_:map:)``, which reads `git_error_last()` in the same synchronous frame as
/// the failing call. libgit2 keeps the last error per thread and overwrites it on the next call, so
/// reading it later, or after an `await`, would report someone else's error (pitfall P-G3).
struct LibGit2Failure: Sendable {
    /// The `git_error_code` the call returned (negative).
    var status: Int32
    /// The `git_error_t` class of the error (`GIT_ERROR_NET`, `GIT_ERROR_SSH`, ...), or 0 if none was set.
    var errorClass: Int32
    /// libgit2's message, or a placeholder when it set none.
    var message: String
    /// The libgit2 function that failed.
    var function: String

    /// True for `GIT_ENOTFOUND`.
    var isNotFound: Bool { status == GIT_ENOTFOUND.rawValue }

    /// A generic ``GitError`` for a failure with no more specific meaning in its context.
    var genericError: GitError {
        let code: GitError.Code =
            switch status {
            case GIT_EAUTH.rawValue: .authentication
            case GIT_ECERTIFICATE.rawValue: .certificate
            case GIT_EOWNER.rawValue: .ownership
            default: .libgit2(status)
            }
        return GitError(code: code, message: "\(function) failed: \(message)", libgit2Message: message)
    }
}

/// The one checking helper for libgit2 calls.
///
/// Returns `status` when it is not negative. Otherwise reads `git_error_last()` at once, on this thread,
/// and throws the ``GitError`` that `map` makes from it, or ``LibGit2Failure/genericError`` when `map`
/// returns nil. `map` runs after the error has been copied, so it may call libgit2 again.
@discardableResult
func check(
    _ status: Int32,
    _ function: StaticString,
    map: (LibGit2Failure) -> GitError? = { _ in nil }
) throws(GitError) -> Int32 {
    guard status < 0 else { return status }
    let failure: LibGit2Failure
    if let last = git_error_last(), let text = last.pointee.message {
        failure = LibGit2Failure(
            status: status, errorClass: last.pointee.klass, message: String(cString: text), function: "\(function)")
    } else {
        failure = LibGit2Failure(
            status: status, errorClass: 0, message: "no further detail (status \(status))", function: "\(function)")
    }
    throw map(failure) ?? failure.genericError
}
