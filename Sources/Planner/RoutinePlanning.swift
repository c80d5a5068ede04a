import Drift
import WardenModel

/// The warehouse's routine (DESIGN.md §6b), planned apart from changes: routine work is never held by
/// allow windows, so it cannot wait inside a change's plan for the change's window.
///
/// - Outages first: a public or tenant view that does not exist is put back (``outageRepairs(desired:live:asOf:)``),
///   as `warden repair` does.
/// - Then due days and the year rollover, in the *live shape* of each template: while a change of a
///   template waits for its window, new days are built as `_wh.mv_templates` and the live daily views
///   have it, so the union views stay consistent; the change's shadows cover those days when it runs.
/// - Tenants and templates a change adds or removes are the change's, not the routine's.
extension Planner {
    /// The drift kinds routine work reconciles.
    public static let routineKinds: Set<DriftItem.Kind> = [.dayMissing, .yearRollover]

    /// The drift kinds that mean a change of the template is pending.
    static let templateChangeKinds: Set<DriftItem.Kind> = DriftItem.Kind.columnChanges.union(
        [.queryChanged, .indexAdded, .indexRemoved, .registry, .yearlyColumns, .dayStale])

    /// The routine plan: every step is ``PlanStep/Work/routine``. Empty when no day is due.
    ///
    /// Tenants whose source cannot be reached are left out (their days wait, the others' are built), and
    /// days a `readyWhen` probe holds back are neither built nor added to the tenant view (`readiness`).
    public static func planRoutine(
        desired: DesiredWarehouse, live: LiveWarehouse, drift: DriftReport, asOf: Day, policy: Policy,
        readiness: SourceReadiness = SourceReadiness(), reread: [String: [Day]] = [:]
    ) -> Plan {
        let scope = RoutineScope(desired: desired, live: live, drift: drift, unreachable: Set(readiness.unreachable.keys))
        let routineDrift = DriftDetector.detect(desired: scope.desired, live: live, asOf: asOf, readiness: readiness).items
            .filter(scope.isRoutine)
        var shadowSwap = policy
        shadowSwap.strategy = .shadowSwap
        var plan = Planner.plan(
            desired: scope.desired, live: live, drift: DriftReport(revision: drift.revision, asOf: asOf, items: routineDrift),
            asOf: asOf, policy: shadowSwap, scope: .routine, readiness: readiness)
        // Lookback: days re-read from the source, for tenants that answer, of templates no change is
        // pending for (a pending change re-reads every day when it lands).
        var rereads: [PlanStep] = []
        var rereadNotes: [String] = []
        for template in scope.desired.templates where !scope.pending.contains(template.name) {
            for tenant in scope.desired.settings.tenants where scope.eligible.contains("\(template.name)/\(tenant.schema)") {
                let found = rereadSteps(template: template, tenant: tenant, days: reread["\(template.name)/\(tenant.schema)"] ?? [], live: live)
                rereads += found.steps
                rereadNotes += found.notes
            }
        }
        plan = plan.addingPrepare(rereads, notes: Array(Set(rereadNotes)).sorted())
        for index in plan.steps.indices { plan.steps[index].work = .routine }
        plan.destructiveChanges = []
        plan.asOfRegression = nil
        if !scope.pending.isEmpty, !plan.isEmpty {
            plan.notes.append(
                "new days of \(scope.pending.sorted().joined(separator: ", ")) are built in the live shape while the change waits; its shadows cover them")
        }
        return plan
    }

    /// The change beside the routine: `changeDrift` (what ``changeDrift(desired:live:drift:)`` leaves to
    /// it) planned with a public view that is gone left to the routine. Every step is ``PlanStep/Work/change``.
    public static func planChange(
        desired: DesiredWarehouse, live: LiveWarehouse, changeDrift: DriftReport, asOf: Day, policy: Policy
    ) -> Plan {
        plan(desired: desired, live: live, drift: changeDrift, asOf: asOf, policy: policy, scope: .change)
    }

    /// The drift a change plan reconciles: `drift` without what routine work covers (due days and
    /// rollovers of templates with no change pending, views that do not exist).
    public static func changeDrift(desired: DesiredWarehouse, live: LiveWarehouse, drift: DriftReport) -> DriftReport {
        let scope = RoutineScope(desired: desired, live: live, drift: drift)
        var copy = drift
        copy.items = drift.items.filter { !scope.coversInChange($0) }
        return copy
    }

