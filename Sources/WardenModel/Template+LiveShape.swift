extension Template {
    /// The template as the warehouse carries it now: the query of its `_wh.mv_templates` row, the columns
    /// the tenants' live daily views actually have (types in canonical spelling; the row's column list
    /// when no daily view exists) and the indexes most of them carry. What `warden adopt` writes, and
    /// the shape routine work builds new days in while a change of the template waits (DESIGN.md §6b).
    public init(liveShapeOf row: RegistryRow, tenants: [Tenant], roles: [String: [ObjectNames.Role: LiveRelation]]) {
        var shapes: [[LiveColumn]: Int] = [:]
        var indexSets: [[IndexSpec]: Int] = [:]
        for tenant in tenants {
            for (role, relation) in roles[tenant.schema] ?? [:] {
                guard case .dailyView(let name, _) = role, name == row.templateName else { continue }
                shapes[relation.columns.map { LiveColumn(name: $0.name, type: $0.type) }, default: 0] += 1
                indexSets[Set(relation.indexes.filter(\.valid).map(\.spec)).sorted(), default: 0] += 1
            }
        }
        // The most common shape; ties go to the first in a fixed order, so the answer does not depend on
        // a dictionary's order.
        let columns: [Column]
        if let shape = shapes.sorted(by: { ($0.value, "\($1.key)") > ($1.value, "\($0.key)") }).first?.key {
            columns = shape.map { Column(name: $0.name, type: $0.type) }
        } else {
            columns = row.parsedColumns.map { Column(name: $0.name, type: ColumnType($0.type) ?? ColumnType(canonical: $0.type)) }
        }
        let indexes = indexSets.sorted(by: { ($0.value, "\($1.key)") > ($1.value, "\($0.key)") }).first?.key ?? row.parsedIndexes
        self.init(
            name: row.templateName, description: row.description ?? "", query: QueryText.normalized(row.queryTemplate),
            columns: columns, indexes: indexes)
    }
}
