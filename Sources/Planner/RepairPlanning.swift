import PostgresSyntax
import WardenModel

/// The state of one ``ViewRepair/plan(_:desired:live:asOf:)``: the inputs, and the relations of each
/// schema classified against the desired templates, as drift classifies them.
struct RepairPlanning {
    let desired: DesiredWarehouse
    let live: LiveWarehouse
    let asOf: Day
    let objects: [String: [ObjectNames.Role: LiveRelation]]

    init(desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day) {
        self.desired = desired
        self.live = live
        self.asOf = asOf
        self.objects = live.objectsByRole(templates: Set(desired.templates.map(\.name)))
    }

    var settings: WarehouseSettings { desired.settings }

    /// An output column of a view: its name and canonical type.
    struct ViewColumn: Hashable {
        var name: String
        var type: String
    }

    /// What one view needs.
    struct Part {
        var name: QualifiedName
        /// What is done to it, or `nil` when it is right as it is.
        var view: RepairedView?
        /// Whether it is dropped before its statements run (`CREATE OR REPLACE` cannot fix its columns).
        var drop: Bool
        /// Its `CREATE OR REPLACE VIEW`, grants, owner and comment (or only the grants it lacks).
        var statements: [String]
        var notes: [String]
        /// What it reads, for people.
        var memberSummary: String
    }

    /// The desired templates named (in the order given, each once), or all of them.
    func templates(_ names: [String]) throws -> [Template] {
        if names.isEmpty { return desired.templates }
        var seen = Set<String>()
        return try names.filter { seen.insert($0).inserted }.map { name in
            guard let template = desired.template(named: name) else {
                throw RepairRefusal(
                    "there is no template \(name) in the desired state; its templates are "
                        + desired.templates.map(\.name).joined(separator: ", "))
            }
            return template
        }
    }

    /// The declared tenant of that schema, which must exist in the warehouse.
    func tenant(_ schema: String) throws -> Tenant {
        guard let tenant = settings.tenants.first(where: { $0.schema == schema }) else {
            throw RepairRefusal(
                "\(schema) is not a tenant of warehouse.yaml (its tenants are "
                    + settings.tenants.map(\.schema).joined(separator: ", ") + "); warden repairs the views of declared tenants only")
        }
        guard live.schemas[schema] != nil else {
            throw RepairRefusal("schema \(schema) does not exist in the warehouse: a missing tenant is built by warden apply, not repaired")
        }
        return tenant
    }

    // MARK: - Tenant views

    /// The tenant view of `template` (and the public view when it must follow), as one repair.
    func tenantViewRepair(_ template: Template, tenant: Tenant) throws -> ViewRepair {
        let columns = try columns(of: template)
        let tenantPart = try tenantViewPart(template, tenant: tenant, columns: columns)
        let view = tenantPart.name
        let publicName = QualifiedName(schema: settings.publicSchema, name: template.name)
        let publicView = live.relations[publicName]
        let publicReadsTenant = publicView?.dependsOn.contains(view) ?? false
        var notes = tenantPart.notes

        var publicPart: Part?
        if tenantPart.drop && publicReadsTenant {
            // The public view depends on the tenant view: it is dropped first and must come back.
            publicPart = try self.publicViewPart(template, columns: columns, rebuilding: tenant.schema, forceRecreate: true)
        } else if publicView == nil || (publicView?.kind == .view && !publicReadsTenant) {
            do {
                publicPart = try self.publicViewPart(template, columns: columns, rebuilding: tenant.schema, forceRecreate: false)
            } catch let refusal as RepairRefusal {
                notes.append("\(publicName) is not rebuilt: \(refusal.description)")
            }
        }

        var statements: [String] = []
        var views: [RepairedView] = []
        var publicDropped = false
        if tenantPart.drop {
            if publicView != nil && publicReadsTenant {
                statements.append("DROP VIEW \(publicName)")
                publicDropped = true
            }
            statements.append("DROP VIEW \(view)")
        }
        statements += tenantPart.statements
        if let repaired = tenantPart.view { views.append(repaired) }
        if let publicPart {
            if publicPart.drop && !publicDropped { statements.append("DROP VIEW \(publicName)") }
            statements += publicPart.statements
            if let repaired = publicPart.view { views.append(repaired) }
            notes += publicPart.notes
        }
        if tenantPart.view == nil {
            notes.insert("\(view) already reads \(tenantPart.memberSummary) with the expected columns and grants: left alone", at: 0)
        }
        return ViewRepair(template: template.name, tenant: tenant.schema, views: views, statements: statements, notes: notes)
    }

