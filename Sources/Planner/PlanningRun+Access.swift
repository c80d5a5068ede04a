import Drift
import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Grant drift: `GRANT` the missing privileges, `REVOKE` the unexpected ones, recomputed from the
    /// desired grants and the live privileges of each object an item names.
    ///
    /// Class online: `GRANT` and `REVOKE` only rewrite the object's ACL in the catalog; they lock that one
    /// view (or schema) briefly and never its members, so readers do not queue behind them.
    mutating func planGrants(_ items: [DriftItem]) {
        var done = Set<String>()
        for item in items {
            let key = "\(item.kind.rawValue) \(item.object)"
            guard done.insert(key).inserted else { continue }
            let granting = item.kind == .grantMissing
            if let template = item.template {
                let view = QualifiedName(schema: item.tenant ?? settings.publicSchema, name: template)
                guard let relation = live.relations[view] else {
                    notPlanned(item, because: "the view does not exist")
                    continue
                }
                let wanted = Set(settings.grants.filter { grant in
                    switch grant.scope {
                    case .publicViews: item.tenant == nil
                    case .tenantViews(let schema): item.tenant == schema
                    }
                }.map(\.role))
                let readers = Set(relation.privileges.filter { $0.value.contains("SELECT") }.keys).subtracting([relation.owner])
                let roles = (granting ? wanted.subtracting(readers) : readers.subtracting(wanted)).sorted()
                add(accessStep(item, roles: roles, object: view.description, privilege: "SELECT", on: view.description, template: template))
            } else if item.object.hasPrefix("schema "), let schema = item.tenant, let liveSchema = live.schemas[schema] {
                let wanted = Set(settings.grants.filter { $0.scope == .tenantViews(schema) }.map(\.role))
                let roles = wanted.subtracting(liveSchema.usage).subtracting([liveSchema.owner]).sorted()
                add(accessStep(item, roles: roles, object: item.object, privilege: "USAGE", on: "SCHEMA \(SQL.identifier(schema))", template: nil))
            } else {
                notPlanned(item)
            }
        }
        swap.removeAll { $0.statements.isEmpty }
    }

    /// One `GRANT`/`REVOKE` step on one object; roles that do not exist become a note (warden never
    /// creates roles).
    private mutating func accessStep(
        _ item: DriftItem, roles: [String], object: String, privilege: String, on target: String, template: String?
    ) -> PlanStep {
        let granting = item.kind == .grantMissing
        var statements: [String] = []
        var undo: [String] = []
        for role in roles {
            if granting && !live.roles.isEmpty && !live.roles.contains(role) {
                notes.append("role \(role) does not exist: create it (warden never creates roles), then the grant on \(object) is planned")
                continue
            }
            let grant = "GRANT \(privilege) ON \(target) TO \(SQL.identifier(role))"
            let revoke = "REVOKE \(privilege) ON \(target) FROM \(SQL.identifier(role))"
            statements.append(granting ? grant : revoke)
            undo.insert(granting ? revoke : grant, at: 0)
        }
        return PlanStep(
            phase: .swap, kind: granting ? .grant : .revoke, stepClass: .online, template: template, tenant: item.tenant,
            targets: [object], statements: statements, undo: undo,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: true)
    }
}
