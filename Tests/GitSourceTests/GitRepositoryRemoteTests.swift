import Foundation
import GitSource
import Testing

@Suite("Cloning and fetching remotes")
struct GitRepositoryRemoteTests {
    @Test("a file:// remote: clone, commit in the origin, fetch again, see the new commit")
    func fetchesNewCommits() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        try origin.write("desired-state/warden.yaml", "version: 1\n")
        let first = try origin.commitAll("v1")
        try origin.git(["tag", "-a", "v1", "-m", "v1"])
        let cache = fixture.root + "/cache"

        let mirror = try GitRepository.cloneOrFetch(url: origin.fileURL, into: cache)
        #expect(mirror.isBare)
        #expect(mirror.remoteURL == origin.fileURL)
        #expect(try mirror.resolve("main").id == first)
        #expect(try mirror.resolve("HEAD").id == first)
        #expect(try mirror.resolve("v1").id == first)
        #expect(try mirror.resolve("origin/main").id == first)

        try origin.write("desired-state/warden.yaml", "version: 2\n")
        try origin.write("desired-state/new.yaml", "new: true\n")
        let second = try origin.commitAll("v2")
        try origin.git(["branch", "dev"])

        try mirror.fetch()
        #expect(try mirror.resolve("main").id == second)
        #expect(try mirror.resolve("dev").id == second)
        let snapshot = try mirror.snapshot(ref: "main", path: "desired-state")
        #expect(snapshot.commit.id == second)
        #expect(snapshot.file(at: "desired-state/warden.yaml")?.text == "version: 2\n")
        #expect(snapshot.file(at: "desired-state/new.yaml")?.text == "new: true\n")