    /// The views readers cannot read because they do not exist: each missing tenant view of a live
    /// tenant that has daily views or yearly tables of the template (with the public view in the same
    /// transaction when it read it), and each missing public view. A view that cannot be built
    /// correctly is left, with a note saying why.
    public static func outageRepairs(desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day) -> (repairs: [ViewRepair], notes: [String]) {
        let planning = RepairPlanning(desired: desired, live: live, asOf: asOf)
        let roles = planning.objects
        var repairs: [ViewRepair] = []
        var notes: [String] = []
        for template in desired.templates where live.registry[template.name] != nil {
            var publicRepaired = false
            for tenant in desired.settings.tenants where live.schemas[tenant.schema] != nil {
                let view = QualifiedName(schema: tenant.schema, name: template.name)
                guard isOutage(view, template: template.name, desired: desired, live: live, roles: roles) else { continue }
                do {
                    let repair = try planning.tenantViewRepair(template, tenant: tenant)
                    if !repair.isEmpty { repairs.append(repair) }
                    publicRepaired = publicRepaired || repair.views.contains { $0.name.schema == desired.settings.publicSchema }
                } catch {
                    notes.append("\(view) is missing and is not put back: \(error)")
                }
            }
            let publicView = QualifiedName(schema: desired.settings.publicSchema, name: template.name)
            guard !publicRepaired, isOutage(publicView, template: template.name, desired: desired, live: live, roles: roles) else { continue }
            do {
                let repair = try planning.publicViewRepair(template)
                if !repair.isEmpty { repairs.append(repair) }
            } catch {
                notes.append("\(publicView) is missing and is not put back: \(error)")
            }
        }
        return (repairs, notes)
    }

    /// Whether `view`, a tenant or public view of `template`, is an outage: it does not exist although
    /// readers had it. A public view is, whenever its template has a registry row; a tenant view is when
    /// the tenant has daily views or yearly tables of the template for it to read (a new tenant's is
    /// not: adding a tenant is a change).
    static func isOutage(
        _ view: QualifiedName, template: String, desired: DesiredWarehouse, live: LiveWarehouse,
        roles: [String: [ObjectNames.Role: LiveRelation]]
    ) -> Bool {
        guard live.registry[template] != nil, live.relations[view] == nil, live.schemas[view.schema] != nil else { return false }
        if view.schema == desired.settings.publicSchema { return true }
        return (roles[view.schema] ?? [:]).keys.contains { role in
            switch role {
            case .dailyView(let name, _), .yearlyTable(let name, _): name == template
            default: false
            }
        }
    }
}

/// What routine work may touch: the desired state cut down to it.
struct RoutineScope {
    /// The desired state routine work builds toward: templates with a registry row (in their live shape
    /// when a change of them is pending) and the tenants whose schema exists and is not being added.
    let desired: DesiredWarehouse
    /// Templates with a change pending.
    let pending: Set<String>
    /// `template/tenant` pairs whose union view exists and whose source answers: the ones routine work
    /// adds days to.
    let eligible: Set<String>
    /// `template/tenant` pairs whose union view exists, reachable or not: their due days are routine's.
    let routineOwned: Set<String>
    let live: LiveWarehouse
    let full: DesiredWarehouse
    let roles: [String: [ObjectNames.Role: LiveRelation]]

    init(desired full: DesiredWarehouse, live: LiveWarehouse, drift: DriftReport, unreachable: Set<String> = []) {
        self.live = live
        self.full = full
        let pending = Set(drift.items.filter { Planner.templateChangeKinds.contains($0.kind) }.compactMap(\.template))
        let adding = Set(drift.items.filter { $0.kind == .tenantMissing }.compactMap(\.tenant))
        let tenants = full.settings.tenants.filter { live.schemas[$0.schema] != nil && !adding.contains($0.schema) }
        let buildable = tenants.filter { !unreachable.contains($0.schema) }
        let roles = live.objectsByRole(templates: Set(full.templates.map(\.name)))
        self.roles = roles
        var templates: [Template] = []
        var eligible = Set<String>()
        var owned = Set<String>()
        for template in full.templates {
            guard let row = live.registry[template.name] else { continue }
            templates.append(pending.contains(template.name) ? Template(liveShapeOf: row, tenants: tenants, roles: roles) : template)
            for tenant in tenants where live.relations[QualifiedName(schema: tenant.schema, name: template.name)]?.kind == .view {
                owned.insert("\(template.name)/\(tenant.schema)")
                if buildable.contains(tenant) { eligible.insert("\(template.name)/\(tenant.schema)") }
            }
        }
        var desired = full
        desired.templates = templates
        desired.settings.tenants = tenants
        self.desired = desired
        self.pending = pending
        self.eligible = eligible
        self.routineOwned = owned
    }

    /// Whether routine work reconciles `item`.
    func isRoutine(_ item: DriftItem) -> Bool {
        guard Planner.routineKinds.contains(item.kind), let template = item.template, let tenant = item.tenant else { return false }
        return eligible.contains("\(template)/\(tenant)")
    }

    /// Whether the change plan leaves `item` to routine work: a due day or rollover of a template no
    /// change is pending for, or a view that does not exist (an outage, put back at once).
    func coversInChange(_ item: DriftItem) -> Bool {
        switch item.kind {
        case .dayMissing, .yearRollover:
            guard let template = item.template, let tenant = item.tenant else { return false }
            return routineOwned.contains("\(template)/\(tenant)") && !pending.contains(template)
        case .dayWaiting:
            return true
        case .tenantView, .publicView:
            guard let template = item.template else { return false }
            let schema = item.kind == .publicView ? full.settings.publicSchema : item.tenant
            guard let schema else { return false }
            let name = QualifiedName(schema: schema, name: template)
            return Planner.isOutage(name, template: template, desired: full, live: live, roles: roles)
        default:
            return false
        }
    }
}
