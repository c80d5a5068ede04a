import DesiredState
import Foundation
import Testing

/// Reading a plain folder (`--dir`): every regular file, relative paths, no hidden entries, and links
/// never followed but listed, so the loader can say what it skipped.
@Suite struct FolderSourceTests {
    @Test func aFolderIsReadAsRelativeSortedFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warden-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("desired-state/templates"), withIntermediateDirectories: true)
        try manager.createDirectory(at: folder.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try Data("w".utf8).write(to: folder.appendingPathComponent("desired-state/warehouse.yaml"))
        try Data([0xff, 0x00]).write(to: folder.appendingPathComponent("desired-state/templates/a.sql"))
        try Data("x".utf8).write(to: folder.appendingPathComponent("desired-state/templates/.a.yaml.swp"))
        try Data("x".utf8).write(to: folder.appendingPathComponent(".git/HEAD"))
        try manager.createSymbolicLink(
            at: folder.appendingPathComponent("desired-state/templates/link.yaml"),
            withDestinationURL: folder.appendingPathComponent("desired-state/warehouse.yaml"))

        let files = try DesiredStateLoader.files(inFolder: folder.path)
        #expect(files == [
            SourceFile(path: "desired-state/templates/a.sql", contents: [0xff, 0x00]),
            SourceFile(
                path: "desired-state/templates/link.yaml",
                notAFile: "a symbolic link to '\(folder.appendingPathComponent("desired-state/warehouse.yaml").path)'"),
            SourceFile(path: "desired-state/warehouse.yaml", text: "w"),
        ])
    }

    @Test func aMissingFolderIsAnError() {
        #expect(throws: DesiredStateError.self) {
            try DesiredStateLoader.files(inFolder: "/nonexistent/warden/\(UUID().uuidString)")
        }
    }
}
