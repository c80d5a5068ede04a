import WardenModel

/// `warden adopt`: the desired state that describes an existing warehouse, built by hand with the seed's
/// functions or by warden. Pure: it reads a ``LiveWarehouse`` the catalog produced.
///
/// - Templates: the `_wh.mv_templates` rows, with the columns the live daily views actually have (types
///   in canonical spelling) and the indexes most of them carry.
/// - Tenants: schemas holding a union view of a template, with the connection their daily views read.
/// - Grants: `SELECT` on every public view, and on every union view of a tenant.
/// - `firstYear`: the oldest yearly table (or the as-of year when there is none).
public enum Adoption {
    public static func desiredState(of live: LiveWarehouse, asOf: Day) -> DesiredWarehouse {
        let templateNames = Set(live.registry.keys)
        let roles = live.objectsByRole(templates: templateNames)
        // The public schema: where a template's view reads other schemas' views of the same name.
        var publicSchema = "public"
        var tenantColumn = "tenant"
        for (schema, objects) in roles {
            for (role, relation) in objects {
                guard case .unionView(let template) = role, relation.kind == .view,
                      !relation.dependsOn.isEmpty, relation.dependsOn.allSatisfy({ $0.name == template && $0.schema != schema })
                else { continue }
                publicSchema = schema
                if let first = relation.columns.first { tenantColumn = first.name }
            }
        }
        var tenants: [Tenant] = []
        var firstYear = asOf.year
        for (schema, objects) in roles.sorted(by: { $0.key < $1.key }) where schema != publicSchema {
            guard objects.keys.contains(where: { if case .unionView = $0 { true } else { false } }) else { continue }
            var connection = "\(schema)-prod"
            for (role, relation) in objects.sorted(by: { $0.value.name < $1.value.name }) {
                if case .yearlyTable(_, let year) = role { firstYear = min(firstYear, year) }
                if case .dailyView = role, let definition = relation.definition,
                   let parsed = DailyViewDefinition(definition: definition) {
                    connection = parsed.connection
                }
            }
            tenants.append(Tenant(schema: schema, connection: connection))
        }
        var templates: [Template] = []
        for row in live.registry.values.sorted(by: { $0.templateName < $1.templateName }) {
            templates.append(Template(liveShapeOf: row, tenants: tenants, roles: roles))
        }
        var grants: [Grant] = []
        let publicViews = templates.compactMap { live.relations[QualifiedName(schema: publicSchema, name: $0.name)] }
        for role in commonReaders(publicViews) { grants.append(Grant(role: role, scope: .publicViews)) }
        for tenant in tenants {
            let views = templates.compactMap { live.relations[QualifiedName(schema: tenant.schema, name: $0.name)] }
            for role in commonReaders(views) { grants.append(Grant(role: role, scope: .tenantViews(tenant.schema))) }
        }
        let settings = WarehouseSettings(
            firstYear: firstYear, publicSchema: publicSchema, tenantColumn: tenantColumn, tenants: tenants, grants: grants)
        return DesiredWarehouse(settings: settings, templates: templates)
    }

    /// Roles that may `SELECT` from every one of the views (not their owners).
    static func commonReaders(_ views: [LiveRelation]) -> [String] {
        guard let first = views.first else { return [] }
        var readers = Set(first.privileges.filter { $0.value.contains("SELECT") }.keys)
        for view in views {
            readers.formIntersection(view.privileges.filter { $0.value.contains("SELECT") }.keys)
            readers.remove(view.owner)
        }
        return readers.sorted()
    }
}