    /// The tenant's union view of `template` over its yearly tables and daily views.
    func tenantViewPart(_ template: Template, tenant: Tenant, columns: [ViewColumn]) throws -> Part {
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        let members = tenantMembers(template, tenant: tenant)
        guard !members.isEmpty else {
            throw RepairRefusal(
                "cannot rebuild \(view): \(tenant.schema) has no yearly table from \(settings.firstYear) and no daily view before "
                    + "\(asOf) of \(template.name) to read; warden apply builds them")
        }
        for member in members {
            try check(member, has: columns, for: view, fix: "fix \(member.name) first (warden drift names the remedy), then repair again")
        }
        if let existing = live.relations[view], existing.kind != .view {
            throw RepairRefusal(
                "\(view) is a \(existing.kind.rawValue), not a view; warden will not replace it: rename or drop it by hand, then repair again")
        }
        let yearly = members.filter { $0.kind == .table }.count
        let daily = members.count - yearly
        var parts: [String] = []
        if yearly > 0 { parts.append("\(yearly) yearly table\(yearly == 1 ? "" : "s")") }
        if daily > 0 { parts.append("\(daily) daily view\(daily == 1 ? "" : "s")") }
        return part(
            view, kind: "tenant-view", columns: columns, members: members.map(\.name),
            memberSummary: parts.joined(separator: " and "),
            roles: settings.grants.filter { $0.scope == .tenantViews(tenant.schema) }.map(\.role),
            definition: WarehouseDDL.tenantView(view, columns: columns.map(\.name), members: members.map(\.name)),
            forceRecreate: false)
    }

    /// The relations a tenant view of `template` reads, as drift expects them: the yearly tables of the
    /// past years from `firstYear`, and the daily views before `asOf` whose year has no yearly table yet
    /// (or is the current year), in name order (oldest first).
    func tenantMembers(_ template: Template, tenant: Tenant) -> [LiveRelation] {
        let tenantObjects = objects[tenant.schema] ?? [:]
        let years = Set(settings.expectedYears(asOf: asOf))
        var members: [LiveRelation] = []
        for (role, relation) in tenantObjects {
            switch role {
            case .yearlyTable(let name, let year) where name == template.name && years.contains(year):
                members.append(relation)
            case .dailyView(let name, let day) where name == template.name && day < asOf && day.year >= settings.firstYear:
                let rolledOver = day.year < asOf.year && tenantObjects[.yearlyTable(template: name, year: day.year)] != nil
                if !rolledOver { members.append(relation) }
            default:
                break
            }
        }
        return members.sorted { $0.name < $1.name }
    }

    // MARK: - Public views

    /// The public view of `template` alone.
    func publicViewRepair(_ template: Template) throws -> ViewRepair {
        let columns = try columns(of: template)
        let part = try publicViewPart(template, columns: columns, rebuilding: nil, forceRecreate: false)
        var notes = part.notes
        if part.view == nil {
            notes.insert("\(part.name) already reads \(part.memberSummary) with the expected columns and grants: left alone", at: 0)
        }
        return ViewRepair(
            template: template.name, tenant: nil, views: part.view.map { [$0] } ?? [],
            statements: (part.drop ? ["DROP VIEW \(part.name)"] : []) + part.statements, notes: notes)
    }

