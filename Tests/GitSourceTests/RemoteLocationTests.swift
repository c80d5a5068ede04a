import Foundation
import Testing

@testable import GitSource

@Suite("Remote URLs and cache folder names")
struct RemoteLocationTests {
    @Test("URL kinds, hosts and ports")
    func parsesURLs() {
        let https = RemoteLocation(url: "https://github.com/acme/warehouse.git")
        #expect(https.kind == .http)
        #expect(https.host == "github.com")
        #expect(https.port == nil)

        let ssh = RemoteLocation(url: "ssh://git@git.example.com:2222/acme/warehouse.git")
        #expect(ssh.kind == .ssh)
        #expect(ssh.host == "git.example.com")
        #expect(ssh.port == 2222)
        #expect(ssh.user == "git")

        let scp = RemoteLocation(url: "git@github.com:acme/warehouse.git")
        #expect(scp.kind == .ssh)
        #expect(scp.host == "github.com")
        #expect(scp.user == "git")
        #expect(scp.remotePath == "acme/warehouse.git")

        #expect(RemoteLocation(url: "file:///srv/git/x.git").kind == .file)
        let relative = RemoteLocation(url: "some/repo")
        #expect(relative.kind == .localPath)
        #expect(relative.url == FileManager.default.currentDirectoryPath + "/some/repo")
        #expect(RemoteLocation(url: "./a:b").kind == .localPath)
    }

    @Test("passwords are redacted and never part of the cache folder name")
    func redactsPasswords() {
        let location = RemoteLocation(url: "https://warden:hunter2@git.example.com/acme/warehouse.git")
        #expect(location.redacted == "https://warden:***@git.example.com/acme/warehouse.git")
        #expect(location.scrub("failed for hunter2") == "failed for ***")
        #expect(!location.cacheName.contains("hunter2"))
        #expect(!location.cacheName.contains("warden"))
        #expect(location.cacheName.hasPrefix("git.example.com-acme-warehouse-"))
        #expect(location.cacheName.hasSuffix(".git"))
    }

    @Test("different URLs get different folders; the same URL always the same one")
    func cacheNamesAreStable() {
        let a = RemoteLocation(url: "https://git.example.com/acme/warehouse.git").cacheName
        let b = RemoteLocation(url: "ssh://git@git.example.com/acme/warehouse.git").cacheName
        #expect(a != b)
        #expect(a == RemoteLocation(url: "https://git.example.com/acme/warehouse.git").cacheName)
        #expect(RemoteLocation.fnv1a64Hex("") == "cbf29ce484222325")
        #expect(RemoteLocation.fnv1a64Hex("a") == "af63dc4c8601ec8c")
        let weird = RemoteLocation(url: "/").cacheName
        #expect(weird.hasPrefix("repository-"))
    }
}
