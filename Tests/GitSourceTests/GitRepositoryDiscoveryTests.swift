import Foundation
import GitSource
import Testing

@Suite("Finding a repository from a sub-folder, and what is not committed")
struct GitRepositoryDiscoveryTests {
    @Test("discover(from:) opens the enclosing work tree from any of its sub-folders, as git does")
    func discoversUpwards() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/templates/a.yaml", "a: 1\n")
        try origin.commitAll("Initial")
        for folder in [origin.path, origin.path + "/desired-state", origin.path + "/desired-state/templates/"] {
            let repository = try GitRepository.discover(from: folder)
            #expect(repository.path == origin.path, "\(folder)")
            // Repository paths stay relative to the top folder.
            #expect(try repository.snapshot(ref: "main", path: "desired-state").files.map(\.path) == ["desired-state/templates/a.yaml"])
        }
    }

    @Test("a folder in no repository is .notARepository, and says what to do")
    func outsideAnyRepository() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let plain = fixture.root + "/plain/deeper"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        let error = try #require(throws: GitError.self) { try GitRepository.discover(from: plain) }
        #expect(error.code == .notARepository)
        #expect(error.message.contains("\(plain) is not in a git repository"))
    }

    @Test("uncommitted changes under a folder: modified, staged, deleted and untracked files, nothing outside it")
    func uncommittedChangesUnderAFolder() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("desired-state/a.yaml", "a: 1\n")
        try origin.write("desired-state/b.yaml", "b: 1\n")
        try origin.write("desired-state/c.yaml", "c: 1\n")
        try origin.write("README.md", "hello\n")
        try origin.commitAll("Initial")
        let repository = try GitRepository.open(at: origin.path)
        #expect(try repository.uncommittedChanges(under: "desired-state") == [])

        try origin.write("README.md", "changed\n")
        try origin.write("desired-state-old/x.yaml", "x: 1\n")
        #expect(try repository.uncommittedChanges(under: "desired-state") == [], "a sibling folder with the same prefix is not under it")

        try origin.write("desired-state/a.yaml", "a: 2\n")
        try origin.write("desired-state/b.yaml", "b: 2\n")
        _ = try origin.git(["add", "desired-state/b.yaml"])
        try origin.delete("desired-state/c.yaml")
        try origin.write("desired-state/new/d.yaml", "d: 1\n")
        #expect(try repository.uncommittedChanges(under: "desired-state/") == [
            "desired-state/a.yaml", "desired-state/b.yaml", "desired-state/c.yaml", "desired-state/new/d.yaml",
        ])
    }
}
