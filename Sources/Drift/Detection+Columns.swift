import WardenModel

/// A column list as names and canonical types, in order.
struct ColumnShape: Hashable {
    var columns: [Pair]
    struct Pair: Hashable {
        var name: String
        var type: String
    }

    init(_ live: [LiveColumn]) { columns = live.map { Pair(name: $0.name, type: $0.type.name) } }
    init(_ desired: [Column]) { columns = desired.map { Pair(name: $0.name, type: $0.type.name) } }
    init(pairs: [Pair]) { columns = pairs }

    var names: [String] { columns.map(\.name) }

    /// The same columns in the template's order (a column under its `renamedFrom` name where the new
    /// one takes it), columns the template lacks last in their own order.
    func inTemplateOrder(_ template: Template) -> ColumnShape {
        var position: [String: Int] = [:]
        for (index, column) in template.columns.enumerated() {
            position[column.name] = index
            if let old = column.renamedFrom, position[old] == nil { position[old] = index }
        }
        let ordered = columns.enumerated().sorted { lhs, rhs in
            (position[lhs.element.name] ?? Int.max, lhs.offset) < (position[rhs.element.name] ?? Int.max, rhs.offset)
        }
        return ColumnShape(pairs: ordered.map(\.element))
    }
    func type(of name: String) -> String? { columns.first { $0.name == name }?.type }
    var asSet: Set<Pair> { Set(columns) }
    var summary: String { columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ") }
}

extension Detection {
    /// The column list most of the template's live daily views share (yearly tables if there are no
    /// daily views): what the warehouse looks like now, whatever git says.
    ///
    /// A yearly table's physical column order means nothing: views read it by column name, and a column
    /// added with `ADD COLUMN` sits last on disk wherever the template puts it. So yearly tables count in
    /// the template's order, and only daily views (built from the template's column list) can show a
    /// moved column.
    func liveShape(of template: Template) -> ColumnShape? {
        var counts: [ColumnShape: Int] = [:]
        var yearlyCounts: [ColumnShape: Int] = [:]
        for tenant in settings.tenants {
            for (role, relation) in objects[tenant.schema] ?? [:] {
                switch role {
                case .dailyView(let name, _) where name == template.name:
                    counts[ColumnShape(relation.columns), default: 0] += 1
                case .yearlyTable(let name, _) where name == template.name:
                    yearlyCounts[ColumnShape(relation.columns).inTemplateOrder(template), default: 0] += 1
                default: break
                }
            }
        }
        let pool = counts.isEmpty ? yearlyCounts : counts
        return pool.max { ($0.value, $1.key.summary) < ($1.value, $0.key.summary) }?.key
    }

    /// Template-level column drift: the desired columns against the live shape.
    mutating func checkColumns(_ template: Template, shape: ColumnShape?) {
        guard let shape else { return }
        let desiredNames = template.columns.map(\.name)
        let renamedFrom = Set(template.columns.compactMap(\.renamedFrom))
        var handled = Set<String>()
        for (position, column) in template.columns.enumerated() {
            let place = position == 0 ? "first" : "after \(template.columns[position - 1].name)"
            if let liveType = shape.type(of: column.name) {
                handled.insert(column.name)
                if liveType != column.type.name {
                    items.append(DriftItem(
                        kind: .columnRetyped, template: template.name, object: "\(template.name).\(column.name)",
                        expected: "\(column.name) \(column.type.name)", found: "\(column.name) \(liveType)",
                        remedy: "check every yearly value converts, build shadow yearly tables and daily views with the new type, swap them in one transaction (destructive: needs allowDestructive)"))
                }
            } else if let old = column.renamedFrom, shape.type(of: old) != nil {
                handled.insert(old)
                items.append(DriftItem(
                    kind: .columnRenamed, template: template.name, object: "\(template.name).\(old)",
                    expected: "\(column.name) \(column.type.name) (renamed from \(old))", found: "\(old) \(shape.type(of: old)!)",
                    remedy: "rename the column in yearly tables, rebuild the daily views as shadows, swap the views in one transaction (breaking: needs allowDestructive)"))
            } else {
                let appended = position == template.columns.count - 1
                items.append(DriftItem(
                    kind: .columnAdded, template: template.name, object: "\(template.name).\(column.name)",
                    expected: "\(column.name) \(column.type.name) (\(place))",
                    found: "absent from the daily views and yearly tables",
                    remedy: appended
                        ? "build the current year's daily views as shadows, ADD COLUMN … DEFAULT to yearly tables, swap the tenant and public views"
                        : "build shadow daily views and swap all views in one transaction; yearly tables get the column with its default"))
            }
        }
        for live in shape.columns where !handled.contains(live.name) && !renamedFrom.contains(live.name) {
            items.append(DriftItem(
                kind: .columnRemoved, template: template.name, object: "\(template.name).\(live.name)",
                expected: "no column \(live.name)", found: "\(live.name) \(live.type)",
                remedy: "rebuild the daily views without it, swap the views, then DROP COLUMN from yearly tables (destructive: its history is lost; needs allowDestructive)"))
        }
        // Same columns, other order.
        let liveOrder = shape.names.filter { desiredNames.contains($0) }
        let desiredOrder = desiredNames.filter { shape.names.contains($0) }
        if liveOrder != desiredOrder {
            items.append(DriftItem(
                kind: .columnMoved, template: template.name, object: template.name,
                expected: "columns in order \(desiredOrder.joined(separator: ", "))",
                found: "columns in order \(liveOrder.joined(separator: ", "))",
                remedy: "build shadow daily views in the new order and swap all views in one transaction"))
        }
    }
}
