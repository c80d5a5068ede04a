import Foundation
import WardenModel
import Yams

/// Reads `warehouse.yaml` (kind `Warehouse`): time zone, first year, tenants, grants, windows, policy.
struct WarehouseReader {
    /// The keys of `warehouse.yaml`, in the order DESIGN.md §2 shows them.
    static let keys = [
        "apiVersion", "kind", "timeZone", "firstYear", "publicSchema", "tenantColumn", "owner", "tenants", "grants",
        "windows", "policy", "routine",
    ]
    static let tenantKeys = ["schema", "connection"]
    static let grantKeys = ["role", "on"]
    static let windowKeys = ["name", "kind", "schedule", "duration", "timeZone", "manualSync"]
    static let policyKeys = ["strategy", "prepareAhead", "allowDestructive", "parallelism", "lockTimeout"]
    static let routineKeys = ["buildAfter", "lookbackDays", "inDenyWindows"]

    /// The years a `firstYear` may name.
    static let plausibleYears = 1970...2999

    let document: YAMLDocument
    var file: String { document.file }

    /// The settings, or `nil` when the file cannot be read at all; invalid values are reported and
    /// replaced by defaults, so one bad value does not hide the others.
    static func read(_ source: SourceFile, diagnostics: inout DiagnosticList) -> WarehouseSettings? {
        guard let document = YAMLDocument.parse(source, diagnostics: &diagnostics) else { return nil }
        guard let root = document.root else {
            diagnostics.error(
                "warehouse.yaml is empty; declare apiVersion: warden/v1, kind: Warehouse, firstYear and tenants",
                file: source.path, at: .start)
            return nil
        }
        return WarehouseReader(document: document).read(root, diagnostics: &diagnostics)
    }

    private func mapping(_ node: Node, _ subject: String, _ diagnostics: inout DiagnosticList) -> MappingReader? {
        MappingReader(node, file: file, subject: subject, hiddenKeys: document.hiddenKeys, diagnostics: &diagnostics)
    }

    private func read(_ node: Node, diagnostics: inout DiagnosticList) -> WarehouseSettings? {
        guard let root = mapping(node, "warehouse.yaml", &diagnostics) else { return nil }
        root.rejectUnknownKeys(allowed: Self.keys, diagnostics: &diagnostics)
        DocumentHeader.check(root, kind: "Warehouse", diagnostics: &diagnostics)

        var settings = WarehouseSettings(firstYear: Self.plausibleYears.lowerBound, tenants: [])
        if let zone = root.string("timeZone", diagnostics: &diagnostics) {
            if TimeZone(identifier: zone.value) == nil {
                diagnostics.error(
                    "timeZone \(MessageText.quoted(zone.value)) of warehouse.yaml is not a known time zone; use an IANA name such as UTC or America/Chicago",
                    file: file, at: zone.node)
            }
            settings.timeZone = zone.value
        }
        if let year = root.int("firstYear", required: "firstYear: 2024", diagnostics: &diagnostics) {
            if Self.plausibleYears.contains(year.value) {
                settings.firstYear = year.value
            } else {
                diagnostics.error(
                    "firstYear \(year.value) of warehouse.yaml is not a plausible year; write the oldest year to keep, e.g. firstYear: 2024",
                    file: file, at: year.node)
            }
        }
        if let schema = root.string("publicSchema", diagnostics: &diagnostics) {
            if let problem = IdentifierRules.problemWithPublicSchema(schema.value) {
                diagnostics.error("publicSchema \(MessageText.quoted(schema.value)) \(problem)", file: file, at: schema.node)
            }
            settings.publicSchema = schema.value
        }
        if let column = root.string("tenantColumn", diagnostics: &diagnostics) {
            if let problem = IdentifierRules.problemWithColumnName(column.value) {
                diagnostics.error("tenantColumn \(MessageText.quoted(column.value)) \(problem)", file: file, at: column.node)
            }
            settings.tenantColumn = column.value
        }
        if let owner = root.string("owner", diagnostics: &diagnostics) {
            if let problem = IdentifierRules.problemWithRoleName(owner.value) {
                diagnostics.error("owner \(MessageText.quoted(owner.value)) \(problem)", file: file, at: owner.node)
            }
            settings.owner = owner.value
        }
        settings.tenants = readTenants(root, publicSchema: settings.publicSchema, diagnostics: &diagnostics)
        settings.grants = readGrants(root, tenants: settings.tenants, diagnostics: &diagnostics)
        settings.windows = readWindows(root, diagnostics: &diagnostics)
        if let policy = root.present("policy", required: nil, diagnostics: &diagnostics),
           let reader = mapping(policy, "the policy", &diagnostics) {
            settings.policy = readPolicy(reader, diagnostics: &diagnostics)
        }
        if let routine = root.present("routine", required: nil, diagnostics: &diagnostics),
           let reader = mapping(routine, "the routine", &diagnostics) {
            settings.routine = readRoutine(reader, diagnostics: &diagnostics)
        }
        return settings
    }

