import Drift
import WardenModel

/// The planning stage (DESIGN.md §5): a drift report, the desired and live warehouse and a policy → the
/// minimal partial reconstruction, as a ``Plan``. Pure: no I/O, no clock.
///
/// Only the templates and tenants the drift names are touched. A drift kind the planner does not handle
/// yet becomes a note (`not planned yet: <kind> …`), never silently dropped.
public enum Planner {
    /// Plans the reconciliation of `drift`.
    ///
    /// - Parameters:
    ///   - desired: the desired state the drift was computed from.
    ///   - live: the live warehouse the drift was computed from.
    ///   - drift: the drift to reconcile.
    ///   - asOf: the as-of day (yesterday's daily view is the newest).
    ///   - policy: the strategy and guards to plan with.
    public static func plan(desired: DesiredWarehouse, live: LiveWarehouse, drift: DriftReport, asOf: Day, policy: Policy) -> Plan {
        plan(desired: desired, live: live, drift: drift, asOf: asOf, policy: policy, scope: .everything)
    }

    static func plan(
        desired: DesiredWarehouse, live: LiveWarehouse, drift: DriftReport, asOf: Day, policy: Policy, scope: PlanningRun.Scope,
        readiness: SourceReadiness = SourceReadiness()
    ) -> Plan {
        var run = PlanningRun(desired: desired, live: live, asOf: asOf, policy: policy)
        run.scope = scope
        for (template, tenants) in readiness.waiting {
            for (tenant, days) in tenants { run.heldDays["\(template)/\(tenant)"] = Set(days.keys) }
        }
        run.plan(drift.items)
        var plan = run.finish(revision: drift.revision ?? desired.revision)
        plan.destructiveChanges = destructiveChanges(drift.items, unplanned: run.unplanned)
        plan.unplanned = run.unplanned.sorted()
        plan.unplannedReasons = run.unplannedReasons
        plan.asOfRegression = AsOfRegression.detect(desired: desired, live: live, asOf: asOf)
        return plan
    }

    /// Drift kinds whose reconciliation needs `allowDestructive` even when no step of it drops data.
    static let destructiveKinds: Set<DriftItem.Kind> = [.columnRemoved, .columnRenamed, .columnRetyped, .tenantUnexpected]

    /// The items of those kinds that the plan carries out (not left as `not planned yet` notes).
    static func destructiveChanges(_ items: [DriftItem], unplanned: Set<String>) -> [String] {
        items.filter { destructiveKinds.contains($0.kind) }.map { "\($0.kind.rawValue) \($0.object)" }.filter { !unplanned.contains($0) }
    }
}
