import Foundation

/// The `application_name` of every session warden opens, in the warehouse and, through dblink, in the
/// tenants' databases: `warden/apply pid=4978 run=42`.
///
/// It says which command and which process opened the session and, once the run has an id, which run it
/// works for. A writer that holds the apply lock is the only writer, so any session that names another
/// run belongs to a warden that went away (``DeadRunSessions``). A session in a tenant's database adds
/// `wh=` and the warehouse's key, so a warden never touches another warehouse's sessions there.
public struct SessionName: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "warden/"

    /// `apply`, `run` (the controller), `repair`, `drift`, …
    public var command: String
    public var processID: Int32
    public var runID: Int64?
    /// The warehouse's key (``DeadRunSessions/warehouseKey(_:)``), on sessions in tenants' databases.
    public var warehouse: String?

    public init(command: String, processID: Int32 = ProcessInfo.processInfo.processIdentifier, runID: Int64? = nil,
                warehouse: String? = nil) {
        self.command = command
        self.processID = processID
        self.runID = runID
        self.warehouse = warehouse
    }

    /// Reads a name this type wrote; `nil` for any other application name.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let words = text.dropFirst(Self.prefix.count).split(separator: " ")
        guard let first = words.first, !first.isEmpty else { return nil }
        var processID: Int32?
        var runID: Int64?
        var warehouse: String?
        for word in words.dropFirst() {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "pid": processID = Int32(pair[1])
            case "run": runID = Int64(pair[1])
            case "wh": warehouse = pair[1]
            default: break
            }
        }
        guard let processID else { return nil }
        self.init(command: String(first), processID: processID, runID: runID, warehouse: warehouse)
    }

    /// Whether an application name is a warden session's, including the plain `warden` and
    /// `warden-controller` of versions that did not name their runs.
    public static func isWarden(_ applicationName: String) -> Bool {
        SessionName(parsing: applicationName) != nil
            || ["warden", "warden-controller", "warden controller"].contains(applicationName)
    }

    /// The name of this process's sessions for run `runID`.
    public func with(run runID: Int64) -> SessionName {
        var copy = self
        copy.runID = runID
        return copy
    }

    /// The name of the same session's dblink sessions in tenants' databases.
    public func remote(warehouse: String) -> SessionName {
        var copy = self
        copy.warehouse = warehouse
        return copy
    }

    public var description: String {
        var text = Self.prefix + command + " pid=\(processID)"
        if let runID { text += " run=\(runID)" }
        if let warehouse { text += " wh=\(warehouse)" }
        return text
    }
}