    /// The public view over the declared tenants' views; `rebuilding` names a tenant whose view the same
    /// transaction creates (it counts as present, with the right columns).
    func publicViewPart(_ template: Template, columns: [ViewColumn], rebuilding: String?, forceRecreate: Bool) throws -> Part {
        let view = QualifiedName(schema: settings.publicSchema, name: template.name)
        if let existing = live.relations[view], existing.kind != .view {
            throw RepairRefusal(
                "\(view) is a \(existing.kind.rawValue), not a view; warden will not replace it: rename or drop it by hand, then repair again")
        }
        var members: [QualifiedName] = []
        var leftOut: [String] = []
        for schema in settings.tenants.map(\.schema).sorted() {
            let tenantView = QualifiedName(schema: schema, name: template.name)
            if schema == rebuilding {
                members.append(tenantView)
                continue
            }
            guard let relation = live.relations[tenantView], relation.kind == .view else {
                leftOut.append(schema)
                continue
            }
            try check(relation, has: columns, for: view, fix: "repair it first: warden repair tenant-view \(schema) \(template.name)")
            members.append(tenantView)
        }
        guard !members.isEmpty else {
            throw RepairRefusal(
                "cannot rebuild \(view): no tenant has a view \(template.name) to read; repair them first: "
                    + "warden repair tenant-view TENANT \(template.name)")
        }
        let output = [ViewColumn(name: settings.tenantColumn, type: "text")] + columns
        var result = part(
            view, kind: "public-view", columns: output, members: members,
            memberSummary: "\(members.count) tenant view\(members.count == 1 ? "" : "s") (\(members.map(\.schema).joined(separator: ", ")))",
            roles: settings.grants.filter { $0.scope == .publicViews }.map(\.role),
            definition: WarehouseDDL.publicView(
                view, tenantColumn: settings.tenantColumn, columns: columns.map(\.name), tenantViews: members),
            forceRecreate: forceRecreate)
        if !leftOut.isEmpty {
            result.notes.append(
                "\(view) leaves out \(leftOut.joined(separator: ", ")): no view \(template.name) there; "
                    + "warden repair tenant-view \(leftOut[0]) \(template.name) puts it back into the public view too")
        }
        return result
    }

    // MARK: - Shared

    /// The columns the template's views have now: the list most of its live daily views share (its
    /// yearly tables' when it has no daily view), read as drift reads it.
    func columns(of template: Template) throws -> [ViewColumn] {
        var daily: [[ViewColumn]: Int] = [:]
        var yearly: [[ViewColumn]: Int] = [:]
        for tenant in settings.tenants {
            for (role, relation) in objects[tenant.schema] ?? [:] {
                switch role {
                case .dailyView(let name, _) where name == template.name: daily[Self.columns(relation), default: 0] += 1
                case .yearlyTable(let name, _) where name == template.name: yearly[Self.columns(relation), default: 0] += 1
                default: break
                }
            }
        }
        let pool = daily.isEmpty ? yearly : daily
        guard let shape = pool.max(by: { ($0.value, Self.summary($1.key)) < ($1.value, Self.summary($0.key)) })?.key else {
            throw RepairRefusal(
                "no daily view or yearly table of \(template.name) exists in any tenant schema, so there is nothing to rebuild its views from; "
                    + "warden apply builds them")
        }
        return shape
    }

    /// Refuses unless `member` has every column of `columns` with the same type, and holds data.
    func check(_ member: LiveRelation, has columns: [ViewColumn], for view: QualifiedName, fix: String) throws {
        for column in columns {
            guard let found = member.columns.first(where: { $0.name == column.name }) else {
                throw RepairRefusal(
                    "cannot rebuild \(view): \(member.name) lacks column \(column.name) (\(column.type)), "
                        + "which the template's daily views have; \(fix)")
            }
            guard found.type.name == column.type else {
                throw RepairRefusal(
                    "cannot rebuild \(view): \(member.name) has column \(column.name) as \(found.type.name), "
                        + "where the template's daily views have \(column.type); \(fix)")
            }
        }
        if member.kind == .materializedView && !member.populated {
            throw RepairRefusal(
                "cannot rebuild \(view): \(member.name) holds no data (WITH NO DATA), so reading the view would fail; "
                    + "run REFRESH MATERIALIZED VIEW \(member.name), then repair again")
        }
    }

