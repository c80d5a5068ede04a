import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Missing days of one tenant: build each daily view under its final name (nobody reads it yet), then
    /// replace the tenant view with the same columns and the new members.
    mutating func planMissingDays(_ template: Template, tenant: Tenant) {
        let held = heldDays["\(template.name)/\(tenant.schema)"] ?? []
        let missing = expectedDays.filter {
            relation(tenant.schema, .dailyView(template: template.name, day: $0)) == nil && !held.contains($0)
        }
        guard !missing.isEmpty else { return }
        let typical = typicalDailySize(template, tenant: tenant)
        for day in missing {
            let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
            add(buildStep(.buildDailyView, template, tenant: tenant, day: day, target: name, estimateBytes: typical))
        }
        let (history, _) = historicalMembers(template, tenant: tenant)
        let days = expectedDays.filter { !held.contains($0) || relation(tenant.schema, .dailyView(template: template.name, day: $0)) != nil }
            .map { QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, $0)) }
        add(tenantViewStep(template, tenant: tenant, members: history + days, columnsAdded: []))
    }

    /// Builds one daily view (or its shadow): the view, its indexes (plain `CREATE INDEX`: nobody reads
    /// it yet), and the stamp that tells a later run it is complete.
    func buildStep(
        _ kind: PlanStep.Kind, _ template: Template, tenant: Tenant, day: Day, target: QualifiedName,
        estimateBytes: Double?, replacingLeftover: Bool = false
    ) -> PlanStep {
        let stamp = ObjectStamp(
            specHash: template.dailyViewSpecHash(day: day, connection: tenant.connection), revision: desired.revision)
        var statements: [String] = []
        if replacingLeftover { statements.append("DROP MATERIALIZED VIEW IF EXISTS \(target)") }
        statements.append(WarehouseDDL.createDailyView(target, template: template, day: day, connection: tenant.connection))
        for spec in template.indexes {
            statements.append(WarehouseDDL.createIndex(
                spec, named: indexName(spec, on: target), on: target, concurrently: false))
        }
        statements.append(WarehouseDDL.comment(on: target, stamp: stamp))
        return PlanStep(
            phase: .prepare, kind: kind, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [target.description], statements: statements, undo: ["DROP MATERIALIZED VIEW IF EXISTS \(target)"],
            estimateBytes: estimateBytes, estimateSeconds: Estimates.buildSeconds(estimateBytes), reversible: true, stamp: stamp,
            sourceConnection: tenant.connection)
    }

    /// One tenant's swap transaction: `ADD COLUMN` on its yearly tables, then `CREATE OR REPLACE VIEW` of
    /// its union view with the template's columns in order. Locks O(yearly tables + 1) objects, never the
    /// daily views' worth of a whole warehouse.
    func tenantViewStep(_ template: Template, tenant: Tenant, members: [QualifiedName], columnsAdded: [Column]) -> PlanStep {
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        var statements: [String] = []
        var targets: [String] = []
        for member in members {
            guard let table = live.relations[member], table.kind == .table else { continue }
            let missing = columnsAdded.filter { column in !table.columns.contains { $0.name == column.name } }
            guard !missing.isEmpty else { continue }
            statements += missing.map { WarehouseDDL.addColumn($0, to: member) }
            targets.append(member.description)
        }
        if !statements.isEmpty, live.relations[view]?.kind == .view {
            // Readers of the public view lock the tenant views before their members: taking a yearly table
            // first and the view second could deadlock with a reader holding the view and waiting for the
            // table, and PostgreSQL would then cancel the reader. LOCK on a view locks it, then its members.
            statements.insert("LOCK TABLE \(view) IN ACCESS EXCLUSIVE MODE", at: 0)
        }
        statements.append(WarehouseDDL.tenantView(view, template: template, members: members))
        targets.append(view.description)
        // Same columns: the old definition puts it back. More columns: CREATE OR REPLACE cannot drop them.
        var undo: [String] = []
        if columnsAdded.isEmpty, let definition = live.relations[view]?.definition {
            undo = ["CREATE OR REPLACE VIEW \(view) AS\n" + PlanningRun.trimmedDefinition(definition)]
        }
        return PlanStep(
            phase: .swap, kind: .replaceTenantView, stepClass: .briefLock, template: template.name, tenant: tenant.schema,
            targets: targets, statements: statements, undo: undo, touchesLiveObjects: true,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: !undo.isEmpty)
    }

    /// The public view over the tenant views, in schema order as the seed's function writes it.
    func publicViewStep(_ template: Template, tenants: [Tenant]) -> PlanStep {
        let view = QualifiedName(schema: settings.publicSchema, name: template.name)
        let members = tenants.map(\.schema).sorted().map { QualifiedName(schema: $0, name: template.name) }
        let statement = WarehouseDDL.publicView(
            view, tenantColumn: settings.tenantColumn, columns: template.columns.map(\.name), tenantViews: members)
        return PlanStep(
            phase: .swap, kind: .replacePublicView, stepClass: .briefLock, template: template.name,
            targets: [view.description], statements: [statement], touchesLiveObjects: true,
            estimateSeconds: Estimates.catalogStatementSeconds, reversible: false)
    }

    /// The registry row upsert: `_wh.mv_templates` kept current so the seed's functions keep working.
    mutating func planRegistry(_ template: Template, phase: PlanStep.Phase) {
        let statement = WarehouseDDL.registryUpsert(
            name: template.name, description: template.description, query: template.query,
            columnDefinitions: template.columnDefinitions, indexes: WarehouseDDL.registryIndexes(template))
        let undo: String
        if let row = live.registry[template.name] {
            undo = WarehouseDDL.registryUpsert(
                name: row.templateName, description: row.description, query: row.queryTemplate,
                columnDefinitions: row.columnDefinitions, indexes: row.indexes)
        } else {
            undo = "DELETE FROM _wh.mv_templates WHERE template_name = \(SQL.quoteLiteral(template.name))"
        }
        add(PlanStep(
            phase: phase, kind: .updateRegistry, stepClass: .online, template: template.name,
            targets: ["_wh.mv_templates"], statements: [statement], undo: [undo],
            estimateSeconds: Estimates.catalogStatementSeconds, reversible: true))
    }

    /// `pg_get_viewdef` text without its trailing semicolon and blanks.
    static func trimmedDefinition(_ definition: String) -> String {
        var text = Substring(definition)
        while let last = text.last, last == ";" || last == " " || last == "\n" { text.removeLast() }
        while let first = text.first, first == " " || first == "\n" { text.removeFirst() }
        return String(text)
    }
}
