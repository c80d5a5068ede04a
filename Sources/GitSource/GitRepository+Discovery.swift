internal import CLibGit2
import Foundation

extension GitRepository {
    /// Opens the repository that contains `path`, searching upwards from it as git does: run from
    /// `desired-state/` of a clone, this opens the clone. ``path`` is then the repository's top folder,
    /// which repository paths (`--path desired-state`) are relative to.
    ///
    /// - Throws: ``GitError`` with ``GitError/Code/notARepository`` when neither the folder nor any
    ///   folder above it is a repository, ``GitError/Code/ownership`` when it belongs to another user.
    public static func discover(from path: String) throws(GitError) -> GitRepository {
        try open(path, flags: 0) { failure, absolute in
            guard failure.isNotFound && !failure.message.contains("safe.directory") else {
                return openError(failure, path: absolute)
            }
            return GitError(
                code: .notARepository,
                message: "\(absolute) is not in a git repository (neither it nor a folder above it has a .git folder); "
                    + "run warden in a clone of the schema repository, pass --repo with its path, or clone it first",
                libgit2Message: failure.message)
        }
    }
}