    /// What one view needs, compared with what it is now.
    func part(
        _ name: QualifiedName, kind: String, columns: [ViewColumn], members: [QualifiedName], memberSummary: String,
        roles: [String], definition: String, forceRecreate: Bool
    ) -> Part {
        var notes: [String] = []
        var grantable: [String] = []
        for role in Set(roles).sorted() {
            if !live.roles.isEmpty && !live.roles.contains(role) {
                notes.append(
                    "role \(role) does not exist, so \(name) is not granted to it: "
                        + "create it (warden never creates roles), then warden apply grants it")
            } else {
                grantable.append(role)
            }
        }
        let owner = settings.owner
        let stamp = ObjectStamp(
            specHash: SpecHash.of([kind, name.description] + columns.map { "\($0.name) \($0.type)" } + members.map(\.description)),
            revision: desired.revision)
        let grants = grantable.map { "GRANT SELECT ON \(name) TO \(SQL.identifier($0))" }
        let ownership = owner.map { ["ALTER VIEW \(name) OWNER TO \(SQL.identifier($0))"] } ?? []
        let stampComment = "COMMENT ON VIEW \(name) IS \(SQL.quoteLiteral(stamp.description))"
        func repaired(_ action: RepairedView.Action, granted: [String], owner: String?, reason: String) -> RepairedView {
            RepairedView(
                name: name, action: action, members: members, columns: columns.map(\.name), grantedTo: granted, owner: owner,
                memberSummary: memberSummary, reason: reason)
        }

        guard let existing = live.relations[name] else {
            return Part(
                name: name, view: repaired(.created, granted: grantable, owner: owner, reason: "it was missing"), drop: false,
                statements: [definition] + grants + ownership + [stampComment], notes: notes, memberSummary: memberSummary)
        }
        let liveColumns = Self.columns(existing)
        let sameMembers = Set(existing.dependsOn) == Set(members)
        // A comment people wrote is theirs: kept (and put back when the view is dropped and created again).
        let peoplesComment = existing.comment.flatMap { $0.isEmpty || existing.stamp != nil ? nil : $0 }
        if liveColumns == columns && sameMembers && !forceRecreate {
            let readers = Set(existing.privileges.filter { $0.value.contains("SELECT") }.keys).union([existing.owner])
            let missing = grantable.filter { !readers.contains($0) }
            let ownerWrong = owner.map { $0 != existing.owner } ?? false
            guard !missing.isEmpty || ownerWrong else {
                return Part(name: name, view: nil, drop: false, statements: [], notes: notes, memberSummary: memberSummary)
            }
            var reasons: [String] = []
            if !missing.isEmpty { reasons.append("it lacked SELECT for \(missing.joined(separator: ", "))") }
            if ownerWrong { reasons.append("it was owned by \(existing.owner)") }
            return Part(
                name: name,
                view: repaired(.regranted, granted: missing, owner: ownerWrong ? owner : nil, reason: reasons.joined(separator: "; ")),
                drop: false, statements: missing.map { "GRANT SELECT ON \(name) TO \(SQL.identifier($0))" } + (ownerWrong ? ownership : []),
                notes: notes, memberSummary: memberSummary)
        }

        var reasons: [String] = []
        if forceRecreate { reasons.append("it reads the view dropped before it") }
        if !sameMembers { reasons.append(Self.membershipDifference(expected: members, found: existing.dependsOn)) }
        if liveColumns != columns { reasons.append("its columns were \(Self.summary(liveColumns))") }
        let extendable = !forceRecreate && liveColumns.count <= columns.count && Array(columns.prefix(liveColumns.count)) == liveColumns
        var statements = [definition] + grants + ownership
        if extendable {
            // CREATE OR REPLACE keeps grants, owner and comment; the grants above are idempotent.
            if peoplesComment == nil { statements.append(stampComment) }
        } else {
            statements.append(peoplesComment.map { "COMMENT ON VIEW \(name) IS \(SQL.quoteLiteral($0))" } ?? stampComment)
        }
        return Part(
            name: name,
            view: repaired(extendable ? .replaced : .recreated, granted: grantable, owner: owner, reason: reasons.joined(separator: "; ")),
            drop: !extendable, statements: statements, notes: notes, memberSummary: memberSummary)
    }

    static func columns(_ relation: LiveRelation) -> [ViewColumn] {
        relation.columns.map { ViewColumn(name: $0.name, type: $0.type.name) }
    }

    /// `id bigint, store text`.
    static func summary(_ columns: [ViewColumn]) -> String {
        columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
    }

    /// `it lacked a, b; it also read c`, at most three names each.
    static func membershipDifference(expected: [QualifiedName], found: [QualifiedName]) -> String {
        func list(_ names: Set<QualifiedName>) -> String {
            let sorted = names.sorted().map(\.description)
            return sorted.count <= 3 ? sorted.joined(separator: ", ") : sorted.prefix(3).joined(separator: ", ") + " and \(sorted.count - 3) more"
        }
        let lacking = Set(expected).subtracting(found)
        let extra = Set(found).subtracting(expected)
        var parts: [String] = []
        if !lacking.isEmpty { parts.append("it lacked \(list(lacking))") }
        if !extra.isEmpty { parts.append("it also read \(list(extra))") }
        return parts.joined(separator: "; ")
    }
}
