import WardenModel

extension Detection {
    /// The relations a tenant view should read: its yearly tables, its daily views, and daily views of
    /// a past year still waiting for their rollover.
    func expectedMembers(_ template: Template, tenant: Tenant) -> Set<QualifiedName> {
        let tenantObjects = objects[tenant.schema] ?? [:]
        let years = Set(expectedYears)
        var members = Set<QualifiedName>()
        for (role, relation) in tenantObjects {
            switch role {
            case .yearlyTable(let name, let year) where name == template.name && years.contains(year):
                members.insert(relation.name)
            case .dailyView(let name, let day) where name == template.name && day < asOf && day.year >= settings.firstYear:
                let rolledOver = day.year < asOf.year && tenantObjects[.yearlyTable(template: name, year: day.year)] != nil
                if !rolledOver { members.insert(relation.name) }
            default: break
            }
        }
        return members
    }

    mutating func checkTenantView(_ template: Template, tenant: Tenant, shape: ColumnShape?) {
        let name = QualifiedName(schema: tenant.schema, name: template.name)
        guard let view = live.relations[name], view.kind == .view else {
            items.append(DriftItem(
                kind: .tenantView, template: template.name, tenant: tenant.schema, object: name.description,
                expected: "a union view of the yearly tables and daily views", found: live.relations[name].map { "a \($0.kind.rawValue)" } ?? "no view",
                remedy: "create the tenant view (and add it to the public view)"))
            return
        }
        var found: [String] = []
        let expected = expectedMembers(template, tenant: tenant)
        let members = Set(view.dependsOn)
        if members != expected {
            found.append(Detection.membershipDifference(expected: expected, found: members))
        }
        if let shape, ColumnShape(view.columns) != shape {
            found.append("columns \(ColumnShape(view.columns).summary)")
        }
        if !found.isEmpty {
            items.append(DriftItem(
                kind: .tenantView, template: template.name, tenant: tenant.schema, object: name.description,
                expected: "UNION ALL of \(expected.count) member(s)\(shape.map { " with columns " + $0.summary } ?? "")",
                found: found.joined(separator: "; "), remedy: "CREATE OR REPLACE the tenant view"))
        }
    }

    mutating func checkPublicView(_ template: Template, shape: ColumnShape?) {
        let name = QualifiedName(schema: settings.publicSchema, name: template.name)
        let expected = Set(settings.tenants.map { QualifiedName(schema: $0.schema, name: template.name) }
            .filter { live.relations[$0]?.kind == .view })
        guard let view = live.relations[name], view.kind == .view else {
            items.append(DriftItem(
                kind: .publicView, template: template.name, object: name.description,
                expected: "a union view of \(settings.tenants.count) tenant view(s)",
                found: live.relations[name].map { "a \($0.kind.rawValue)" } ?? "no view",
                remedy: "create the public view with its grants"))
            return
        }
        var found: [String] = []
        let members = Set(view.dependsOn)
        if members != expected {
            found.append(Detection.membershipDifference(expected: expected, found: members))
        }
        if let shape {
            let wanted = ColumnShape(pairs: [ColumnShape.Pair(name: settings.tenantColumn, type: "text")] + shape.columns)
            if ColumnShape(view.columns) != wanted { found.append("columns \(ColumnShape(view.columns).summary)") }
        }
        if !found.isEmpty {
            items.append(DriftItem(
                kind: .publicView, template: template.name, object: name.description,
                expected: "UNION ALL of the tenant views of \(expected.map(\.schema).sorted().joined(separator: ", "))",
                found: found.joined(separator: "; "), remedy: "CREATE OR REPLACE the public view, keeping its grants"))
        }
    }

    /// `lacks a, b; has extra c` with at most a few names each.
    static func membershipDifference(expected: Set<QualifiedName>, found: Set<QualifiedName>) -> String {
        func list(_ names: Set<QualifiedName>) -> String {
            let sorted = names.sorted().map(\.description)
            return sorted.count <= 3 ? sorted.joined(separator: ", ") : sorted.prefix(3).joined(separator: ", ") + " and \(sorted.count - 3) more"
        }
        var parts: [String] = []
        let lacking = expected.subtracting(found)
        let extra = found.subtracting(expected)
        if !lacking.isEmpty { parts.append("lacks \(list(lacking))") }
        if !extra.isEmpty { parts.append("also reads \(list(extra))") }
        return parts.joined(separator: "; ")
    }
}