    private func readTenants(_ root: MappingReader, publicSchema: String, diagnostics: inout DiagnosticList) -> [Tenant] {
        guard let items = root.sequence(
            "tenants", required: "tenants: [{ schema: landb, connection: landb-prod }]", diagnostics: &diagnostics)
        else { return [] }
        if items.value.isEmpty {
            diagnostics.warning("warehouse.yaml declares no tenants, so every public view would be empty; add tenants",
                                file: file, at: items.node)
        }
        var tenants: [Tenant] = []
        var seen: [String: SourcePosition] = [:]
        var connections: [String: String] = [:]
        for (index, item) in items.value.enumerated() {
            guard var reader = mapping(item, "tenant \(index + 1) of warehouse.yaml", &diagnostics) else { continue }
            let schema = reader.string("schema", required: "schema: landb", diagnostics: &diagnostics)
            if let schema { reader.subject = "tenant \(MessageText.quoted(schema.value))" }
            reader.rejectUnknownKeys(allowed: Self.tenantKeys, diagnostics: &diagnostics)
            let connection = reader.string("connection", required: "connection: landb-prod", diagnostics: &diagnostics)
            if let schema {
                if let problem = NamingRules.problemWithTenantSchema(schema.value) {
                    diagnostics.error(problem, file: file, at: schema.node)
                } else if schema.value == publicSchema {
                    diagnostics.error(
                        "tenant schema \(MessageText.quoted(schema.value)) is the schema of the public views; give the tenant its own schema",
                        file: file, at: schema.node)
                }
                if let first = seen[schema.value] {
                    diagnostics.error(
                        "tenant \(MessageText.quoted(schema.value)) is declared twice (first on line \(first.line)); remove one of them",
                        file: file, at: schema.node)
                } else {
                    seen[schema.value] = schema.position
                }
            }
            if let connection {
                if let problem = IdentifierRules.problemWithConnectionName(connection.value) {
                    diagnostics.error("connection \(MessageText.quoted(connection.value)) of \(reader.subject) \(problem)",
                                      file: file, at: connection.node)
                } else if let schema, let other = connections[connection.value], other != schema.value {
                    diagnostics.warning(
                        "tenants \(MessageText.quoted(other)) and \(MessageText.quoted(schema.value)) share connection \(MessageText.quoted(connection.value)); give each tenant the foreign server of its own database",
                        file: file, at: connection.node)
                }
                if let schema { connections[connection.value] = connections[connection.value] ?? schema.value }
            }
            if let schema, let connection {
                tenants.append(Tenant(schema: schema.value, connection: connection.value))
            }
        }
        return tenants
    }

    private func readGrants(_ root: MappingReader, tenants: [Tenant], diagnostics: inout DiagnosticList) -> [Grant] {
        guard let items = root.sequence("grants", diagnostics: &diagnostics) else { return [] }
        var grants: [Grant] = []
        var seen: [Grant: SourcePosition] = [:]
        let declared = Set(tenants.map(\.schema))
        for (index, item) in items.value.enumerated() {
            guard var reader = mapping(item, "grant \(index + 1) of warehouse.yaml", &diagnostics) else { continue }
            let role = reader.string("role", required: "role: analysts", diagnostics: &diagnostics)
            if let role { reader.subject = "the grant to \(MessageText.quoted(role.value))" }
            reader.rejectUnknownKeys(allowed: Self.grantKeys, diagnostics: &diagnostics)
            if let role, let problem = IdentifierRules.problemWithRoleName(role.value) {
                diagnostics.error("role \(MessageText.quoted(role.value)) of grant \(index + 1) \(problem)", file: file, at: role.node)
            }
            guard let on = reader.string("on", required: "on: public", diagnostics: &diagnostics) else { continue }
            guard let scope = Grant.Scope(on.value) else {
                diagnostics.error(
                    "'on' of \(reader.subject) is \(MessageText.quoted(on.value)); write public (every public view) or tenant/<schema> (that tenant's views)",
                    file: file, at: on.node)
                continue
            }
            if case .tenantViews(let schema) = scope, !declared.contains(schema) {
                let suggestion = NameSuggestion.closest(to: schema, among: tenants.map(\.schema))
                diagnostics.error(
                    "\(reader.subject) is on tenant \(MessageText.quoted(schema)), which warehouse.yaml does not declare; "
                        + (suggestion.map { "did you mean tenant/\($0)?" } ?? "declare the tenant or fix the name"),
                    file: file, at: on.node)
            }
            guard let role else { continue }
            let grant = Grant(role: role.value, scope: scope)
            if let first = seen[grant] {
                diagnostics.error(
                    "\(reader.subject) on \(scope) repeats the grant on line \(first.line); remove one of them",
                    file: file, at: item)
            } else {
                seen[grant] = item.position
                grants.append(grant)
            }
        }
        return grants
    }