        // Deleted branches are pruned; a second cloneOrFetch reuses the same mirror folder.
        try origin.git(["branch", "-D", "dev"])
        let third = try origin.commitAll("v3")
        let reopened = try GitRepository.cloneOrFetch(url: origin.fileURL, into: cache)
        #expect(reopened.path == mirror.path)
        #expect(try reopened.resolve("main").id == third)
        let pruned = try #require(throws: GitError.self) { try reopened.resolve("dev") }
        #expect(pruned.code == .unknownRef)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache).count == 1)
    }

    @Test("a plain local path works as a remote, and the mirror folder name is readable")
    func localPathRemote() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("tenant-config")
        try origin.write("a.txt", "a\n")
        let commitID = try origin.commitAll("Initial")
        let mirror = try GitRepository.cloneOrFetch(url: origin.path, into: fixture.root + "/cache")
        #expect(try mirror.resolve("main").id == commitID)
        let folder = URL(fileURLWithPath: mirror.path).lastPathComponent
        #expect(folder.hasSuffix(".git"))
        #expect(folder.contains("tenant-config-"))
    }

    @Test("the mirror's HEAD follows the remote's default branch")
    func mirrorHeadFollowsTheRemote() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin", branch: "trunk")
        let commitID = try origin.commitAll("On trunk")
        let mirror = try GitRepository.cloneOrFetch(url: origin.fileURL, into: fixture.root + "/cache")
        #expect(try mirror.resolve("HEAD").id == commitID)
        #expect(try mirror.resolve("trunk").id == commitID)
        let error = try #require(throws: GitError.self) { try mirror.resolve("main") }
        #expect(error.message.contains("known branches: trunk"))
    }

    @Test("a cache folder that is not a repository (a crashed run) is replaced by a fresh clone")
    func brokenCacheFolderIsRecloned() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        let commitID = try origin.commitAll("Initial")
        let cache = fixture.root + "/cache"
        let first = try GitRepository.cloneOrFetch(url: origin.fileURL, into: cache)
        let mirrorPath = first.path
        try FileManager.default.removeItem(atPath: mirrorPath)
        try FileManager.default.createDirectory(atPath: mirrorPath + "/junk", withIntermediateDirectories: true)

        let second = try GitRepository.cloneOrFetch(url: origin.fileURL, into: cache)
        #expect(second.path == mirrorPath)
        #expect(try second.resolve("main").id == commitID)
    }

    @Test("an existing folder that is not a repository is .unreachableRemote")
    func plainFolderAsRemote() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let plain = fixture.root + "/plain"
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        for url in [plain, "file://" + plain] {
            let error = try #require(throws: GitError.self) {
                try GitRepository.cloneOrFetch(url: url, into: fixture.root + "/cache")
            }
            #expect(error.code == .unreachableRemote, "\(error.debugDescription)")
            #expect(error.message.contains(plain))
        }
    }

    @Test("openCached finds the last fetched mirror without contacting the remote")
    func openCachedMirror() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        let commitID = try origin.commitAll("Initial")
        let cache = fixture.root + "/cache"
        #expect(try GitRepository.openCached(url: origin.fileURL, in: cache) == nil)
        _ = try GitRepository.cloneOrFetch(url: origin.fileURL, into: cache)
        try FileManager.default.removeItem(atPath: origin.path)

        let cached = try #require(try GitRepository.openCached(url: origin.fileURL, in: cache))
        #expect(try cached.resolve("main").id == commitID)
        let error = try #require(throws: GitError.self) { try cached.fetch() }
        #expect(error.code == .unreachableRemote)
    }

    @Test("a repository opened in place cannot be fetched")
    func fetchNeedsAMirror() throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository()
        try origin.commitAll("Initial")
        let repository = try GitRepository.open(at: origin.path)
        let error = try #require(throws: GitError.self) { try repository.fetch() }
        #expect(error.code == .invalidArgument)
    }

    @Test(
        "an unreachable remote is .unreachableRemote naming the URL, and leaves no folder behind",
        arguments: ["file:///nonexistent/repo.git", "http://127.0.0.1:9/x.git", "/nonexistent/repo.git"])
    func unreachableRemote(url: String) throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let cache = fixture.root + "/cache"
        let error = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(url: url, into: cache, credentials: .none)
        }
        #expect(error.code == .unreachableRemote, "\(error.debugDescription)")
        #expect(error.message.contains(url))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).isEmpty)
    }

    @Test("a remote that asks for credentials, with none available, is .authentication")
    func missingCredentials() throws {
        let server = try UnauthorizedHTTPServer()
        defer { server.stop() }
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let url = "http://127.0.0.1:\(server.port)/acme/warehouse.git"
        let error = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(url: url, into: fixture.root + "/cache", credentials: .none)
        }
        #expect(error.code == .authentication, "\(error.debugDescription)")
        #expect(error.message.contains("requires a user name and password"))
        #expect(error.message.contains(url))
    }

    @Test("rejected credentials are offered once, then fail as .authentication without revealing the secret")
    func rejectedCredentials() throws {
        let server = try UnauthorizedHTTPServer()
        defer { server.stop() }
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let secret = "s3cret-token-never-shown"
        let error = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(
                url: "http://127.0.0.1:\(server.port)/acme/warehouse.git", into: fixture.root + "/cache",
                credentials: .usernamePassword("warden", secret))
        }
        #expect(error.code == .authentication, "\(error.debugDescription)")
        #expect(error.message.contains("rejected"))
        #expect(!"\(error) \(error.debugDescription)".contains(secret))
        let offered = server.authorizationHeaders.compactMap { $0 }
        let expected = "Basic " + Data("warden:\(secret)".utf8).base64EncodedString()
        #expect(offered == [expected])
        #expect(server.authorizationHeaders.count <= 3)
    }

    @Test("a password in the URL is never shown in messages or in remoteURL")
    func passwordInURLIsRedacted() throws {
        let server = try UnauthorizedHTTPServer()
        defer { server.stop() }
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let secret = "url-embedded-secret"
        let error = try #require(throws: GitError.self) {
            try GitRepository.cloneOrFetch(
                url: "http://warden:\(secret)@127.0.0.1:\(server.port)/x.git", into: fixture.root + "/cache",
                credentials: .none)
        }
        #expect(error.code == .authentication)
        #expect(!"\(error) \(error.debugDescription)".contains(secret))
        #expect(error.message.contains("warden:***@127.0.0.1"))
    }

    @Test("a fetch in a cancelled task stops with .cancelled")
    func cancelledFetch() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let origin = try fixture.makeRepository("origin")
        try origin.write("a.txt", "a\n")
        try origin.commitAll("Initial")
        let url = origin.fileURL
        let cache = fixture.root + "/cache"
        let task = Task { () throws -> GitRepository in
            withUnsafeCurrentTask { $0?.cancel() }
            return try GitRepository.cloneOrFetch(url: url, into: cache)
        }
        let error = await #expect(throws: GitError.self) { try await task.value }
        #expect(error?.code == .cancelled)
    }
}
