import Drift
import WardenModel

/// The state of one planning run: the inputs, the steps gathered per phase, the notes.
struct PlanningRun {
    let desired: DesiredWarehouse
    let live: LiveWarehouse
    let asOf: Day
    let policy: Policy
    /// Relations per schema, classified against the desired templates (as drift classifies them).
    let objects: [String: [ObjectNames.Role: LiveRelation]]

    var prepare: [PlanStep] = []
    var swap: [PlanStep] = []
    var cleanup: [PlanStep] = []
    var notes: [String] = []
    /// Objects (as drift names them) whose items the planned steps already cover.
    var coveredObjects: Set<String> = []
    /// Yearly tables this plan builds: tenant views planned after them read these, not the year's daily views.
    var plannedYearlyTables: Set<QualifiedName> = []
    /// `<kind> <object>` of every item left as a `not planned yet` note.
    var unplanned: Set<String> = []
    /// Why each of ``unplanned`` is not planned.
    var unplannedReasons: [String: String] = [:]
    /// Shadows an earlier run built that this plan swaps in as they are (their stamp matches): its
    /// progress, not drift (``Plan/prepared``).
    var prepared: Set<String> = []
    /// Templates (and their tenants) whose rollover builds yearly tables for a column change to swap in (the tenant view has
    /// a column the template dropped or retyped); see ``withdrawRolloverDrops(_:because:)``.
    var rolloverAwaitingColumnChange: [String: Set<String>] = [:]
    /// What a planning run plans (DESIGN.md §6b).
    enum Scope {
        /// Everything the drift asks for, in one plan.
        case everything
        /// Routine work only (``Planner/planRoutine(desired:live:drift:asOf:policy:)``): leftovers of an
        /// interrupted swap and the public views' membership are the change's.
        case routine
        /// The change beside a routine plan (``Planner/planChange(desired:live:drift:asOf:policy:)``): a
        /// public view that is gone is the routine's to put back.
        case change
    }

    var scope: Scope = .everything
    /// Due days not built yet because their source is not ready (`readyWhen`), per `template/tenant`:
    /// not built, and not in the tenant view.
    var heldDays: [String: Set<Day>] = [:]
    var routineOnly: Bool { scope == .routine }
    /// Every index name the plan gives, checked against the catalog's and its own (``IndexNameBook``).
    let indexNames: IndexNameBook

    init(desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day, policy: Policy) {
        self.desired = desired
        self.live = live
        self.asOf = asOf
        self.policy = policy
        self.objects = live.objectsByRole(templates: Set(desired.templates.map(\.name)))
        self.indexNames = IndexNameBook(live: live)
    }

    /// The name of the index of `spec` on `relation`: the seed's, unless another index holds it.
    func indexName(_ spec: IndexSpec, on relation: QualifiedName) -> String { indexNames.name(spec, on: relation) }

    var settings: WarehouseSettings { desired.settings }

    var expectedDays: [Day] { settings.expectedDays(asOf: asOf) }
    var expectedYears: [Int] { settings.expectedYears(asOf: asOf) }

    /// Tenants whose schema exists (a missing tenant is planned by the tenant rules, not here).
    var liveTenants: [Tenant] { settings.tenants.filter { live.schemas[$0.schema] != nil } }

    /// The live relation with that role in a schema.
    func relation(_ schema: String, _ role: ObjectNames.Role) -> LiveRelation? { objects[schema]?[role] }

    /// The members of a tenant view before its daily views: each past year's yearly table (live or built
    /// by this plan), or that year's daily views while its rollover is pending, oldest first.
    func historicalMembers(_ template: Template, tenant: Tenant) -> (members: [QualifiedName], pendingRollover: [Int]) {
        var members: [QualifiedName] = []
        var pending: [Int] = []
        let tenantObjects = objects[tenant.schema] ?? [:]
        for year in expectedYears {
            if let table = tenantObjects[.yearlyTable(template: template.name, year: year)] {
                members.append(table.name)
                continue
            }
            let planned = QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, year))
            if plannedYearlyTables.contains(planned) {
                members.append(planned)
                continue
            }
            let days = tenantObjects.keys.compactMap { role -> Day? in
                if case .dailyView(let name, let day) = role, name == template.name, day.year == year { return day }
                return nil
            }.sorted()
            if !days.isEmpty { pending.append(year) }
            members += days.map { QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, $0)) }
        }
        return (members, pending)
    }

    /// The average size of a tenant's live daily views of a template: the estimate for a day not built yet.
    func typicalDailySize(_ template: Template, tenant: Tenant) -> Double? {
        let sizes = (objects[tenant.schema] ?? [:]).compactMap { role, relation -> Int64? in
            if case .dailyView(let name, _) = role, name == template.name, relation.sizeBytes > 0 { return relation.sizeBytes }
            return nil
        }
        guard !sizes.isEmpty else { return nil }
        return Double(sizes.reduce(0, +)) / Double(sizes.count)
    }

    mutating func add(_ step: PlanStep) {
        switch step.phase {
        case .prepare: prepare.append(step)
        case .swap: swap.append(step)
        case .cleanup: cleanup.append(step)
        }
    }

    /// Records that a drift kind is not handled, so nobody thinks it was.
    mutating func notPlanned(_ item: DriftItem, because reason: String? = nil) {
        unplanned.insert("\(item.kind.rawValue) \(item.object)")
        let reason = reason ?? PlanningRun.whyNotPlanned(item.kind)
        notes.append("not planned yet: \(item.kind.rawValue) \(item.object) (\(reason))")
        unplannedReasons["\(item.kind.rawValue) \(item.object)"] = reason
    }

    /// Why an item of a kind no rule plans is left, and what to do.
    static func whyNotPlanned(_ kind: DriftItem.Kind) -> String {
        switch kind {
        case .connectionMissing:
            "warden never creates foreign servers, which hold credentials: create it as the remedy says, and the next plan does the rest"
        default:
            "warden does not plan \(kind.rawValue) yet: do what the remedy says by hand"
        }
    }

    /// The connections prepare builds over: `policy.parallelism`, capped by what the server allows
    /// (``ConnectionLimits/workers(requested:)``) when the catalog read its limits.
    var parallelism: Int { live.connectionLimits?.workers(requested: policy.parallelism) ?? max(1, policy.parallelism) }

    /// The steps numbered in running order, and the notes.
    func finish(revision: String?) -> Plan {
        var steps = prepare + swap + cleanup
        for index in steps.indices { steps[index].id = index + 1 }
        var seen = Set<String>()
        var plan = Plan(steps: steps, revision: revision, asOf: asOf, strategy: policy.strategy,
                        notes: notes.filter { seen.insert($0).inserted })
        plan.prepared = prepared.sorted()
        if plan.opensWorkers, let note = live.connectionLimits?.capNote(requested: policy.parallelism) { plan.notes.append(note) }
        return plan
    }
}
