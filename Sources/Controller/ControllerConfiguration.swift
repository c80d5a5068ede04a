import DesiredState
import Executor
import Foundation
import Logging
import PostgresClient

/// The controller's configuration (`warden run --config controller/warden.yaml`, DESIGN.md §7).
///
/// Every key is documented in `controller/warden.yaml`. ``load(file:)`` reports every problem of the
/// file at once, each as one sentence naming the file, line, column and key. The description never
/// shows the database URL or a webhook URL, which may hold secrets.
public struct ControllerConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// The file the configuration was read from, as given (for messages).
    public var file: String
    public var source: Source
    public var database: Database
    public var reconcile: Reconcile
    public var http: HTTP
    public var notifications: Notifications
    public var log: Log
    /// Things that work but should be changed, such as a password written into the file.
    public var warnings: [String]

    public init(
        file: String, source: Source, database: Database = Database(), reconcile: Reconcile = Reconcile(),
        http: HTTP = HTTP(), notifications: Notifications = Notifications(), log: Log = Log(), warnings: [String] = []
    ) {
        self.file = file
        self.source = source
        self.database = database
        self.reconcile = reconcile
        self.http = http
        self.notifications = notifications
        self.log = log
        self.warnings = warnings
    }

    /// `source`: where the desired state comes from and how often to look.
    public struct Source: Sendable, Equatable {
        /// A local repository path or a URL (`https://`, `ssh://`, `file://`, `user@host:path`). A relative
        /// local path is resolved against the configuration file's folder.
        public var url: String
        /// The branch, tag or commit to follow.
        public var ref: String
        /// The folder inside the repository that holds `warehouse.yaml`.
        public var path: String
        /// How often to fetch the repository (`POST /api/v1/webhook/git` fetches at once).
        public var interval: Duration

        public init(url: String, ref: String = "main", path: String = "desired-state", interval: Duration = .seconds(30)) {
            self.url = url
            self.ref = ref
            self.path = path
            self.interval = interval
        }

        /// The desired state this source names.
        public var desiredState: DesiredStateSource { .repository(location: url, ref: ref, path: path) }
    }

    /// `database`: the warehouse. Optional: without `url`, `WARDEN_DATABASE_URL`, then libpq's own `PG*`
    /// variables, `~/.pgpass` and service files.
    public struct Database: Sendable, Equatable {
        /// A libpq connection string or URI; may hold a password, so it is never printed.
        public var url: String?

        public init(url: String? = nil) { self.url = url }

        /// The connection to use: `url`, else `WARDEN_DATABASE_URL`, else libpq's defaults.
        public func connection(
            environment: [String: String] = ProcessInfo.processInfo.environment, applicationName: String = SessionName(command: "run").description
        ) -> ConnectionConfiguration {
            var configuration = ConnectionConfiguration.resolve(url, environment: environment)
            configuration.applicationName = applicationName
            return configuration
        }
    }

    /// What a pass does with the drift it finds.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Plan and apply inside the windows.
        case apply
        /// Detect and report drift; never change the warehouse.
        case report
    }

    /// `reconcile`: what a pass does and how often the live catalog is re-read without a new commit.
    public struct Reconcile: Sendable, Equatable {
        public var mode: Mode
        /// Re-read the live catalog this often even without a new commit, to catch out-of-band drift.
        public var resync: Duration

        public init(mode: Mode = .apply, resync: Duration = .seconds(300)) {
            self.mode = mode
            self.resync = resync
        }
    }

    /// `http`: where the status server listens and the file holding the bearer token.
    public struct HTTP: Sendable, Equatable {
        /// The address to bind: an IPv4 or IPv6 address or a host name. `":9188"` binds every interface.
        public var host: String
        /// The port; 0 lets the system pick one.
        public var port: Int
        /// The file holding the bearer token of the mutating endpoints (`POST /api/v1/…`); a relative path
        /// is resolved against the configuration file's folder. Without it those endpoints are disabled.
        public var tokenFile: String?

        public init(host: String = "127.0.0.1", port: Int = 9188, tokenFile: String? = nil) {
            self.host = host
            self.port = port
            self.tokenFile = tokenFile
        }

        /// `host:port`, IPv6 addresses in brackets.
        public var listen: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// What a webhook can be told about.
    public enum Event: String, Sendable, Equatable, CaseIterable, Codable {
        /// A pass found drift (new or changed since the last notification).
        case drift
        /// Work is due but a window, a guard or a refusal holds it back.
        case blocked
        case applyStarted = "apply-started"
        case applySucceeded = "apply-succeeded"
        case applyFailed = "apply-failed"
    }

    /// One JSON webhook.
    public struct Webhook: Sendable, Equatable {
        /// The `http://` or `https://` URL to POST to; may hold a token (Slack, Teams), so it is never printed.
        public var url: String
        /// The events it receives; every event when the key is left out.
        public var events: [Event]

        public init(url: String, events: [Event] = Event.allCases) {
            self.url = url
            self.events = events
        }

        /// The URL for messages and logs: scheme and host only.
        public var redactedURL: String {
            guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host
            else { return "<webhook>" }
            return "\(scheme)://\(host)/…"
        }
    }

    /// `notifications`: webhooks and how hard to try each delivery.
    public struct Notifications: Sendable, Equatable {
        public var webhooks: [Webhook]
        /// How long one delivery may take.
        public var timeout: Duration
        /// How many times a failed delivery is tried again (with backoff) before it is dropped and logged.
        public var retries: Int

        public init(webhooks: [Webhook] = [], timeout: Duration = .seconds(5), retries: Int = 3) {
            self.webhooks = webhooks
            self.timeout = timeout
            self.retries = retries
        }
    }

    /// How log lines are written.
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        /// swift-log's default line format, for people.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    /// `log`: format and level of the controller's log.
    public struct Log: Sendable, Equatable {
        public var format: LogFormat
        public var level: Logger.Level

        public init(format: LogFormat = .text, level: Logger.Level = .info) {
            self.format = format
            self.level = level
        }
    }

    public var description: String {
        var lines = [
            "source: \(source.url) ref \(source.ref) path \(source.path) every \(Self.render(source.interval))",
            "database: " + (database.url == nil ? "WARDEN_DATABASE_URL or libpq's defaults"
                : ConnectionConfiguration(database.url ?? "").description),
            "reconcile: \(reconcile.mode.rawValue), resync every \(Self.render(reconcile.resync))",
            "http: \(http.listen)" + (http.tokenFile.map { ", token from \($0)" } ?? ", mutating endpoints disabled (no tokenFile)"),
            "notifications: \(notifications.webhooks.count) webhook\(notifications.webhooks.count == 1 ? "" : "s")"
                + notifications.webhooks.map { " \($0.redactedURL)" }.joined(separator: ","),
            "log: \(log.format.rawValue), \(log.level.rawValue)",
        ]
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }

    /// `30s`, `5m`, `1h30m`.
    static func render(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return DurationText.render(seconds: Int(seconds)) }
        return DurationText.render(milliseconds: Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
