import WardenModel

extension Detection {
    /// `_wh.mv_templates`, which warden keeps current so the seed's functions and habits keep working.
    mutating func checkRegistry(_ template: Template) {
        guard let row = live.registry[template.name] else {
            items.append(DriftItem(
                kind: .registry, template: template.name, object: "_wh.mv_templates[\(template.name)]",
                expected: "a registry row for \(template.name)", found: "no row",
                remedy: "insert the row (query_template, column_definitions, indexes)"))
            return
        }
        var differences: [String] = []
        if (row.description ?? "") != template.description { differences.append("description") }
        if QueryText.normalized(row.queryTemplate) != QueryText.normalized(template.query) { differences.append("query_template") }
        let liveColumns = row.parsedColumns.map { "\($0.name) \($0.type)" }
        let desiredColumns = template.columns.map { "\($0.name) \($0.type.name)" }
        if liveColumns != desiredColumns { differences.append("column_definitions") }
        if Set(row.parsedIndexes) != Set(template.indexes) { differences.append("indexes") }
        guard !differences.isEmpty else { return }
        items.append(DriftItem(
            kind: .registry, template: template.name, object: "_wh.mv_templates[\(template.name)]",
            expected: "the row matching the template", found: "differs in " + differences.joined(separator: ", "),
            remedy: "update the row"))
    }
}
