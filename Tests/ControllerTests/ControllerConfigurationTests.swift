import Controller
import Foundation
import TestSupport
import Testing

@Suite("controller configuration: warden.yaml")
struct ControllerConfigurationTests {
    /// Parses `yaml` as `warden.yaml`, expecting it to fail, and returns its problems.
    private func problems(_ yaml: String) throws -> [ConfigurationError.Problem] {
        let error = try #require(throws: ConfigurationError.self) {
            try ControllerConfiguration.parse(yaml, file: "warden.yaml")
        }
        return error.problems
    }

    @Test("a complete file gives every value, durations included")
    func completeFileParses() throws {
        let yaml = """
            source:
              url: https://git.example.com/data/schema.git
              ref: release
              path: warehouse
              interval: 1m30s
            database:
              url: "host=db.internal dbname=warehouse user=warden"
            reconcile:
              mode: report
              resync: 10m
            http:
              listen: "0.0.0.0:9200"
              tokenFile: /etc/warden/token
            notifications:
              webhooks:
                - url: https://hooks.example.com/warden
                  events: [drift, apply-failed]
                - url: http://alerts.internal/hook
              timeout: 2s
              retries: 5
            log:
              format: json
              level: debug
            """
        let configuration = try ControllerConfiguration.parse(yaml, file: "warden.yaml")
        #expect(configuration.source == .init(
            url: "https://git.example.com/data/schema.git", ref: "release", path: "warehouse", interval: .seconds(90)))
        #expect(configuration.database.url == "host=db.internal dbname=warehouse user=warden")
        #expect(configuration.reconcile == .init(mode: .report, resync: .seconds(600)))
        #expect(configuration.http == .init(host: "0.0.0.0", port: 9200, tokenFile: "/etc/warden/token"))
        #expect(configuration.notifications.webhooks == [
            .init(url: "https://hooks.example.com/warden", events: [.drift, .applyFailed]),
            .init(url: "http://alerts.internal/hook", events: ControllerConfiguration.Event.allCases),
        ])
        #expect(configuration.notifications.timeout == .seconds(2))
        #expect(configuration.notifications.retries == 5)
        #expect(configuration.log == .init(format: .json, level: .debug))
        #expect(configuration.warnings.isEmpty)
    }

    @Test("only source.url is required; everything else has the documented default")
    func defaults() throws {
        let configuration = try ControllerConfiguration.parse("source: { url: https://git.example.com/s.git }", file: "warden.yaml")
        #expect(configuration.source.ref == "main")
        #expect(configuration.source.path == "desired-state")
        #expect(configuration.source.interval == .seconds(30))
        #expect(configuration.database.url == nil)
        #expect(configuration.reconcile == .init(mode: .apply, resync: .seconds(300)))
        #expect(configuration.http == .init(host: "127.0.0.1", port: 9188, tokenFile: nil))
        #expect(configuration.notifications == .init(webhooks: [], timeout: .seconds(5), retries: 3))
        #expect(configuration.log == .init(format: .text, level: .info))
    }

    @Test("the shipped controller/warden.yaml is valid")
    func shippedExampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try ControllerConfiguration.load(file: root.appendingPathComponent("controller/warden.yaml").path)
        #expect(configuration.http.tokenFile == "/etc/warden/token")
        #expect(configuration.warnings.isEmpty)
    }

    @Test(
        "durations are written as in the schema repository",
        arguments: [("30s", 30), ("5m", 300), ("1h", 3_600), ("1h30m", 5_400), ("2d", 172_800)])
    func durations(text: String, seconds: Int) throws {
        let configuration = try ControllerConfiguration.parse(
            "source: { url: /srv/schema, interval: \(text) }", file: "warden.yaml")
        #expect(configuration.source.interval == .seconds(seconds))
    }

    @Test(
        "each bad value gives one sentence at its line naming the key and the fix",
        arguments: [
            ("source: { url: /srv/s, interval: 30x }", 1, "source.interval", "source.interval '30x' has the unknown unit 'x'"),
            ("source: { url: /srv/s, interval: 30 }", 1, "source.interval", "source.interval '30' needs a unit"),
            ("source: { url: /srv/s, interval: 0s }", 1, "source.interval", "is shorter than 1s"),
            ("source: { url: /srv/s }\nreconcile:\n  mode: fix", 3, "reconcile.mode", "reconcile.mode 'fix' is not one of apply, report"),
            ("source: { url: /srv/s }\nreconcile:\n  mode: reprot", 3, "reconcile.mode", "did you mean 'report'?"),
            ("source: { url: /srv/s }\nhttp:\n  listen: 9188", 3, "http.listen", "http.listen '9188' has no port"),
            ("source: { url: /srv/s }\nhttp:\n  listen: '::1:9188'", 3, "http.listen", "is an IPv6 address without brackets"),
            ("source: { url: /srv/s }\nhttp:\n  listen: 'localhost:70000'", 3, "http.listen", "has no port from 0 to 65535"),
            ("source: { url: /srv/s }\nlog: { level: loud }", 2, "log.level", "log.level 'loud' is not one of trace, debug, info"),
            ("source: { url: /srv/s }\nnotifications:\n  retries: many", 3, "notifications.retries", "is not a whole number from 0 to 10"),
            (
                "source: { url: /srv/s }\nnotifications:\n  webhooks:\n    - url: ftp://example.com/x", 4,
                "notifications.webhooks[0].url", "is not an http:// or https:// URL"
            ),
            (
                "source: { url: /srv/s }\nnotifications:\n  webhooks:\n    - url: https://h.example.com/x\n      events: [drift, aply-failed]",
                5, "notifications.webhooks[0].events[1]", "did you mean 'apply-failed'?"
            ),
            ("source:\n  ref: main", 2, "source.url", "source has no url"),
            ("reconcile: { mode: apply }", 1, "source", "the configuration has no source"),
            ("source: [a, b]", 1, "source", "source must be a mapping"),
            ("source: { url: /srv/s }\ndatabase:\n  url: 'host=db port'", 3, "database.url", "database.url does not parse"),
        ])
    func badValue(yaml: String, line: Int, key: String, fragment: String) throws {
        let found = try problems(yaml)
        #expect(found.count == 1, "\(found)")
        let problem = try #require(found.first)
        #expect(problem.line == line, "\(problem)")
        #expect(problem.key == key, "\(problem)")
        #expect(problem.message.contains(fragment), "\(problem.message)")
        #expect(problem.description.hasPrefix("warden.yaml:\(line):"), "\(problem.description)")
        // One sentence: a statement, a semicolon, and what to do; no line breaks.
        #expect(!problem.message.contains("\n"))
    }

    @Test("an unknown key is rejected with the closest known key")
    func unknownKeySuggestsTheClosest() throws {
        let found = try problems("""
            source:
              url: /srv/schema
              intervall: 30s
            reconcile: { mode: apply }
            """)
        #expect(found.count == 1)
        #expect(found.first?.line == 3)
        #expect(found.first?.key == "source.intervall")
        #expect(found.first?.message == "unknown key 'intervall' in source; did you mean 'interval'?")

        let top = try problems("source: { url: /srv/s }\nnotification: {}")
        #expect(top.first?.message == "unknown key 'notification' at the top level; did you mean 'notifications'?")

        let far = try problems("source: { url: /srv/s }\ncolour: blue")
        #expect(far.first?.message.contains("remove it (allowed keys: source, database, reconcile, http, notifications, log)") == true)
    }

    @Test("every problem of a file is reported at once")
    func allProblemsAtOnce() throws {
        let found = try problems("""
            source:
              url: /srv/schema
              interval: soon
            reconcile:
              mode: sometimes
            log:
              format: xml
            """)
        #expect(found.map(\.line) == [3, 5, 7])
    }

    @Test("YAML syntax errors and repeated keys name their line")
    func syntaxErrors() throws {
        let syntax = try problems("source:\n  url: [unclosed\nhttp: {}")
        #expect(syntax.count == 1)
        #expect(syntax.first?.message.hasPrefix("invalid YAML") == true)

        let repeated = try problems("source:\n  url: /a\n  url: /b")
        #expect(repeated.first?.message == "key 'url' appears more than once in the same mapping; keep one of them")

        let empty = try problems("# nothing\n")
        #expect(empty.first?.message.contains("the configuration is empty") == true)
    }

    @Test("a password in database.url is accepted with a warning and never shown")
    func passwordIsNeverShown() throws {
        let configuration = try ControllerConfiguration.parse(
            "source: { url: /srv/s }\ndatabase:\n  url: postgresql://warden:hunter2secret@db.internal/warehouse",
            file: "warden.yaml")
        #expect(configuration.warnings.count == 1)
        #expect(configuration.warnings.first?.contains("holds a password") == true)
        #expect(!configuration.description.contains("hunter2secret"))
        #expect(configuration.description.contains("warden@db.internal"))

        let broken = try problems("source: { url: /srv/s }\ndatabase:\n  url: \"password='hunter2secret host=db\"")
        #expect(!broken.description.contains("hunter2secret"), "\(broken)")
    }

    @Test("the database falls back to WARDEN_DATABASE_URL, then libpq's defaults")
    func databaseFallback() throws {
        let none = try ControllerConfiguration.parse("source: { url: /srv/s }", file: "warden.yaml")
        #expect(none.database.connection(environment: ["WARDEN_DATABASE_URL": "dbname=fromenv"]).connectionString == "dbname=fromenv")
        #expect(none.database.connection(environment: [:]).connectionString == "")
        let explicit = try ControllerConfiguration.parse("source: { url: /srv/s }\ndatabase: { url: dbname=file }", file: "w.yaml")
        #expect(explicit.database.connection(environment: ["WARDEN_DATABASE_URL": "dbname=fromenv"]).connectionString == "dbname=file")
    }

    @Test("relative local paths are resolved against the configuration's folder; URLs are kept")
    func relativePaths() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path + "/warden.yaml"
        try "source: { url: ../schema }\nhttp: { tokenFile: secrets/token }\n".write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try ControllerConfiguration.load(file: file)
        let parent = URL(fileURLWithPath: folder.path).deletingLastPathComponent().standardizedFileURL.path
        #expect(configuration.source.url == parent + "/schema")
        #expect(configuration.http.tokenFile == URL(fileURLWithPath: folder.path).standardizedFileURL.path + "/secrets/token")

        let remote = try ControllerConfiguration.parse("source: { url: git@git.example.com:data/schema.git }", file: "w.yaml",
                                                       baseDirectory: "/etc/warden")
        #expect(remote.source.url == "git@git.example.com:data/schema.git")
    }

    @Test("a missing configuration file says how to point at one")
    func missingFile() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ControllerConfiguration.load(file: "/nonexistent/warden.yaml")
        }
        #expect(error.description.contains("/nonexistent/warden.yaml does not exist; pass --config"))
    }
}

