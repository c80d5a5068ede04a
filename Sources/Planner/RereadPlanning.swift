import WardenModel

/// Re-reading built days from their source (DESIGN.md §6b): lookback's late rows and `warden restate`.
///
/// A day is re-read with `REFRESH MATERIALIZED VIEW CONCURRENTLY`, which needs a unique index on the
/// daily view and keeps readers on the old rows until it commits: nobody waits, nobody fails. A template
/// without a unique index is not re-read (a note says why and what to add): a plain `REFRESH` would lock
/// readers out for the whole query.
extension Planner {
    /// The steps that re-read `days` of `template` for `tenant`, one per day whose daily view exists
    /// (days not built are the routine's to build, not to re-read), and the notes on what is left.
    public static func rereadSteps(
        template: Template, tenant: Tenant, days: [Day], live: LiveWarehouse
    ) -> (steps: [PlanStep], notes: [String]) {
        guard !days.isEmpty else { return ([], []) }
        guard template.indexes.contains(where: \.unique) else {
            return ([], ["\(template.name) is not re-read for \(tenant.schema): REFRESH … CONCURRENTLY needs a unique index; declare one (unique: true) in templates/\(template.name).yaml"])
        }
        var steps: [PlanStep] = []
        var notes: [String] = []
        for day in days {
            let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
            guard let relation = live.relations[name], relation.kind == .materializedView else { continue }
            guard relation.populated, relation.indexes.contains(where: { $0.valid && $0.spec.unique }) else {
                notes.append("\(name) is not re-read: it has no valid unique index or is not populated; the next change of \(template.name) rebuilds it")
                continue
            }
            let bytes = relation.sizeBytes > 0 ? Double(relation.sizeBytes) : nil
            steps.append(PlanStep(
                phase: .prepare, kind: .refreshDailyView, stepClass: .online, template: template.name, tenant: tenant.schema,
                targets: [name.description], statements: ["REFRESH MATERIALIZED VIEW CONCURRENTLY \(name)"],
                touchesLiveObjects: true, estimateBytes: bytes, estimateSeconds: Estimates.buildSeconds(bytes),
                sourceConnection: tenant.connection, work: .routine))
        }
        return (steps, notes)
    }

    /// A routine plan of re-read steps alone (`warden restate`): every step routine, numbered.
    public static func rereadPlan(_ steps: [PlanStep], notes: [String], revision: String?, asOf: Day) -> Plan {
        Plan(steps: [], revision: revision, asOf: asOf, strategy: .shadowSwap, notes: []).addingPrepare(steps, notes: notes)
    }
}

extension Plan {
    /// This plan with `steps` added at the end of its prepare phase (renumbered, summary recomputed).
    func addingPrepare(_ extra: [PlanStep], notes extraNotes: [String]) -> Plan {
        guard !extra.isEmpty || !extraNotes.isEmpty else { return self }
        var copy = self
        let prepare = steps.filter { $0.phase == .prepare }
        copy.steps = prepare + extra + steps.filter { $0.phase != .prepare }
        for index in copy.steps.indices { copy.steps[index].id = index + 1 }
        copy.notes += extraNotes
        copy.summary = Plan.summarize(copy.steps, regression: copy.asOfRegression)
        return copy
    }
}

extension Planner {
    /// `warden restate`: re-read `days` of `template` for `tenants` (every declared tenant when empty)
    /// from their sources, and nothing else. Pure.
    ///
    /// Throws ``RepairRefusal`` (one sentence naming the object and the fix) for a template or tenant
    /// not declared, a day not yet due, a day of a past year (kept in a yearly table: re-loading it
    /// needs `allowDestructive`, and is not built yet), a template without a unique index, or when no
    /// day in the range is built.
    public static func restatement(
        template name: String, tenants schemas: [String], days: [Day], desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day,
        allowDestructive: Bool
    ) throws -> Plan {
        guard let template = desired.template(named: name) else {
            throw RepairRefusal("there is no template \(name) in the desired state; its templates are "
                + desired.templates.map(\.name).joined(separator: ", "))
        }
        var tenants: [Tenant] = []
        for schema in schemas {
            guard let tenant = desired.settings.tenants.first(where: { $0.schema == schema }) else {
                throw RepairRefusal("\(schema) is not a tenant of warehouse.yaml (its tenants are "
                    + desired.settings.tenants.map(\.schema).joined(separator: ", ") + ")")
            }
            tenants.append(tenant)
        }
        if tenants.isEmpty { tenants = desired.settings.tenants.filter { live.schemas[$0.schema] != nil } }
        guard let first = days.first, let last = days.last else { throw RepairRefusal("no day to restate; give --from and --to") }
        if last >= asOf {
            throw RepairRefusal("\(last) is not due yet (the warehouse is as of \(asOf), its newest day is \(asOf.previous)); restate days before \(asOf)")
        }
        let kept = Set(desired.settings.expectedDays(asOf: asOf))
        if let past = days.first(where: { !kept.contains($0) }) {
            let table = ObjectNames.yearlyTable(template.name, past.year)
            let why = allowDestructive
                ? "re-loading a yearly table's day (delete its rows and insert them again) is not built yet"
                : "re-loading it deletes that day's rows and inserts them again, which needs --allow-destructive"
            throw RepairRefusal("\(past) is kept in the yearly tables (\(table)), not as a daily view; \(why); restate days from \(asOf.startOfYear) on")
        }
        var steps: [PlanStep] = []
        var notes: [String] = []
        for tenant in tenants {
            let found = rereadSteps(template: template, tenant: tenant, days: days, live: live)
            if let note = found.notes.first, found.steps.isEmpty, !template.indexes.contains(where: \.unique) {
                throw RepairRefusal(note)
            }
            steps += found.steps
            notes += found.notes
        }
        guard !steps.isEmpty else {
            throw RepairRefusal("no daily view of \(template.name) from \(first) to \(last) is built for "
                + tenants.map(\.schema).joined(separator: ", ") + "; warden apply builds missing days")
        }
        return rereadPlan(steps, notes: notes, revision: desired.revision, asOf: asOf)
    }
}
