import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Renames that swap a retyped yearly table's shadow in: the live table and any index holding a final
    /// index name become `__retired`, the shadow and its indexes take the final names. Index renames take
    /// SHARE UPDATE EXCLUSIVE on the index only, which readers never wait for.
    func retypeRenames(_ template: Template, table: LiveRelation, shadow: QualifiedName, retired: QualifiedName) -> [Rename] {
        var renames: [Rename] = [.relation("TABLE", table.name, to: retired.name)]
        let finalIndexNames = Set(template.indexes.map { indexName($0, on: table.name) })
        for index in table.indexes.sorted(by: { $0.name < $1.name }) where finalIndexNames.contains(index.name) {
            let name = indexNames.name(columns: index.columns, unique: index.unique, on: retired)
            renames.append(.relation("INDEX", QualifiedName(schema: table.name.schema, name: index.name), to: name))
        }
        renames.append(.relation("TABLE", shadow, to: table.name.name))
        for spec in template.indexes {
            let shadowIndex = QualifiedName(schema: shadow.schema, name: indexName(spec, on: shadow))
            renames.append(.relation("INDEX", shadowIndex, to: indexName(spec, on: table.name)))
        }
        return renames
    }

    /// Copies a yearly table into its shadow with the template's columns, types and indexes, converting
    /// retyped columns; a leftover shadow with another stamp is dropped first.
    func shadowYearlyTableStep(
        _ template: Template, tenant: Tenant, mapping: YearlyTableMapping, shadow: QualifiedName, stamp: ObjectStamp,
        replacingLeftover: Bool
    ) -> PlanStep {
        var statements: [String] = []
        if replacingLeftover { statements.append("DROP TABLE IF EXISTS \(shadow)") }
        statements.append(WarehouseDDL.createYearlyTable(shadow, columns: template.columns))
        statements.append(WarehouseDDL.copyRows(from: mapping.table.name, into: shadow, mapping.copyList))
        for spec in template.indexes {
            let name = indexName(spec, on: shadow)
            statements.append(WarehouseDDL.createIndex(spec, named: name, on: shadow, concurrently: false))
        }
        if let owner = settings.owner { statements.append("ALTER TABLE \(shadow) OWNER TO \(SQL.identifier(owner))") }
        // The copy keeps the privileges of the table it replaces.
        let grants = mapping.table.privileges.sorted { $0.key < $1.key }
        for (grantee, privileges) in grants where grantee != mapping.table.owner {
            let role = grantee == "PUBLIC" ? "PUBLIC" : SQL.identifier(grantee)
            statements.append("GRANT \(privileges.sorted().joined(separator: ", ")) ON \(shadow) TO \(role)")
        }
        statements.append(WarehouseDDL.comment(on: shadow, keyword: "TABLE", stamp: stamp))
        statements.append("ANALYZE \(shadow)")
        let bytes = mapping.table.sizeBytes > 0 ? Double(mapping.table.sizeBytes) : nil
        return PlanStep(
            phase: .prepare, kind: .buildShadowYearlyTable, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [shadow.description], statements: statements, undo: ["DROP TABLE IF EXISTS \(shadow)"],
            estimateBytes: bytes, estimateSeconds: bytes.map { $0 / Estimates.indexBytesPerSecond }, reversible: true,
            stamp: stamp)
    }

    /// A shadow tenant or public view: created over its branches, owned and granted as the live one should
    /// be, stamped. Roles that do not exist are left out with a note (warden never creates roles).
    mutating func shadowViewStep(
        _ template: Template, tenant: String?, shadow: QualifiedName, branches: [(member: QualifiedName, list: [String])],
        roles: [String]
    ) -> PlanStep {
        let create = WarehouseDDL.createView(shadow, branches: branches)
        var statements = [create]
        if let owner = settings.owner { statements.append("ALTER VIEW \(shadow) OWNER TO \(SQL.identifier(owner))") }
        for role in Set(roles).sorted() {
            guard live.roles.isEmpty || live.roles.contains(role) else {
                notes.append("role \(role) does not exist: create it (warden never creates roles), "
                    + "then the grant on \(shadow.schema).\(template.name) is planned")
                continue
            }
            statements.append("GRANT SELECT ON \(shadow) TO \(SQL.identifier(role))")
        }
        let stamp = ObjectStamp(specHash: SpecHash.of(["view", create]), revision: desired.revision)
        statements.append(WarehouseDDL.comment(on: shadow, keyword: "VIEW", stamp: stamp))
        return PlanStep(
            phase: .swap, kind: .buildShadowView, stepClass: .online, template: template.name, tenant: tenant,
            targets: [shadow.description], statements: statements, undo: ["DROP VIEW IF EXISTS \(shadow)"],
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: true, stamp: stamp)
    }

    /// The retired view of an earlier swap, dropped in cleanup when this plan does not swap that view.
    mutating func dropRetiredView(_ template: Template, of view: QualifiedName, work: inout ColumnChangeWork) {
        guard let retired = live.relations[retiredName(view)], retired.kind == .view else { return }
        let tenant = view.schema == settings.publicSchema ? nil : view.schema
        let drop = dropView(template, tenant: tenant, retired.name)
        if tenant == nil { work.retiredViewDrops.insert(drop, at: 0) } else { work.retiredViewDrops.append(drop) }
        coveredObjects.insert(retired.name.description)
    }

    func dropView(_ template: Template, tenant: String?, _ view: QualifiedName, phase: PlanStep.Phase = .cleanup) -> PlanStep {
        PlanStep(
            phase: phase, kind: .dropRetired, stepClass: .online, template: template.name, tenant: tenant,
            targets: [view.description], statements: ["DROP VIEW IF EXISTS \(view)"],
            estimateSeconds: Estimates.catalogStatementSeconds)
    }

    func dropRetiredTable(_ template: Template, tenant: Tenant, _ table: QualifiedName, phase: PlanStep.Phase) -> PlanStep {
        PlanStep(
            phase: phase, kind: .dropRetired, stepClass: .destructive, template: template.name, tenant: tenant.schema,
            targets: [table.description], statements: ["DROP TABLE IF EXISTS \(table)"],
            estimateSeconds: Estimates.catalogStatementSeconds)
    }
}
