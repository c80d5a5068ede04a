import Foundation
import GitSource
import Testing

@Suite("Reading files as committed")
struct GitRepositorySnapshotTests {
    @Test("committed content wins over work-tree edits, staged edits, deletions and untracked files")
    func snapshotIgnoresTheWorkTree() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/warden.yaml", "version: 1\n")
        try origin.write("desired-state/templates/daily.yaml", "name: daily\n")
        try origin.write("desired-state/templates/deep/nested.sql", "select 1;\n")
        try origin.write("desired-state/staged.yaml", "staged: no\n")
        try origin.write("README.md", "# readme\n")
        let commitID = try origin.commitAll("Add desired state")

        try origin.write("desired-state/warden.yaml", "version: 2 # uncommitted\n")
        try origin.write("desired-state/staged.yaml", "staged: yes\n")
        try origin.git(["add", "desired-state/staged.yaml"])
        try origin.write("desired-state/untracked.yaml", "untracked: true\n")
        try origin.delete("desired-state/templates/daily.yaml")

        let repository = try GitRepository.open(at: origin.path)
        let snapshot = try repository.snapshot(ref: "main", path: "desired-state")

        #expect(snapshot.commit.id == commitID)
        #expect(snapshot.path == "desired-state")
        #expect(
            snapshot.files.map(\.path) == [
                "desired-state/staged.yaml",
                "desired-state/templates/daily.yaml",
                "desired-state/templates/deep/nested.sql",
                "desired-state/warden.yaml",
            ])
        #expect(snapshot.file(at: "desired-state/warden.yaml")?.text == "version: 1\n")
        #expect(snapshot.file(at: "desired-state/staged.yaml")?.text == "staged: no\n")
        #expect(snapshot.file(at: "desired-state/templates/daily.yaml")?.text == "name: daily\n")
        #expect(snapshot.file(at: "desired-state/untracked.yaml") == nil)
    }

    @Test("the whole tree, a single file, exact bytes, and what is left out", arguments: ["", ".", "/", "./"])
    func wholeTreeAndFileKinds(root: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("a.txt", "a\r\n")
        try origin.write("bin/tool.sh", "#!/bin/sh\n")
        try origin.write("data/blob.bin", bytes: [0xff, 0xfe, 0x00, 0x01])
        try origin.write("data/empty.txt", "")
        try origin.git(["update-index", "--add", "--chmod=+x", "bin/tool.sh"])
        try FileManager.default.createSymbolicLink(atPath: origin.path + "/link.txt", withDestinationPath: "a.txt")
        try origin.commitAll("Files of several kinds")

        let repository = try GitRepository.open(at: origin.path)
        let snapshot = try repository.snapshot(ref: "HEAD", path: root)

        #expect(snapshot.path == "")
        #expect(snapshot.files.map(\.path) == ["a.txt", "bin/tool.sh", "data/blob.bin", "data/empty.txt"])
        #expect(snapshot.file(at: "a.txt")?.contents == Array("a\r\n".utf8))
        #expect(snapshot.file(at: "data/blob.bin")?.contents == [0xff, 0xfe, 0x00, 0x01])
        #expect(snapshot.file(at: "data/blob.bin")?.text == nil)
        #expect(snapshot.file(at: "data/empty.txt")?.text == "")
        // The link is never followed, and never silently absent: it is listed with its target.
        #expect(snapshot.skipped == ["link.txt": "a symbolic link to 'a.txt'"])

        let single = try repository.snapshot(ref: "main", path: "./data/blob.bin")
        #expect(single.files.map(\.path) == ["data/blob.bin"])
    }

    @Test("a missing path is .pathNotFound naming the path and the commit")
    func missingPath() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/warden.yaml", "version: 1\n")
        let commitID = try origin.commitAll("Initial")
        try origin.write("desired-state-uncommitted/x.yaml", "x: 1\n")

        let repository = try GitRepository.open(at: origin.path)
        for path in ["desired-stat", "desired-state-uncommitted", "desired-state/missing.yaml"] {
            let error = try #require(throws: GitError.self) {
                try repository.snapshot(ref: "main", path: path)
            }
            #expect(error.code == .pathNotFound)
            #expect(error.message.contains("'\(path)'"))
            #expect(error.message.contains(String(commitID.prefix(7))))
        }
        let escape = try #require(throws: GitError.self) { try repository.snapshot(ref: "main", path: "../x") }
        #expect(escape.code == .invalidArgument)
    }

    @Test("file(at:path:) reads one committed file, nil when absent")
    func singleFile() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/warden.yaml", "version: 1\n")
        let first = try origin.commitAll("v1")
        try origin.write("desired-state/warden.yaml", "version: 2\n")
        try origin.commitAll("v2")
        try origin.write("desired-state/warden.yaml", "version: 3 # dirty\n")

        let repository = try GitRepository.open(at: origin.path)
        #expect(try repository.file(at: "main", path: "desired-state/warden.yaml")?.text == "version: 2\n")
        #expect(try repository.file(at: first, path: "desired-state/warden.yaml")?.text == "version: 1\n")
        #expect(try repository.file(at: "main", path: "desired-state/nope.yaml") == nil)
        let folder = try #require(throws: GitError.self) {
            try repository.file(at: "main", path: "desired-state")
        }
        #expect(folder.code == .invalidArgument)
    }
}