@Suite("controller configuration: the token file")
struct TokenFileTests {
    private func write(_ contents: String, mode: Int, in folder: TemporaryFolder) throws -> String {
        let path = folder.path + "/token"
        try contents.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("the token is read and trimmed")
    func tokenIsTrimmed() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try write("  s3cr3t-token-value\n", mode: 0o600, in: folder)
        var configuration = try ControllerConfiguration.parse("source: { url: /srv/s }", file: "warden.yaml")
        #expect(try configuration.readToken() == nil)
        configuration.http.tokenFile = path
        #expect(try configuration.readToken() == "s3cr3t-token-value")
    }

    @Test("a missing token file names the file and how to create it")
    func missingTokenFile() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ControllerConfiguration.readToken(at: "/nonexistent/warden-token")
        }
        #expect(error.description.contains("the token file /nonexistent/warden-token (http.tokenFile) does not exist"))
        #expect(error.description.contains("openssl rand -hex 32 > /nonexistent/warden-token && chmod 600 /nonexistent/warden-token"))
    }

    @Test("an empty token file is refused")
    func emptyTokenFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try write(" \n\n", mode: 0o600, in: folder)
        let error = try #require(throws: ConfigurationError.self) { try ControllerConfiguration.readToken(at: path) }
        #expect(error.description.contains("\(path) (http.tokenFile) is empty; write a random secret into it"))
    }

    @Test("a token file every user can read is refused with the chmod that fixes it")
    func worldReadableTokenFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try write("s3cr3t-token-value", mode: 0o644, in: folder)
        let error = try #require(throws: ConfigurationError.self) { try ControllerConfiguration.readToken(at: path) }
        #expect(error.description.contains("is readable or writable by every user (mode 0644); restrict it: chmod 600 \(path)"))
    }

    @Test("a token behind a symbolic link (a Kubernetes secret volume) is judged by the file it points to")
    func symlinkFollowsTarget() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let target = try write("s3cr3t-token-value", mode: 0o400, in: folder)
        let link = folder.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(try ControllerConfiguration.readToken(at: link) == "s3cr3t-token-value")
    }

    @Test("a token file with two tokens is refused")
    func twoTokens() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try write("one\ntwo\n", mode: 0o600, in: folder)
        let error = try #require(throws: ConfigurationError.self) { try ControllerConfiguration.readToken(at: path) }
        #expect(error.description.contains("holds spaces or several lines"))
    }
}
