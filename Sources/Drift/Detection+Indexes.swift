import WardenModel

extension Detection {
    /// Indexes of daily views and yearly tables, compared as specs (columns, uniqueness), not names.
    mutating func checkIndexes(_ template: Template) {
        let desiredSpecs = Set(template.indexes)
        var relations: [(tenant: String, relation: LiveRelation)] = []
        let days = Set(expectedDays)
        let years = Set(expectedYears)
        for tenant in settings.tenants {
            for (role, relation) in objects[tenant.schema] ?? [:] {
                switch role {
                case .dailyView(let name, let day) where name == template.name && days.contains(day):
                    relations.append((tenant.schema, relation))
                case .yearlyTable(let name, let year) where name == template.name && years.contains(year):
                    relations.append((tenant.schema, relation))
                default: break
                }
            }
        }
        guard !relations.isEmpty else { return }
        var missing: [IndexSpec: [(String, LiveRelation)]] = [:]
        var extra: [IndexSpec: [(String, LiveRelation)]] = [:]
        for (tenant, relation) in relations {
            let liveSpecs = Set(relation.indexes.filter(\.valid).map(\.spec))
            for spec in desiredSpecs.subtracting(liveSpecs) { missing[spec, default: []].append((tenant, relation)) }
            for spec in liveSpecs.subtracting(desiredSpecs) { extra[spec, default: []].append((tenant, relation)) }
        }
        for (spec, affected) in missing {
            report(spec: spec, affected: affected, of: relations.count, template: template, kind: .indexAdded)
        }
        for (spec, affected) in extra {
            report(spec: spec, affected: affected, of: relations.count, template: template, kind: .indexRemoved)
        }
    }

    private mutating func report(
        spec: IndexSpec, affected: [(String, LiveRelation)], of total: Int, template: Template, kind: DriftItem.Kind
    ) {
        let adding = kind == .indexAdded
        if affected.count >= 2 && affected.count * 2 > total {
            items.append(DriftItem(
                kind: kind, template: template.name, object: "\(template.name) index \(spec)",
                expected: adding ? "index \(spec) on every daily view and yearly table" : "no index \(spec)",
                found: adding ? "missing on \(affected.count) of \(total) objects" : "present on \(affected.count) of \(total) objects",
                remedy: adding ? "CREATE INDEX CONCURRENTLY on each object" : "DROP INDEX CONCURRENTLY on each object"))
            return
        }
        for (tenant, relation) in affected {
            items.append(DriftItem(
                kind: kind, template: template.name, tenant: tenant, object: relation.name.description,
                expected: adding ? "index \(spec)" : "no index \(spec)",
                found: adding ? "no such index" : "index \(relation.indexes.first { $0.spec == spec }?.name ?? spec.description)",
                remedy: adding ? "CREATE INDEX CONCURRENTLY" : "DROP INDEX CONCURRENTLY"))
        }
    }
}
