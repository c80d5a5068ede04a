import Foundation
import GitSource
import Testing

@Suite("Resolving refs")
struct GitRepositoryResolveTests {
    @Test("branches, annotated and lightweight tags, full and abbreviated ids, HEAD, expressions")
    func resolvesEveryKindOfRef() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("a.txt", "1\n")
        let first = try origin.commitAll("First\n\nWith a body.")
        try origin.git(["tag", "-a", "v1.0", "-m", "Release 1.0"], time: 1_700_000_030)
        try origin.git(["tag", "light"])
        try origin.write("a.txt", "2\n")
        let second = try origin.commitAll("Second")
        try origin.git(["branch", "dev", first])

        let repository = try GitRepository.open(at: origin.path)
        #expect(try repository.resolve("main").id == second)
        #expect(try repository.resolve("HEAD").id == second)
        #expect(try repository.resolve("refs/heads/main").id == second)
        #expect(try repository.resolve("dev").id == first)
        #expect(try repository.resolve("v1.0").id == first)
        #expect(try repository.resolve("refs/tags/v1.0").id == first)
        #expect(try repository.resolve("light").id == first)
        #expect(try repository.resolve(first).id == first)
        #expect(try repository.resolve(String(first.prefix(7))).id == first)
        #expect(try repository.resolve(String(first.prefix(4))).id == first)
        #expect(try repository.resolve(first.uppercased()).id == first)
        #expect(try repository.resolve("main~1").id == first)

        let info = try repository.resolve("v1.0")
        #expect(info.authorName == "Ada Author")
        #expect(info.authorEmail == "ada@example.com")
        #expect(info.time == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(info.message == "First\n\nWith a body.")
        #expect(info.summary == "First")
        #expect(info.id.count == 40)
    }

    @Test("an unknown ref is .unknownRef naming the ref and the known branches")
    func unknownRef() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.commitAll("Initial")
        try origin.git(["branch", "dev"])

        let repository = try GitRepository.open(at: origin.path)
        for ref in ["mian", "refs/heads/mian", "v9.9", "deadbeef", "main~5"] {
            let error = try #require(throws: GitError.self) { try repository.resolve(ref) }
            #expect(error.code == .unknownRef, "\(ref): \(error)")
            #expect(error.message.contains("'\(ref)'"))
            #expect(error.message.contains("known branches: dev, main"))
            #expect(error.message.contains(repository.path))
        }
        let empty = try #require(throws: GitError.self) { try repository.resolve(" ") }
        #expect(empty.code == .invalidArgument)
        let snapshotError = try #require(throws: GitError.self) { try repository.snapshot(ref: "mian", path: "") }
        #expect(snapshotError.code == .unknownRef)
    }

    @Test("a tag of a tree is .notACommit; HEAD of an empty repository is .unknownRef")
    func refsThatLeadNowhere() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.write("a.txt", "1\n")
        try origin.commitAll("Initial")
        try origin.git(["tag", "tree-tag", "HEAD^{tree}"])
        let repository = try GitRepository.open(at: origin.path)
        let error = try #require(throws: GitError.self) { try repository.resolve("tree-tag") }
        #expect(error.code == .notACommit)

        let empty = try GitRepository.open(at: try fixture.makeRepository("empty").path)
        let unborn = try #require(throws: GitError.self) { try empty.resolve("HEAD") }
        #expect(unborn.code == .unknownRef)
        let noBranch = try #require(throws: GitError.self) { try empty.resolve("main") }
        #expect(noBranch.message.contains("no branches"))
    }

    @Test("in a clone made by git, a branch that exists only as origin/<name> resolves by its name")
    func remoteTrackingBranches() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        try origin.commitAll("Initial")
        try origin.git(["checkout", "-q", "-b", "feature"])
        let feature = try origin.commitAll("On feature")
        try origin.git(["checkout", "-q", "main"])
        let clone = TestRepository(path: fixture.root + "/clone", fixture: fixture)
        try origin.git(["clone", "-q", origin.path, clone.path])

        let repository = try GitRepository.open(at: clone.path)
        #expect(try repository.resolve("feature").id == feature)
        #expect(try repository.resolve("origin/feature").id == feature)
    }
}
