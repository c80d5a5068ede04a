import WardenModel

/// What the tenants' own databases said before routine work (DESIGN.md §6b): which sources could not be
/// reached, and which due days their template's `readyWhen` probe holds back. Read by the controller's
/// and the CLI's probes; drift and the planner only take it in.
public struct SourceReadiness: Sendable, Hashable {
    /// Tenant schema → why its source could not be reached (the server's own words).
    public var unreachable: [String: String]
    /// Template → tenant → due day → the probe's answer (`false`, `null`, or `error: …`).
    public var waiting: [String: [String: [Day: String]]]

    public init(unreachable: [String: String] = [:], waiting: [String: [String: [Day: String]]] = [:]) {
        self.unreachable = unreachable
        self.waiting = waiting
    }

    /// Every source answered and every probe was true.
    public var allReady: Bool { unreachable.isEmpty && waiting.isEmpty }

    /// The days of `template` that `tenant` waits for.
    public func waitingDays(_ template: String, tenant: String) -> [Day: String] { waiting[template]?[tenant] ?? [:] }

    /// One sentence per unreachable tenant, naming its foreign server and the fix.
    public func unreachableSentences(_ settings: WarehouseSettings) -> [String] {
        unreachable.keys.sorted().map { schema in
            let server = settings.tenants.first { $0.schema == schema }?.connection ?? "\(schema)-prod"
            return "tenant \(schema): its source database cannot be reached through foreign server \(server) "
                + "(\(unreachable[schema]!)); its days wait while the other tenants' are built; fix the server's "
                + "host, port or user mapping (ALTER SERVER \(server) OPTIONS (SET …)) and the next pass builds them"
        }
    }
}
