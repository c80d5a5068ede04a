import WardenModel

extension Detection {
    /// Daily views: missing days, views built from another spec, views that should not exist.
    mutating func checkQueriesAndDays(_ template: Template, shape: ColumnShape?) {
        let days = expectedDays
        // Rendered once per day, not once per tenant and day.
        var rendered: [Day: String] = [:]
        for day in days { rendered[day] = template.renderedQuery(for: day) }
        let shapeColumns = shape.map { shape in shape.columns.map { LiveColumn(name: $0.name, type: ColumnType(canonical: $0.type)) } }
        var staleQueries: [(tenant: Tenant, day: Day, relation: LiveRelation, found: String)] = []
        var checked = 0
        for tenant in settings.tenants {
            guard live.schemas[tenant.schema] != nil else { continue }
            let tenantObjects = objects[tenant.schema] ?? [:]
            var missing: [Day] = []
            for day in days {
                guard let relation = tenantObjects[.dailyView(template: template.name, day: day)] else {
                    missing.append(day)
                    continue
                }
                checked += 1
                if relation.kind != .materializedView {
                    items.append(DriftItem(
                        kind: .dayStale, template: template.name, tenant: tenant.schema, object: relation.name.description,
                        expected: "a materialized view", found: "a \(relation.kind.rawValue)",
                        remedy: "replace it with the daily view of \(day)"))
                    continue
                }
                // The catalog interns identical column lists, so equal lists usually share storage.
                if let shape, relation.columns != shapeColumns, ColumnShape(relation.columns) != shape {
                    items.append(DriftItem(
                        kind: .dayStale, template: template.name, tenant: tenant.schema, object: relation.name.description,
                        expected: "columns \(shape.summary)", found: "columns \(ColumnShape(relation.columns).summary)",
                        remedy: "rebuild the daily view of \(day) as a shadow and swap it in"))
                    continue
                }
                if let found = queryMismatch(template, tenant: tenant, day: day, relation: relation, rendered: rendered[day]) {
                    staleQueries.append((tenant, day, relation, found))
                }
            }
            let waiting = readiness.waitingDays(template.name, tenant: tenant.schema)
            if !waiting.isEmpty {
                let held = missing.filter { waiting[$0] != nil }
                missing.removeAll { waiting[$0] != nil }
                for day in held {
                    items.append(DriftItem(
                        kind: .dayWaiting, template: template.name, tenant: tenant.schema,
                        object: QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day)).description,
                        expected: "readyWhen true for \(day)", found: "readyWhen answered \(waiting[day]!)",
                        remedy: "nothing: the day is built on the first pass after the source is ready"))
                }
            }
            for range in Detection.ranges(of: missing) {
                let first = ObjectNames.dailyView(template.name, range.lowerBound)
                let object = range.lowerBound == range.upperBound
                    ? QualifiedName(schema: tenant.schema, name: first).description
                    : "\(QualifiedName(schema: tenant.schema, name: first)) … \(ObjectNames.dailyView(template.name, range.upperBound)) (\(range.upperBound.ordinal - range.lowerBound.ordinal + 1) days)"
                items.append(DriftItem(
                    kind: .dayMissing, template: template.name, tenant: tenant.schema, object: object,
                    expected: range.lowerBound == range.upperBound ? "a daily view for \(range.lowerBound)"
                        : "daily views for \(range.lowerBound) … \(range.upperBound)",
                    found: "none", remedy: "build the missing daily view(s) through \(tenant.connection) and add them to the tenant view"))
            }
            // Views of days that should not be daily views.
            for (role, relation) in tenantObjects {
                guard case .dailyView(let name, let day) = role, name == template.name else { continue }
                if day >= asOf {
                    items.append(DriftItem(
                        kind: .dayUnexpected, template: template.name, tenant: tenant.schema, object: relation.name.description,
                        expected: "daily views up to \(asOf.previous)", found: "a daily view for \(day), on or after the as-of date \(asOf)",
                        remedy: "drop it (it is not in the tenant view's range)"))
                } else if day.year < settings.firstYear {
                    items.append(DriftItem(
                        kind: .dayUnexpected, template: template.name, tenant: tenant.schema, object: relation.name.description,
                        expected: "no history before \(settings.firstYear)", found: "a daily view for \(day)",
                        remedy: "drop it (destructive: needs allowDestructive)"))
                } else if day.year < asOf.year,
                          tenantObjects[.yearlyTable(template: template.name, year: day.year)] != nil {
                    items.append(DriftItem(
                        kind: .dayUnexpected, template: template.name, tenant: tenant.schema, object: relation.name.description,
                        expected: "\(day.year) kept in \(ObjectNames.yearlyTable(template.name, day.year))",
                        found: "a daily view for \(day) beside the yearly table",
                        remedy: "drop it once the tenant view reads the yearly table"))
                }
            }
        }
        // Many views built from another query: the template's query changed. A few: someone rebuilt them.
        if staleQueries.count >= 2 && staleQueries.count * 2 > checked {
            // A column change rebuilds every daily view from the desired query: an added column is one
            // change, and one item, not a column item plus a query item.
            guard !hasColumnChange(template) else { return }
            items.append(DriftItem(
                kind: .queryChanged, template: template.name, object: template.name,
                expected: "daily views built from the template's query",
                found: "\(staleQueries.count) of \(checked) daily views were built from another query",
                remedy: "build shadow daily views from the new query and swap the tenant views (same columns)"))
        } else {
            for stale in staleQueries {
                items.append(DriftItem(
                    kind: .dayStale, template: template.name, tenant: stale.tenant.schema, object: stale.relation.name.description,
                    expected: "built from the template's query for \(stale.day) through \(stale.tenant.connection)",
                    found: stale.found, remedy: "rebuild the daily view of \(stale.day) as a shadow and swap it in"))
            }
        }
    }

    /// Whether a `template.column.*` item is reported for the template (``checkColumns(_:shape:)`` runs
    /// first).
    func hasColumnChange(_ template: Template) -> Bool {
        items.contains { $0.template == template.name && DriftItem.Kind.columnChanges.contains($0.kind) }
    }

    /// Why a daily view was not built from the desired query, or `nil` if it was.
    func queryMismatch(
        _ template: Template, tenant: Tenant, day: Day, relation: LiveRelation, rendered: String? = nil
    ) -> String? {
        if let definition = relation.definition {
            guard let parsed = DailyViewDefinition(definition: definition) else {
                return "a definition that does not read through dblink"
            }
            if parsed.connection != tenant.connection {
                return "reads through connection '\(parsed.connection)', not '\(tenant.connection)'"
            }
            let raw = rendered ?? template.renderedQuery(for: day)
            if parsed.query == raw { return nil }
            let expected = QueryText.normalized(raw)
            let found = QueryText.normalized(parsed.query)
            if expected != found { return "another query: " + Detection.firstDifference(expected, found) }
            return nil
        }
        if let stamp = relation.stamp, !template.dailyViewStampMatches(relation, day: day, connection: tenant.connection) {
            return "built from another spec (stamp \(stamp.specHash))"
        }
        return nil
    }

    /// Where two texts first differ, as a short excerpt of the found text.
    static func firstDifference(_ expected: String, _ found: String) -> String {
        let a = Array(expected)
        let b = Array(found)
        var index = 0
        while index < a.count && index < b.count && a[index] == b[index] { index += 1 }
        let start = max(0, index - 20)
        let excerpt = String(b[start..<min(b.count, index + 40)]).replacing("\n", with: " ")
        return "differs at character \(index + 1): …\(excerpt)…"
    }

    /// Consecutive runs of days.
    static func ranges(of days: [Day]) -> [ClosedRange<Day>] {
        var ranges: [ClosedRange<Day>] = []
        for day in days.sorted() {
            if let last = ranges.last, last.upperBound.adding(days: 1) == day {
                ranges[ranges.count - 1] = last.lowerBound...day
            } else {
                ranges.append(day...day)
            }
        }
        return ranges
    }

    /// Yearly tables: rollover pending, missing years, years outside the kept range, out-of-band columns.
    mutating func checkYears(_ template: Template, tenant: Tenant, shape: ColumnShape?) {
        let tenantObjects = objects[tenant.schema] ?? [:]
        for year in expectedYears where tenantObjects[.yearlyTable(template: template.name, year: year)] == nil {
            let dailyOfYear = tenantObjects.keys.filter {
                if case .dailyView(let name, let day) = $0 { return name == template.name && day.year == year }
                return false
            }.count
            let table = QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, year)).description
            if dailyOfYear > 0 {
                items.append(DriftItem(
                    kind: .yearRollover, template: template.name, tenant: tenant.schema, object: table,
                    expected: "yearly table \(table)", found: "\(dailyOfYear) daily views of \(year) and no yearly table",
                    remedy: "build \(table) from \(year)'s daily views with its indexes, switch the tenant view to it, drop the daily views"))
            } else {
                items.append(DriftItem(
                    kind: .yearMissing, template: template.name, tenant: tenant.schema, object: table,
                    expected: "yearly table \(table)", found: "no yearly table and no daily views of \(year)",
                    remedy: "backfill \(table) from the source day by day through \(tenant.connection)"))
            }
        }
        for (role, relation) in tenantObjects {
            guard case .yearlyTable(let name, let year) = role, name == template.name else { continue }
            if year < settings.firstYear || year >= asOf.year {
                items.append(DriftItem(
                    kind: .yearUnexpected, template: template.name, tenant: tenant.schema, object: relation.name.description,
                    expected: "yearly tables for \(settings.firstYear)…\(asOf.year - 1)", found: "a yearly table for \(year)",
                    remedy: year < settings.firstYear
                        ? "drop it (destructive: its history is lost; needs allowDestructive)"
                        : "leave it: a yearly table for the current year or later is not warden's; rename or drop it by hand"))
                continue
            }
            guard let shape else { continue }
            let columns = ColumnShape(relation.columns)
            if columns.asSet != shape.asSet {
                let extra = columns.columns.filter { !shape.asSet.contains($0) }
                let lacking = shape.columns.filter { !columns.asSet.contains($0) }
                var found: [String] = []
                if !extra.isEmpty { found.append("extra " + extra.map { "\($0.name) \($0.type)" }.joined(separator: ", ")) }
                if !lacking.isEmpty { found.append("lacks " + lacking.map { "\($0.name) \($0.type)" }.joined(separator: ", ")) }
                items.append(DriftItem(
                    kind: .yearlyColumns, template: template.name, tenant: tenant.schema, object: relation.name.description,
                    expected: "columns \(shape.summary)", found: found.joined(separator: "; "),
                    remedy: extra.isEmpty
                        ? "ADD COLUMN the missing columns with their defaults"
                        : "DROP the extra columns (destructive: needs allowDestructive) or add them to the template"))
            }
        }
    }
}
