import Drift
import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Tenants added or removed, and yearly tables (DESIGN.md §5), planned before the template rules
    /// because they decide what the tenant and public views read. Returns the items left for the template
    /// rules.
    ///
    /// - A tenant added (`tenant.missing`), or one whose add an earlier run did not finish (its schema
    ///   exists, a tenant view does not): its schema, yearly tables backfilled from the source, daily
    ///   views, tenant views with their grants, all in prepare; the public views gain it in the swap.
    /// - A tenant removed (`tenant.unexpected`): the public views lose it in the swap; its objects are
    ///   dropped in cleanup (destructive).
    /// - `year.rollover` / `year.missing` of the other tenants: see ``planYears(_:tenant:years:)``.
    mutating func planTenantsAndYears(_ items: [DriftItem]) -> [DriftItem] {
        var remaining = items
        if items.contains(where: { $0.kind == .registry }) { planRegistryTable() }

        for tenant in settings.tenants {
            let schemaMissing = live.schemas[tenant.schema] == nil
            if schemaMissing && live.foreignServers[tenant.connection] == nil {
                for item in remaining where item.kind == .tenantMissing && item.tenant == tenant.schema {
                    notPlanned(item, because: "its connection \(tenant.connection) does not exist: create the foreign server "
                        + "and its user mapping, then the tenant is built")
                }
                remaining.removeAll { $0.kind == .tenantMissing && $0.tenant == tenant.schema }
                continue
            }
            let templates = desired.templates.filter { joinsAsNew(tenant, $0) }
            guard !templates.isEmpty else { continue }
            planJoiningTenant(tenant, templates: templates, schemaMissing: schemaMissing)
            let names = Set(templates.map(\.name))
            let kinds: Set<DriftItem.Kind> = [.dayMissing, .yearMissing, .yearRollover, .tenantView]
            remaining.removeAll { item in
                guard item.tenant == tenant.schema else { return false }
                if item.kind == .tenantMissing { return true }
                if item.kind == .shadowLeftover { return coveredObjects.contains(item.object) }
                guard let template = item.template else { return false }
                return names.contains(template) && kinds.contains(item.kind)
            }
        }

        for item in items where item.kind == .tenantUnexpected {
            guard let schema = item.tenant else { continue }
            planRemovedTenant(schema)
            remaining.removeAll { ($0.kind == .tenantUnexpected || $0.kind == .shadowLeftover) && $0.tenant == schema }
        }

        for template in desired.templates {
            for tenant in settings.tenants where live.schemas[tenant.schema] != nil && !joinsAsNew(tenant, template) {
                remaining = planYearsAndTenantView(template, tenant: tenant, items: remaining)
            }
            if publicViewChanges(template) {
                remaining.removeAll { $0.kind == .publicView && $0.template == template.name }
            }
        }
        return remaining
    }

    /// The yearly tables and tenant-view drift of one live tenant and template; returns the items left.
    private mutating func planYearsAndTenantView(_ template: Template, tenant: Tenant, items: [DriftItem]) -> [DriftItem] {
        let mine = items.filter { $0.template == template.name && $0.tenant == tenant.schema }
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        let yearItems = Set(mine.filter { $0.kind == .yearRollover || $0.kind == .yearMissing }.map(\.object))
        let years = expectedYears.filter {
            yearItems.contains(QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, $0)).description)
        }
        guard swapColumns(view, template: template) != nil else {
            // The view has a column the template dropped or retyped, so it cannot be replaced over yearly
            // tables with the template's columns: the column change replaces it. Its shadow view reads the
            // yearly tables built here, and the rolled days are dropped once the retired view that reads
            // them is gone. If the column change is not planned, the drops are withdrawn again.
            if !years.isEmpty {
                for year in years { planYearlyTable(template, tenant: tenant, year: year) }
                dropDailyViews(template, tenant: tenant, ofYears: years)
                rolloverAwaitingColumnChange[template.name, default: []].insert(tenant.schema)
            }
            return items.filter { !($0.template == template.name && $0.tenant == tenant.schema
                && ($0.kind == .yearRollover || $0.kind == .yearMissing)) }
        }
        if !years.isEmpty { planYears(template, tenant: tenant, years: years) }
        planRolledOverLeftovers(template, tenant: tenant)
        // A view that reads the shadows of a rename swap is the column-change rules' to finish (cleanup
        // renames the shadows): a swap here would name the old daily views still under the final names.
        if mine.contains(where: { $0.kind == .tenantView }) && !coveredObjects.contains(view.description)
            && !readsSwapShadows(view, template: template) {
            replaceTenantView(template, tenant: tenant)
        }
        return items.filter { item in
            guard item.template == template.name, item.tenant == tenant.schema else {
                return !(item.kind == .shadowLeftover && item.tenant == tenant.schema && coveredObjects.contains(item.object))
            }
            switch item.kind {
            case .yearRollover, .yearMissing: return false
            case .dayUnexpected, .tenantView: return !coveredObjects.contains(item.object)
            default: return true
            }
        }
    }

    /// The columns a tenant-view swap of this rule names: the live view's own (a swap that changes members
    /// never changes columns: a column change has rules of its own, which supersede this swap), or the
    /// template's when there is no view. `nil` when the live view has a column the template does not (a
    /// yearly table built now would lack it).
    func swapColumns(_ view: QualifiedName, template: Template) -> [String]? {
        guard let live = live.relations[view], live.kind == .view else { return template.columns.map(\.name) }
        let desired = Dictionary(template.columns.map { ($0.name, $0.type.name) }, uniquingKeysWith: { first, _ in first })
        guard live.columns.allSatisfy({ desired[$0.name] == $0.type.name }) else { return nil }
        return live.columns.map(\.name)
    }

    /// Whether a live tenant view reads a shadow of the template: a rename swap put it in, and its members
    /// are right by what they are called now (the column-change rules' own test, `viewIsCurrent`).
    func readsSwapShadows(_ view: QualifiedName, template: Template) -> Bool {
        guard let relation = live.relations[view], relation.kind == .view else { return false }
        return relation.dependsOn.contains { member in
            guard case .leftover(_, let suffix) = ObjectNames.role(of: member.name, templates: [template.name]) else { return false }
            return suffix == ObjectNames.shadowSuffix
        }
    }

    /// Whether a desired tenant joins the template's public view in this plan: its connection exists and
    /// its schema or its tenant view does not.
    func joins(_ tenant: Tenant, _ template: Template) -> Bool {
        guard live.foreignServers[tenant.connection] != nil else { return false }
        guard live.schemas[tenant.schema] != nil else { return true }
        return live.relations[QualifiedName(schema: tenant.schema, name: template.name)]?.kind != .view
    }

    /// Whether a joining tenant is built as a new one (``planJoiningTenant(_:templates:schemaMissing:)``,
    /// tenant views created in prepare): not when a yearly table it keeps lacks a column of the template
    /// or has it with another type (a column dropped by hand with `CASCADE`, which also took the tenant
    /// and public views). A tenant view created in prepare would read a column that is not there yet;
    /// the column-change rules add it in the swap, then build the view over it.
    func joinsAsNew(_ tenant: Tenant, _ template: Template) -> Bool {
        guard joins(tenant, template) else { return false }
        let desired = Dictionary(template.columns.map { ($0.name, $0.type.name) }, uniquingKeysWith: { first, _ in first })
        return !expectedYears.contains { year in
            guard let table = relation(tenant.schema, .yearlyTable(template: template.name, year: year)) else { return false }
            let live = Dictionary(table.columns.map { ($0.name, $0.type.name) }, uniquingKeysWith: { first, _ in first })
            return desired.contains { live[$0.key] != $0.value }
        }
    }

    /// The role that owns what warden builds, when `owner` is set and the role exists.
    var managedOwner: String? {
        guard let owner = settings.owner, live.roles.isEmpty || live.roles.contains(owner) else { return nil }
        return owner
    }

    /// The roles of the grants of that scope that exist (warden never creates roles: the others are notes).
    mutating func grantedRoles(_ scope: Grant.Scope, on object: String) -> [String] {
        var roles: [String] = []
        for role in Set(settings.grants.filter { $0.scope == scope }.map(\.role)).sorted() {
            if live.roles.isEmpty || live.roles.contains(role) {
                roles.append(role)
            } else {
                notes.append("role \(role) does not exist: create it (warden never creates roles), "
                    + "then the grant on \(object) is planned")
            }
        }
        return roles
    }

    // MARK: - Tenant added

    /// Everything a new tenant (or the rest of one an earlier run did not finish) needs, for the
    /// templates whose tenant view it lacks: only its own objects are built.
    private mutating func planJoiningTenant(_ tenant: Tenant, templates: [Template], schemaMissing: Bool) {
        if schemaMissing { add(createSchemaStep(tenant)) }
        for template in templates {
            for year in expectedYears where relation(tenant.schema, .yearlyTable(template: template.name, year: year)) == nil {
                planYearlyTable(template, tenant: tenant, year: year)
            }
            let typical = typicalDailySize(template, tenant: tenant) ?? averageDailySize(template)
            var days: [QualifiedName] = []
            for day in expectedDays {
                let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
                days.append(name)
                guard relation(tenant.schema, .dailyView(template: template.name, day: day)) == nil else { continue }
                var step = buildStep(.buildDailyView, template, tenant: tenant, day: day, target: name, estimateBytes: typical)
                if let owner = managedOwner { step.statements.append(WarehouseDDL.owner(.materializedView, name, to: owner)) }
                add(step)
            }
            add(createTenantViewStep(template, tenant: tenant, members: historicalMembers(template, tenant: tenant).members + days))
            // Past years' daily views an interrupted run left beside the yearly tables built now.
            dropDailyViews(template, tenant: tenant, ofYears: expectedYears)
        }
        let built = templates.map(\.name).joined(separator: ", ")
        notes.append(schemaMissing
            ? "\(tenant.schema): new tenant: schema, yearly tables from \(settings.firstYear), daily views and tenant views "
                + "of \(built) are built ahead; the public views gain it in the swap"
            : "\(tenant.schema): no tenant view of \(built) yet (a new template, or an add an earlier run did not "
                + "finish): what is missing is built ahead; the public views gain it in the swap")
    }

    /// `CREATE SCHEMA`, its owner and the `USAGE` the tenant's readers need.
    private mutating func createSchemaStep(_ tenant: Tenant) -> PlanStep {
        let schema = SQL.identifier(tenant.schema)
        var statements = ["CREATE SCHEMA IF NOT EXISTS \(schema)"]
        if let owner = managedOwner { statements.append("ALTER SCHEMA \(schema) OWNER TO \(SQL.identifier(owner))") }
        for role in grantedRoles(.tenantViews(tenant.schema), on: "schema \(tenant.schema)") {
            statements.append("GRANT USAGE ON SCHEMA \(schema) TO \(SQL.identifier(role))")
        }
        return PlanStep(
            phase: .prepare, kind: .createSchema, stepClass: .online, tenant: tenant.schema, targets: ["schema \(tenant.schema)"],
            statements: statements, undo: ["DROP SCHEMA IF EXISTS \(schema)"],
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: true)
    }

    /// A new tenant's union view, its grants and owner. Prepare: no public view reads it yet.
    private mutating func createTenantViewStep(_ template: Template, tenant: Tenant, members: [QualifiedName]) -> PlanStep {
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        var statements = [WarehouseDDL.tenantView(view, template: template, members: members)]
        for role in grantedRoles(.tenantViews(tenant.schema), on: view.description) {
            statements.append("GRANT SELECT ON \(view) TO \(SQL.identifier(role))")
        }
        if let owner = managedOwner { statements.append(WarehouseDDL.owner(.view, view, to: owner)) }
        coveredObjects.insert(view.description)
        return PlanStep(
            phase: .prepare, kind: .createTenantView, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [view.description], statements: statements, undo: ["DROP VIEW IF EXISTS \(view)"],
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: true)
    }

    // MARK: - Tenant removed

    /// A tenant no longer in git: after the swap takes it out of the public views, its tenant views, daily
    /// views, yearly tables and leftovers are dropped, one statement each; then its schema, unless
    /// something warden does not manage is in it (it is kept, and a note says what).
    private mutating func planRemovedTenant(_ schema: String) {
        let tenantObjects = objects[schema] ?? [:]
        let templates = Set(desired.templates.map(\.name))
        var dailyCount = 0
        var yearlyCount = 0
        for template in desired.templates {
            var views: [LiveRelation] = []
            var daily: [(Day, LiveRelation)] = []
            var yearly: [(Int, LiveRelation)] = []
            var leftovers: [LiveRelation] = []
            for (role, relation) in tenantObjects {
                switch role {
                case .unionView(let name) where name == template.name: views.append(relation)
                case .dailyView(let name, let day) where name == template.name: daily.append((day, relation))
                case .yearlyTable(let name, let year) where name == template.name: yearly.append((year, relation))
                case .leftover(let base, _) where PlanningRun.template(of: base, among: templates) == template.name:
                    leftovers.append(relation)
                default: break
                }
            }
            daily.sort { $0.0 < $1.0 }
            yearly.sort { $0.0 < $1.0 }
            let ordered = views + leftovers.sorted { $0.name < $1.name } + daily.map(\.1) + yearly.map(\.1)
            guard !ordered.isEmpty else { continue }
            dailyCount += daily.count
            yearlyCount += yearly.count
            var targets = views.map(\.name.description)
            if let first = daily.first?.1, let last = daily.last?.1 {
                targets.append(daily.count == 1 ? first.name.description : "\(first.name) … \(last.name.name) (\(daily.count) days)")
            }
            targets += yearly.map(\.1.name.description)
            add(PlanStep(
                phase: .cleanup, kind: .dropTenantObjects, stepClass: .destructive, template: template.name, tenant: schema,
                targets: targets, statements: ordered.map(WarehouseDDL.drop), transactional: false,
                estimateSeconds: Double(ordered.count) * Estimates.catalogStatementSeconds, reversible: false))
        }
        let foreign = live.relations.keys.filter { $0.schema == schema && ObjectNames.role(of: $0.name, templates: templates) == nil }
            .sorted()
        notes.append("\(schema): tenant removed: the public views stop reading it in the swap; cleanup drops its "
            + "\(dailyCount) daily view(s) and \(yearlyCount) yearly table(s) (destructive: their history is lost)")
        if foreign.isEmpty {
            add(PlanStep(
                phase: .cleanup, kind: .dropSchema, stepClass: .destructive, tenant: schema, targets: ["schema \(schema)"],
                statements: [WarehouseDDL.dropSchemaIfEmpty(schema)], transactional: false,
                estimateSeconds: Estimates.catalogStatementSeconds, reversible: false))
        } else {
            let listed = foreign.prefix(3).map(\.description).joined(separator: ", ")
                + (foreign.count > 3 ? " and \(foreign.count - 3) more" : "")
            notes.append("\(schema): its schema is kept: it holds \(foreign.count) relation(s) warden does not manage "
                + "(\(listed)); warden drops only its own objects")
        }
    }

    /// The template a relation name belongs to, if any.
    static func template(of name: String, among templates: Set<String>) -> String? {
        switch ObjectNames.role(of: name, templates: templates) {
        case .dailyView(let template, _), .yearlyTable(let template, _), .unionView(let template): template
        case .leftover, nil: nil
        }
    }

    // MARK: - Public views

    /// The tenants a template's public view reads once this plan has run: every desired tenant whose
    /// tenant view exists or is built by the plan, in schema order (as the seed's function writes it).
    func publicMembers(_ template: Template) -> [QualifiedName] {
        settings.tenants.filter { tenant in
            live.relations[QualifiedName(schema: tenant.schema, name: template.name)]?.kind == .view || joins(tenant, template)
        }.map { QualifiedName(schema: $0.schema, name: template.name) }.sorted()
    }

    /// Whether the public view's members change: a tenant joins or leaves, or the view does not exist.
    func publicViewChanges(_ template: Template) -> Bool {
        let members = publicMembers(template)
        guard let view = live.relations[QualifiedName(schema: settings.publicSchema, name: template.name)], view.kind == .view else {
            return !members.isEmpty
        }
        return Set(view.dependsOn) != Set(members)
    }

    /// The public view's swap: `CREATE OR REPLACE VIEW` with the new members, then its grants and owner
    /// in the same transaction (a new view has none; a replaced one keeps its own, granted again at no
    /// cost). It locks the public view and the tenant views it names: O(tenants), whatever the days.
    private mutating func publicViewSwapStep(_ template: Template, members: [QualifiedName]) -> PlanStep {
        let view = QualifiedName(schema: settings.publicSchema, name: template.name)
        guard !members.isEmpty else {
            notes.append("\(view): no tenant is left: the public view is dropped")
            return PlanStep(
                phase: .swap, kind: .replacePublicView, stepClass: .briefLock, template: template.name,
                targets: [view.description], statements: ["DROP VIEW IF EXISTS \(view)"], touchesLiveObjects: true,
                estimateSeconds: Estimates.catalogStatementSeconds, reversible: false)
        }
        var statements = [WarehouseDDL.publicView(
            view, tenantColumn: settings.tenantColumn, columns: template.columns.map(\.name), tenantViews: members)]
        for role in grantedRoles(.publicViews, on: view.description) {
            statements.append("GRANT SELECT ON \(view) TO \(SQL.identifier(role))")
        }
        if let owner = managedOwner { statements.append(WarehouseDDL.owner(.view, view, to: owner)) }
        return PlanStep(
            phase: .swap, kind: .replacePublicView, stepClass: .briefLock, template: template.name,
            targets: [view.description], statements: statements, touchesLiveObjects: true,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: false)
    }

    // MARK: - After the template rules

    /// Puts the steps of every rule in a consistent order once all are planned:
    ///
    /// - one swap per tenant view: a later step on the same view (missing days, a column change's
    ///   replacement or rename swap) was planned knowing the yearly tables built here, and supersedes an
    ///   earlier one (a rollover's replacement of a view the rename swap then retires would only cost the
    ///   readers one more wait);
    /// - one public-view swap per template whose members change, last of the swap phase (after every
    ///   tenant view it reads has its final columns), replacing any other;
    /// - prepare in waves (``PlanStep/prepareWave``): schemas, then builds, then new tenant views.
    mutating func finishTenantsAndYears() {
        var replacedLater = Set<String>()
        var kept: [PlanStep] = []
        for step in swap.reversed() {
            if step.kind == .replaceTenantView, let view = step.targets.last {
                guard replacedLater.insert(view).inserted else { continue }
            }
            // A rename swap names the live views it retires among its targets.
            if step.kind == .renameSwap { replacedLater.formUnion(step.targets) }
            kept.append(step)
        }
        swap = kept.reversed()

        // Which tenants the public views read is a change (tenants added or removed), never routine work;
        // a public view that is gone is routine's to put back (``Planner/outageRepairs(desired:live:asOf:)``).
        for template in desired.templates where !routineOnly && publicViewChanges(template)
            && !(scope == .change && publicViewIsGone(template)) {
            let members = publicMembers(template)
            let blocked = members.filter { !tenantViewReachesTemplateColumns($0, template: template) }
            guard blocked.isEmpty else {
                notes.append("not planned yet: view.public \(QualifiedName(schema: settings.publicSchema, name: template.name)) "
                    + "(\(blocked.map(\.description).joined(separator: ", ")) lack the template's columns: "
                    + "the column change comes first)")
                continue
            }
            swap.removeAll { $0.kind == .replacePublicView && $0.template == template.name }
            add(publicViewSwapStep(template, members: members))
        }

        var waved = prepare.enumerated().map { ($0.offset, $0.element) }
        waved.sort { ($0.1.prepareWave, $0.0) < ($1.1.prepareWave, $1.0) }
        prepare = waved.map(\.1)
    }

    /// Whether a live tenant view has the template's columns once the swap phase has run: now, or by a
    /// swap step of this plan.
    private func tenantViewReachesTemplateColumns(_ view: QualifiedName, template: Template) -> Bool {
        if let relation = live.relations[view], relation.columns.map(\.name) == template.columns.map(\.name),
           relation.columns.map(\.type.name) == template.columns.map(\.type.name) {
            return true
        }
        return swap.contains { ($0.kind == .replaceTenantView && $0.targets.last == view.description)
            || ($0.kind == .renameSwap && $0.targets.contains(view.description)) }
            || prepare.contains { $0.kind == .createTenantView && $0.targets.contains(view.description) }
    }
}

extension PlanningRun {
    /// Whether the template's public view is an outage the routine puts back before any change runs.
    func publicViewIsGone(_ template: Template) -> Bool {
        Planner.isOutage(
            QualifiedName(schema: settings.publicSchema, name: template.name), template: template.name, desired: desired, live: live,
            roles: objects)
    }
}