    private func readWindows(_ root: MappingReader, diagnostics: inout DiagnosticList) -> [MaintenanceWindow] {
        guard let items = root.sequence("windows", diagnostics: &diagnostics) else { return [] }
        var windows: [MaintenanceWindow] = []
        var seen: [String: SourcePosition] = [:]
        for (index, item) in items.value.enumerated() {
            guard var reader = mapping(item, "window \(index + 1) of warehouse.yaml", &diagnostics) else { continue }
            let name = reader.string("name", required: "name: sunday-night", diagnostics: &diagnostics)
            if let name { reader.subject = "window \(MessageText.quoted(name.value))" }
            reader.rejectUnknownKeys(allowed: Self.windowKeys, diagnostics: &diagnostics)
            if let name {
                if let problem = IdentifierRules.problemWithWindowName(name.value) {
                    diagnostics.error("window name \(MessageText.quoted(name.value)) \(problem)", file: file, at: name.node)
                }
                if let first = seen[name.value] {
                    diagnostics.error(
                        "window \(MessageText.quoted(name.value)) is declared twice (first on line \(first.line)); rename or remove one of them",
                        file: file, at: name.node)
                } else {
                    seen[name.value] = name.position
                }
            }
            var kind = MaintenanceWindow.Kind.allow
            if let text = reader.string("kind", required: "kind: allow", diagnostics: &diagnostics) {
                if let parsed = MaintenanceWindow.Kind(rawValue: text.value) {
                    kind = parsed
                } else {
                    diagnostics.error("kind \(MessageText.quoted(text.value)) of \(reader.subject) must be allow or deny",
                                      file: file, at: text.node)
                }
            }
            var schedule = ""
            if let text = reader.string("schedule", required: "schedule: \"0 2 * * 0\"", diagnostics: &diagnostics) {
                schedule = text.value
                if let problem = CronSyntax.problem(in: text.value) {
                    diagnostics.error("schedule \(MessageText.quoted(text.value)) of \(reader.subject) \(problem.message)",
                                      file: file, at: text.node.position(ofOffset: problem.offset))
                }
            }
            var seconds = 0
            if let text = reader.string("duration", required: "duration: 4h", diagnostics: &diagnostics) {
                seconds = durationSeconds(text, of: reader.subject, diagnostics: &diagnostics) ?? 0
            }
            var timeZone = "UTC"
            if let zone = reader.string("timeZone", diagnostics: &diagnostics) {
                timeZone = zone.value
                if TimeZone(identifier: zone.value) == nil {
                    diagnostics.error(
                        "timeZone \(MessageText.quoted(zone.value)) of \(reader.subject) is not a known time zone; use an IANA name such as UTC or America/Chicago",
                        file: file, at: zone.node)
                }
            }
            let manualSync = reader.bool("manualSync", diagnostics: &diagnostics) ?? false
            guard let name else { continue }
            windows.append(MaintenanceWindow(
                name: name.value, kind: kind, schedule: schedule, durationSeconds: seconds, timeZone: timeZone,
                manualSync: manualSync))
        }
        return windows
    }

    /// A window's `duration` in whole, positive seconds.
    private func durationSeconds(_ text: MappingReader.Located<String>, of subject: String, diagnostics: inout DiagnosticList) -> Int? {
        let shown = MessageText.quoted(text.value)
        switch DurationText.milliseconds(text.value) {
        case .failure(let problem):
            let why = switch problem {
            case .missingUnit: "needs a unit"
            case .unknownUnit(let unit): "has the unknown unit \(MessageText.quoted(unit))"
            case .tooLong: "is too long"
            case .empty, .malformed: "is not a duration"
            }
            diagnostics.error("duration \(shown) of \(subject) \(why); write hours and minutes such as 4h, 30m or 1h30m",
                              file: file, at: text.node)
            return nil
        case .success(let milliseconds) where milliseconds == 0:
            diagnostics.error("duration \(shown) of \(subject) is zero, so the window never opens; give it a length such as 4h",
                              file: file, at: text.node)
            return nil
        case .success(let milliseconds) where milliseconds < 0:
            diagnostics.error("duration \(shown) of \(subject) is negative; give it a positive length such as 4h",
                              file: file, at: text.node)
            return nil
        case .success(let milliseconds) where milliseconds % 1_000 != 0:
            diagnostics.error("duration \(shown) of \(subject) is not a whole number of seconds; round it, e.g. to 1s",
                              file: file, at: text.node)
            return nil
        case .success(let milliseconds):
            return milliseconds / 1_000
        }
    }

