import Drift
import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Index drift: `CREATE INDEX CONCURRENTLY IF NOT EXISTS` / `DROP INDEX CONCURRENTLY IF EXISTS` on each
    /// daily view and yearly table concerned, one step per object, outside any transaction block.
    ///
    /// A template-level item covers every object of the template; a per-object item only that object.
    /// When the daily views are rebuilt as shadows anyway, only the yearly tables are indexed here; so are
    /// the relations in `rebuilt` (their shadows are built with every index). Indexes to create on the
    /// relations in `afterSwap` are built in cleanup: their columns are added or renamed by the swap.
    mutating func planIndexes(
        _ template: Template, items: [DriftItem], dailyViewsRebuilt: Bool, rebuilt: Set<QualifiedName> = [],
        afterSwap: Set<QualifiedName> = []
    ) {
        let everywhereAdd = items.contains { $0.kind == .indexAdded && $0.tenant == nil }
        let everywhereDrop = items.contains { $0.kind == .indexRemoved && $0.tenant == nil }
        let objectsAdd = Set(items.filter { $0.kind == .indexAdded && $0.tenant != nil }.map(\.object))
        let objectsDrop = Set(items.filter { $0.kind == .indexRemoved && $0.tenant != nil }.map(\.object))
        let desiredSpecs = Set(template.indexes)
        let days = Set(expectedDays)
        let years = Set(expectedYears)
        for tenant in liveTenants {
            let relations = (objects[tenant.schema] ?? [:]).compactMap { role, relation -> LiveRelation? in
                switch role {
                case .dailyView(let name, let day) where name == template.name && days.contains(day) && !dailyViewsRebuilt:
                    return relation
                case .yearlyTable(let name, let year) where name == template.name && years.contains(year):
                    return relation
                default:
                    return nil
                }
            }.filter { !rebuilt.contains($0.name) }.sorted { $0.name < $1.name }
            for relation in relations {
                let validSpecs = Set(relation.indexes.filter(\.valid).map(\.spec))
                if everywhereAdd || objectsAdd.contains(relation.name.description) {
                    let missing = template.indexes.filter { !validSpecs.contains($0) }
                    if !missing.isEmpty {
                        let phase: PlanStep.Phase = afterSwap.contains(relation.name) ? .cleanup : .prepare
                        add(createIndexStep(template, tenant: tenant, relation: relation, specs: missing, phase: phase))
                    }
                }
                if everywhereDrop || objectsDrop.contains(relation.name.description) {
                    let extra = relation.indexes.filter { $0.valid && !desiredSpecs.contains($0.spec) }.sorted { $0.name < $1.name }
                    if !extra.isEmpty { add(dropIndexStep(template, tenant: tenant, relation: relation, indexes: extra)) }
                }
            }
        }
    }

    private func createIndexStep(
        _ template: Template, tenant: Tenant, relation: LiveRelation, specs: [IndexSpec], phase: PlanStep.Phase = .prepare
    ) -> PlanStep {
        var statements: [String] = []
        var undo: [String] = []
        var targets: [String] = []
        for spec in specs {
            let name = indexName(spec, on: relation.name)
            // An invalid leftover of a failed CONCURRENTLY build holds the name: IF NOT EXISTS would skip.
            if relation.indexes.contains(where: { $0.name == name && !$0.valid }) {
                statements.append("DROP INDEX CONCURRENTLY IF EXISTS \(SQL.qualified(relation.name.schema, name))")
            }
            statements.append(WarehouseDDL.createIndex(spec, named: name, on: relation.name, concurrently: true))
            undo.insert("DROP INDEX CONCURRENTLY IF EXISTS \(SQL.qualified(relation.name.schema, name))", at: 0)
            targets.append(SQL.qualified(relation.name.schema, name))
        }
        let bytes = relation.sizeBytes > 0 ? Double(relation.sizeBytes) : nil
        return PlanStep(
            phase: phase, kind: .createIndex, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [relation.name.description] + targets, statements: statements, undo: undo, transactional: false,
            estimateBytes: nil, estimateSeconds: bytes.map { $0 * Double(specs.count) / Estimates.indexBytesPerSecond },
            reversible: true)
    }

    private func dropIndexStep(_ template: Template, tenant: Tenant, relation: LiveRelation, indexes: [LiveIndex]) -> PlanStep {
        var statements: [String] = []
        var undo: [String] = []
        for index in indexes {
            let name = SQL.qualified(relation.name.schema, index.name)
            statements.append("DROP INDEX CONCURRENTLY IF EXISTS \(name)")
            undo.insert(WarehouseDDL.createIndex(index.spec, named: index.name, on: relation.name, concurrently: true), at: 0)
        }
        return PlanStep(
            phase: .prepare, kind: .dropIndex, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [relation.name.description] + indexes.map { SQL.qualified(relation.name.schema, $0.name) },
            statements: statements, undo: undo, transactional: false,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: true)
    }
}
