internal import CLibGit2
import Foundation

extension GitRepository {
    /// The files under `folder` (repository-relative) that differ from the last commit in the index or
    /// the work tree, untracked files included (ignored ones not): what a reader of the committed tree
    /// does not see. Empty for a bare repository.
    public func uncommittedChanges(under folder: String) throws(GitError) -> [String] {
        guard !isBare else { return [] }
        var prefix = folder
        while prefix.hasSuffix("/") { prefix.removeLast() }
        return try withHandle { handle throws(GitError) in
            var options = git_status_options()
            try check(git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)), "git_status_options_init")
            options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
            options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
            var list: OpaquePointer?
            let spec = strdup(prefix.isEmpty || prefix == "." ? "*" : prefix + "/")
            defer { free(spec) }
            var specs: [UnsafeMutablePointer<CChar>?] = [spec]
            try specs.withUnsafeMutableBufferPointer { buffer throws(GitError) in
                options.pathspec = git_strarray(strings: buffer.baseAddress, count: 1)
                try check(git_status_list_new(&list, handle, &options), "git_status_list_new")
            }
            guard let list else { return [] }
            defer { git_status_list_free(list) }
            var paths: [String] = []
            for index in 0..<git_status_list_entrycount(list) {
                guard let entry = git_status_byindex(list, index)?.pointee else { continue }
                let delta = entry.index_to_workdir ?? entry.head_to_index
                guard let delta, let path = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
                paths.append(String(cString: path))
            }
            return paths.sorted()
        }
    }
}
