import DesiredState
import Foundation
import Logging
import PostgresClient
import Yams

extension ControllerConfiguration {
    /// The keys of each mapping, as `controller/warden.yaml` documents them.
    static let topKeys = ["source", "database", "reconcile", "http", "notifications", "log"]
    static let sourceKeys = ["url", "ref", "path", "interval"]
    static let databaseKeys = ["url"]
    static let reconcileKeys = ["mode", "resync"]
    static let httpKeys = ["listen", "tokenFile"]
    static let notificationKeys = ["webhooks", "timeout", "retries"]
    static let webhookKeys = ["url", "events"]
    static let logKeys = ["format", "level"]

    /// Reads and checks the configuration file at `path`.
    ///
    /// Relative paths inside it (a local `source.url`, `http.tokenFile`) are resolved against the file's
    /// folder, so the configuration means the same whatever the working directory.
    /// - Throws: ``ConfigurationError`` with every problem found.
    public static func load(file path: String) throws -> ControllerConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            let message = exists
                ? "the configuration file \(path) cannot be read by this user; make it readable (chmod 640, owned by warden's group)"
                : "the configuration file \(path) does not exist; pass --config with the path of warden.yaml (controller/warden.yaml is an example)"
            throw ConfigurationError(problems: [.init(file: path, line: 1, column: 1, key: "", message: message)])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(problems: [.init(
                file: path, line: 1, column: 1, key: "",
                message: "the configuration file \(path) is not UTF-8 text; save it as UTF-8")])
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, file: path, baseDirectory: folder)
    }

    /// Parses configuration text; `file` names it in messages, `baseDirectory` (if any) anchors relative paths.
    /// - Throws: ``ConfigurationError`` with every problem found.
    public static func parse(_ text: String, file: String, baseDirectory: String? = nil) throws -> ControllerConfiguration {
        var reader = ConfigurationReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let key = duplicates.first.map(MessageText.quoted) ?? "a key"
            throw ConfigurationError(problems: [.init(
                file: file, line: context.mark.line, column: context.mark.column, key: duplicates.first ?? "",
                message: "key \(key) appears more than once in the same mapping; keep one of them")])
        } catch let error as YamlError {
            throw ConfigurationError(problems: [syntaxProblem(error, file: file)])
        } catch {
            throw ConfigurationError(problems: [.init(
                file: file, line: 1, column: 1, key: "", message: "the file cannot be read as YAML (\(error)); fix its syntax")])
        }
        guard let root, !ConfigurationReader.isNull(root) else {
            throw ConfigurationError(problems: [.init(
                file: file, line: 1, column: 1, key: "",
                message: "the configuration is empty; it needs at least source.url (see controller/warden.yaml)")])
        }
        guard let top = reader.mapping(root, path: "", allowed: topKeys) else {
            throw ConfigurationError(problems: reader.problems)
        }
        var configuration = ControllerConfiguration(file: file, source: Source(url: ""))
        if let entry = reader.value("source", in: top) {
            if let source = readSource(entry.value, baseDirectory: baseDirectory, reader: &reader) {
                configuration.source = source
            }
        } else {
            reader.problem(
                "the configuration has no source; add source: { url: <repository>, ref: main, path: desired-state }",
                key: "source", at: nil)
        }
        if let entry = reader.value("database", in: top) {
            configuration.database = readDatabase(entry.value, reader: &reader, warnings: &configuration.warnings)
        }
        if let entry = reader.value("reconcile", in: top) {
            configuration.reconcile = readReconcile(entry.value, reader: &reader)
        }
        if let entry = reader.value("http", in: top) {
            configuration.http = readHTTP(entry.value, baseDirectory: baseDirectory, reader: &reader)
        }
        if let entry = reader.value("notifications", in: top) {
            configuration.notifications = readNotifications(entry.value, reader: &reader)
        }
        if let entry = reader.value("log", in: top) {
            configuration.log = readLog(entry.value, reader: &reader)
        }
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
        return configuration
    }

    private static func readSource(_ node: Node, baseDirectory: String?, reader: inout ConfigurationReader) -> Source? {
        guard let entries = reader.mapping(node, path: "source", allowed: sourceKeys) else { return nil }
        var source = Source(url: "")
        if let entry = reader.value("url", in: entries), let url = reader.string(entry, path: "source.url") {
            if url.trimmingCharacters(in: .whitespaces).isEmpty {
                reader.problem("source.url is empty; give the repository to follow, e.g. https://git.example.com/data/schema.git",
                               key: "source.url", at: entry.value)
            } else {
                source.url = resolve(url, against: baseDirectory, unlessRemote: true)
            }
        } else {
            reader.problem("source has no url; add the repository to follow, e.g. url: https://git.example.com/data/schema.git",
                           key: "source.url", at: node)
        }
        if let entry = reader.value("ref", in: entries), let ref = reader.string(entry, path: "source.ref") {
            if ref.isEmpty || ref.contains(where: \.isWhitespace) {
                reader.problem("source.ref \(MessageText.quoted(ref)) is not a branch, tag or commit; write one such as main",
                               key: "source.ref", at: entry.value)
            } else {
                source.ref = ref
            }
        }
        if let entry = reader.value("path", in: entries), let path = reader.string(entry, path: "source.path") {
            source.path = path
        }
        if let entry = reader.value("interval", in: entries),
           let interval = reader.duration(entry, path: "source.interval", example: "30s") {
            source.interval = interval
        }
        return source
    }

    private static func readDatabase(_ node: Node, reader: inout ConfigurationReader, warnings: inout [String]) -> Database {
        guard let entries = reader.mapping(node, path: "database", allowed: databaseKeys) else { return Database() }
        guard let entry = reader.value("url", in: entries), let url = reader.string(entry, path: "database.url") else {
            return Database()
        }
        let connection = ConnectionConfiguration(url)
        do {
            _ = try connection.parsedOptions()
        } catch let error as PostgresError {
            // The message is already redacted of the password.
            reader.problem("database.url does not parse (\(error.message)); write it as 'host=… dbname=… user=…' "
                + "or 'postgresql://user@host:port/dbname'", key: "database.url", at: entry.value)
            return Database()
        } catch {
            reader.problem("database.url does not parse; write it as 'host=… dbname=… user=…' or 'postgresql://user@host:port/dbname'",
                           key: "database.url", at: entry.value)
            return Database()
        }
        if connection.containsPassword {
            warnings.append("database.url (line \(entry.value.mark?.line ?? 1)) holds a password; move it to ~/.pgpass, "
                + "a service file or WARDEN_DATABASE_URL from a secret so it is not in a file people read")
        }
        return Database(url: url)
    }

    private static func readReconcile(_ node: Node, reader: inout ConfigurationReader) -> Reconcile {
        var reconcile = Reconcile()
        guard let entries = reader.mapping(node, path: "reconcile", allowed: reconcileKeys) else { return reconcile }
        if let entry = reader.value("mode", in: entries), let mode = reader.choice(entry, path: "reconcile.mode", as: Mode.self) {
            reconcile.mode = mode
        }
        if let entry = reader.value("resync", in: entries),
           let resync = reader.duration(entry, path: "reconcile.resync", example: "5m") {
            reconcile.resync = resync
        }
        return reconcile
    }

    private static func readHTTP(_ node: Node, baseDirectory: String?, reader: inout ConfigurationReader) -> HTTP {
        var http = HTTP()
        guard let entries = reader.mapping(node, path: "http", allowed: httpKeys) else { return http }
        if let entry = reader.value("listen", in: entries), let listen = reader.string(entry, path: "http.listen") {
            switch parseListen(listen) {
            case .success(let address):
                http.host = address.host
                http.port = address.port
            case .failure(let problem):
                reader.problem("http.listen \(MessageText.quoted(listen)) \(problem.reason); write it as host:port, "
                    + "e.g. 127.0.0.1:9188, :9188 for every interface or [::1]:9188", key: "http.listen", at: entry.value)
            }
        }
        if let entry = reader.value("tokenFile", in: entries), let path = reader.string(entry, path: "http.tokenFile") {
            if path.isEmpty {
                reader.problem("http.tokenFile is empty; give the file holding the bearer token, e.g. /etc/warden/token",
                               key: "http.tokenFile", at: entry.value)
            } else {
                http.tokenFile = resolve(path, against: baseDirectory, unlessRemote: false)
            }
        }
        return http
    }

    private static func readNotifications(_ node: Node, reader: inout ConfigurationReader) -> Notifications {
        var notifications = Notifications()
        guard let entries = reader.mapping(node, path: "notifications", allowed: notificationKeys) else { return notifications }
        if let entry = reader.value("webhooks", in: entries),
           let items = reader.list(entry, path: "notifications.webhooks", example: "- { url: https://hooks.example.com/warden }") {
            for (index, item) in items.enumerated() {
                if let webhook = readWebhook(item, path: "notifications.webhooks[\(index)]", reader: &reader) {
                    notifications.webhooks.append(webhook)
                }
            }
        }
        if let entry = reader.value("timeout", in: entries),
           let timeout = reader.duration(entry, path: "notifications.timeout", example: "5s", minimum: .milliseconds(100)) {
            notifications.timeout = timeout
        }
        if let entry = reader.value("retries", in: entries),
           let retries = reader.integer(entry, path: "notifications.retries", in: 0...10) {
            notifications.retries = retries
        }
        return notifications
    }

    private static func readWebhook(_ node: Node, path: String, reader: inout ConfigurationReader) -> Webhook? {
        guard let entries = reader.mapping(node, path: path, allowed: webhookKeys) else { return nil }
        guard let entry = reader.value("url", in: entries) else {
            reader.problem("\(path) has no url; add the address to POST to, e.g. url: https://hooks.example.com/warden",
                           key: "\(path).url", at: node)
            return nil
        }
        guard let url = reader.string(entry, path: "\(path).url") else { return nil }
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              let host = components.host, !host.isEmpty
        else {
            // The URL may hold a token: show its start only.
            reader.problem("\(path).url \(MessageText.quoted(String(url.prefix(24)) + (url.count > 24 ? "…" : ""))) "
                + "is not an http:// or https:// URL; write one such as https://hooks.example.com/warden",
                key: "\(path).url", at: entry.value)
            return nil
        }
        var webhook = Webhook(url: url)
        if let eventsEntry = reader.value("events", in: entries),
           let items = reader.list(eventsEntry, path: "\(path).events", example: "[drift, blocked, apply-failed]") {
            var events: [Event] = []
            for (index, item) in items.enumerated() {
                let itemPath = "\(path).events[\(index)]"
                let itemEntry = ConfigurationReader.Entry(key: itemPath, keyNode: item, value: item)
                if let event = reader.choice(itemEntry, path: itemPath, as: Event.self), !events.contains(event) {
                    events.append(event)
                }
            }
            if items.isEmpty {
                reader.problem("\(path).events is an empty list, so the webhook would never be called; list some of "
                    + "\(Event.allCases.map(\.rawValue).joined(separator: ", ")) or leave events out for all",
                    key: "\(path).events", at: eventsEntry.value)
            }
            webhook.events = events
        }
        return webhook
    }

    private static func readLog(_ node: Node, reader: inout ConfigurationReader) -> Log {
        var log = Log()
        guard let entries = reader.mapping(node, path: "log", allowed: logKeys) else { return log }
        if let entry = reader.value("format", in: entries), let format = reader.choice(entry, path: "log.format", as: LogFormat.self) {
            log.format = format
        }
        if let entry = reader.value("level", in: entries), let level = reader.choice(entry, path: "log.level", as: Logger.Level.self) {
            log.level = level
        }
        return log
    }

    /// Why a listen address does not parse.
    struct ListenProblem: Error { var reason: String }

    /// `127.0.0.1:9188`, `:9188` (every interface), `[::1]:9188`, `localhost:9188`.
    static func parseListen(_ text: String) -> Result<(host: String, port: Int), ListenProblem> {
        let host: String
        let portText: String
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(.init(reason: "has no closing ']'")) }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return .failure(.init(reason: "has no port after the address")) }
            portText = String(rest.dropFirst())
        } else {
            guard let colon = text.lastIndex(of: ":") else { return .failure(.init(reason: "has no port")) }
            let written = String(text[..<colon])
            if written.contains(":") { return .failure(.init(reason: "is an IPv6 address without brackets")) }
            host = written.isEmpty ? "0.0.0.0" : written
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return .failure(.init(reason: "has no host")) }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            return .failure(.init(reason: "has no port from 0 to 65535"))
        }
        return .success((host, port))
    }

    /// A relative local path resolved against the configuration's folder; URLs and absolute paths as written.
    static func resolve(_ path: String, against base: String?, unlessRemote: Bool) -> String {
        guard let base, !path.hasPrefix("/"), !path.hasPrefix("~") else { return path }
        if unlessRemote && DesiredStateSource.isRemote(path) { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }

    /// A Yams syntax error at its mark.
    static func syntaxProblem(_ error: YamlError, file: String) -> ConfigurationError.Problem {
        let fix = "fix the syntax here (indentation, a missing ':' or an unclosed quote or bracket)"
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .init(file: file, line: mark.line, column: mark.column, key: "", message: "invalid YAML: \(problem); \(fix)")
        default:
            return .init(file: file, line: 1, column: 1, key: "", message: "the file cannot be read as YAML (\(error)); \(fix)")
        }
    }
}