    private func readRoutine(_ reader: MappingReader, diagnostics: inout DiagnosticList) -> Routine {
        reader.rejectUnknownKeys(allowed: Self.routineKeys, diagnostics: &diagnostics)
        var routine = Routine()
        if let text = reader.string("buildAfter", diagnostics: &diagnostics) {
            if let minutes = Routine.minutes(of: text.value) {
                routine.buildAfterMinutes = minutes
            } else {
                diagnostics.error(
                    "buildAfter \(MessageText.quoted(text.value)) of the routine is not a time of day; write hours and minutes in the warehouse time zone, e.g. buildAfter: \"01:30\"",
                    file: file, at: text.node)
            }
        }
        if let value = reader.int("lookbackDays", diagnostics: &diagnostics) {
            if (0...Routine.maximumLookbackDays).contains(value.value) {
                routine.lookbackDays = value.value
            } else {
                diagnostics.error(
                    "lookbackDays \(value.value) of the routine must be between 0 and \(Routine.maximumLookbackDays); write e.g. lookbackDays: 2",
                    file: file, at: value.node)
            }
        }
        if let text = reader.string("inDenyWindows", diagnostics: &diagnostics) {
            if let choice = Routine.InDenyWindows(rawValue: text.value) {
                routine.inDenyWindows = choice
            } else {
                diagnostics.error(
                    "inDenyWindows \(MessageText.quoted(text.value)) of the routine must be run (build new days through deny windows) or hold (wait for them to close)",
                    file: file, at: text.node)
            }
        }
        return routine
    }

    private func readPolicy(_ reader: MappingReader, diagnostics: inout DiagnosticList) -> Policy {
        reader.rejectUnknownKeys(allowed: Self.policyKeys, diagnostics: &diagnostics)
        var policy = Policy()
        if let text = reader.string("strategy", diagnostics: &diagnostics) {
            if let strategy = Policy.Strategy(rawValue: text.value) {
                policy.strategy = strategy
            } else {
                let choices = Policy.Strategy.allCases.map(\.rawValue)
                let hint = NameSuggestion.closest(to: text.value, among: choices).map { "; did you mean \($0)?" } ?? ""
                diagnostics.error(
                    "strategy \(MessageText.quoted(text.value)) of the policy must be \(choices.joined(separator: " or "))\(hint)",
                    file: file, at: text.node)
            }
        }
        if let value = reader.bool("prepareAhead", diagnostics: &diagnostics) { policy.prepareAhead = value }
        if let value = reader.bool("allowDestructive", diagnostics: &diagnostics) { policy.allowDestructive = value }
        if let value = reader.int("parallelism", diagnostics: &diagnostics) {
            if value.value < 1 {
                diagnostics.error("parallelism \(value.value) of the policy must be at least 1; write e.g. parallelism: 2",
                                  file: file, at: value.node)
            } else {
                policy.parallelism = value.value
            }
        }
        if let text = reader.string("lockTimeout", diagnostics: &diagnostics) {
            let shown = MessageText.quoted(text.value)
            switch DurationText.milliseconds(text.value) {
            case .success(let milliseconds) where milliseconds > 0 && milliseconds <= Int(Int32.max):
                policy.lockTimeoutMilliseconds = milliseconds
            case .success(let milliseconds) where milliseconds > 0:
                diagnostics.error("lockTimeout \(shown) of the policy is longer than PostgreSQL allows; use seconds, e.g. 2s",
                                  file: file, at: text.node)
            case .success:
                diagnostics.error(
                    "lockTimeout \(shown) of the policy must be positive (0 would let a waiting DDL queue every reader); write e.g. 2s or 500ms",
                    file: file, at: text.node)
            case .failure(.missingUnit):
                diagnostics.error("lockTimeout \(shown) of the policy needs a unit; write e.g. 2s or 500ms", file: file, at: text.node)
            case .failure:
                diagnostics.error("lockTimeout \(shown) of the policy is not a duration; write e.g. 2s or 500ms", file: file, at: text.node)
            }
        }
        return policy
    }
}
