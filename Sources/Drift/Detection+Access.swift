import WardenModel

extension Detection {
    /// `SELECT` grants on views (and `USAGE` on tenant schemas) as `warehouse.yaml` lists them.
    mutating func checkGrants() {
        var wanted: [QualifiedName: Set<String>] = [:]
        var wantedUsage: [String: Set<String>] = [:]
        for template in desired.templates {
            wanted[QualifiedName(schema: settings.publicSchema, name: template.name), default: []] = []
            for tenant in settings.tenants {
                wanted[QualifiedName(schema: tenant.schema, name: template.name), default: []] = []
            }
        }
        for grant in settings.grants {
            for template in desired.templates {
                switch grant.scope {
                case .publicViews:
                    wanted[QualifiedName(schema: settings.publicSchema, name: template.name), default: []].insert(grant.role)
                case .tenantViews(let schema):
                    wanted[QualifiedName(schema: schema, name: template.name), default: []].insert(grant.role)
                    wantedUsage[schema, default: []].insert(grant.role)
                }
            }
        }
        for (name, roles) in wanted {
            guard let view = live.relations[name], view.kind == .view else { continue }
            let template = name.name
            let tenant = name.schema == settings.publicSchema ? nil : name.schema
            let readers = Set(view.privileges.filter { $0.value.contains("SELECT") }.keys).subtracting([view.owner])
            for role in roles.subtracting(readers).sorted() {
                let exists = live.roles.isEmpty || live.roles.contains(role)
                items.append(DriftItem(
                    kind: .grantMissing, template: template, tenant: tenant, object: name.description,
                    expected: "SELECT for \(role)", found: exists ? "no SELECT for \(role)" : "role \(role) does not exist",
                    remedy: exists ? "GRANT SELECT ON \(name) TO \(role)" : "create role \(role) (warden never creates roles), then grant"))
            }
            for role in readers.subtracting(roles).sorted() {
                items.append(DriftItem(
                    kind: .grantUnexpected, template: template, tenant: tenant, object: name.description,
                    expected: "no SELECT for \(role)", found: "SELECT for \(role)", remedy: "REVOKE SELECT ON \(name) FROM \(role)"))
            }
        }
        for (schema, roles) in wantedUsage {
            guard let live = live.schemas[schema] else { continue }
            for role in roles.subtracting(live.usage).subtracting([live.owner]).sorted() {
                items.append(DriftItem(
                    kind: .grantMissing, tenant: schema, object: "schema \(schema)",
                    expected: "USAGE for \(role)", found: "no USAGE for \(role)", remedy: "GRANT USAGE ON SCHEMA \(schema) TO \(role)"))
            }
        }
    }

    /// Ownership of every managed object, when `owner` is set.
    mutating func checkOwner() {
        guard let owner = settings.owner else { return }
        var wrong: [String: [LiveRelation]] = [:]
        for tenant in settings.tenants {
            for (_, relation) in objects[tenant.schema] ?? [:] where relation.owner != owner {
                wrong[tenant.schema, default: []].append(relation)
            }
        }
        for template in desired.templates {
            if let view = live.relations[QualifiedName(schema: settings.publicSchema, name: template.name)], view.owner != owner {
                wrong[settings.publicSchema, default: []].append(view)
            }
        }
        for (schema, relations) in wrong {
            let owners = Set(relations.map(\.owner)).sorted().joined(separator: ", ")
            items.append(DriftItem(
                kind: .owner, tenant: schema == settings.publicSchema ? nil : schema,
                object: relations.count == 1 ? relations[0].name.description : "\(relations.count) objects in \(schema)",
                expected: "owned by \(owner)", found: "owned by \(owners)", remedy: "ALTER … OWNER TO \(owner)"))
        }
    }

    /// Shadows and retired objects left by an interrupted run.
    mutating func checkLeftovers() {
        for (schema, roles) in objects {
            for (role, relation) in roles {
                guard case .leftover(let base, let suffix) = role else { continue }
                items.append(DriftItem(
                    kind: .shadowLeftover, tenant: schema, object: relation.name.description,
                    expected: "no \(suffix.dropFirst(2)) object", found: "a leftover of \(QualifiedName(schema: schema, name: base)) from an interrupted run",
                    remedy: suffix == ObjectNames.shadowSuffix ? "reuse it if its stamp matches the spec, else drop it" : "drop it"))
            }
        }
    }
}
