import Foundation

extension DesiredStateLoader {
    /// Reads every regular file under a plain folder (the `--dir` case) into ``SourceFile``s whose paths
    /// are relative to that folder, sorted by path. The only I/O of the module.
    ///
    /// Like a `GitSnapshot`, it never follows symbolic links (each becomes an entry the loader reports);
    /// it also skips hidden entries (`.git`, editor
    /// swap files), which no schema repository needs. Load the result with the root relative to the
    /// folder: `desired-state` for a repository's top folder, `""` for the desired-state folder itself.
    public static func files(inFolder path: String) throws -> [SourceFile] {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DesiredStateError(
                code: .folderNotFound, path: path, message: "folder '\(path)' does not exist; check the path given to --dir")
        }
        var files: [SourceFile] = []
        try collect(folder: URL(fileURLWithPath: path, isDirectory: true), relative: "", into: &files, manager: manager)
        return files.sorted { $0.path < $1.path }
    }

    private static func collect(folder: URL, relative: String, into files: inout [SourceFile], manager: FileManager) throws {
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw DesiredStateError(
                code: .unreadable, path: folder.path,
                message: "folder '\(folder.path)' cannot be read (\(error.localizedDescription)); check its permissions")
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            let path = relative.isEmpty ? name : relative + "/" + name
            let attributes = try? manager.attributesOfItem(atPath: url.path)
            switch attributes?[.type] as? FileAttributeType {
            case .typeDirectory?:
                try collect(folder: url, relative: path, into: &files, manager: manager)
            case .typeRegular?:
                do {
                    files.append(SourceFile(path: path, contents: Array(try Data(contentsOf: url))))
                } catch {
                    throw DesiredStateError(
                        code: .unreadable, path: url.path,
                        message: "file '\(url.path)' cannot be read (\(error.localizedDescription)); check its permissions")
                }
            case .typeSymbolicLink?:
                let target = (try? manager.destinationOfSymbolicLink(atPath: url.path)) ?? "?"
                files.append(SourceFile(path: path, notAFile: "a symbolic link to '\(target)'"))
            default:
                continue
            }
        }
    }
}
