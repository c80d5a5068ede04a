extension WarehouseSettings {
    /// The days whose daily views should exist at an as-of date: January 1 of the as-of year (not before
    /// `firstYear`) through the day before.
    public func expectedDays(asOf: Day) -> [Day] {
        let first = max(asOf.startOfYear, Day(year: firstYear, month: 1, day: 1) ?? asOf.startOfYear)
        return first.through(asOf.previous)
    }

    /// The past years kept as yearly tables at an as-of date: `firstYear` … as-of year − 1.
    public func expectedYears(asOf: Day) -> [Int] {
        firstYear <= asOf.year - 1 ? Array(firstYear...(asOf.year - 1)) : []
    }
}

extension LiveWarehouse {
    /// The relations that belong to `templates`, per schema, keyed by what they are (daily view, yearly
    /// table, union view, leftover); other relations are left out.
    public func objectsByRole(templates: Set<String>) -> [String: [ObjectNames.Role: LiveRelation]] {
        var objects: [String: [ObjectNames.Role: LiveRelation]] = [:]
        for (name, relation) in relations {
            guard let role = ObjectNames.role(of: name.name, templates: templates) else { continue }
            objects[name.schema, default: [:]][role] = relation
        }
        return objects
    }
}
