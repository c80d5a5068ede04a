import WardenModel

/// Seed 000's emergency procedures (`_wh.update_public_view_by_template`,
/// `_wh.update_tenant_union_view_by_template`) for one template: the statements of one transaction that
/// put its tenant or public view back from what exists now, with grants, owner and stamp.
///
/// One transaction: a view is dropped (only when `CREATE OR REPLACE` cannot fix it) in the same
/// transaction that creates it again, so a repair that fails leaves everything as it was.
/// ``plan(_:desired:live:asOf:)`` builds them.
public struct ViewRepair: Sendable, Hashable {
    public var template: String
    /// The tenant of a `tenant-view` repair, `nil` for a public view.
    public var tenant: String?
    /// The views the transaction changes, in the order it changes them.
    public var views: [RepairedView]
    /// The transaction's statements, without trailing semicolons.
    public var statements: [String]
    /// What people should know: views left alone, tenants left out, roles that do not exist.
    public var notes: [String]

    public init(template: String, tenant: String?, views: [RepairedView], statements: [String], notes: [String]) {
        self.template = template
        self.tenant = tenant
        self.views = views
        self.statements = statements
        self.notes = notes
    }

    /// Nothing to change: every view concerned is right.
    public var isEmpty: Bool { statements.isEmpty }

    /// The repair as one swap step (one transaction that locks live views briefly), for the executor
    /// and the run journal.
    public func step(id: Int) -> PlanStep {
        let tenantView = views.contains { $0.name.schema == tenant }
        return PlanStep(
            id: id, phase: .swap, kind: tenantView ? .replaceTenantView : .replacePublicView, stepClass: .briefLock,
            template: template, tenant: tenant, targets: views.map(\.name.description), statements: statements,
            transactional: true, touchesLiveObjects: true,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds)
    }
}
