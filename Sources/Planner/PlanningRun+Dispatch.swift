import Drift
import WardenModel

extension PlanningRun {
    /// Plans every item: tenants added or removed and yearly tables first (they decide what the tenant and
    /// public views read), then template by template, then the items about no template.
    mutating func plan(_ items: [DriftItem]) {
        let items = planTenantsAndYears(items)
        var remaining = items
        for template in desired.templates {
            let mine = items.filter { $0.template == template.name }
            guard !mine.isEmpty else { continue }
            remaining.removeAll { $0.template == template.name }
            plan(template, items: mine)
        }
        let grants = remaining.filter { $0.kind == .grantMissing || $0.kind == .grantUnexpected }
        if !grants.isEmpty { planGrants(grants) }
        for item in remaining where !(item.kind == .grantMissing || item.kind == .grantUnexpected) {
            if item.kind == .shadowLeftover && coveredObjects.contains(item.object) { continue }
            notPlanned(item)
        }
        finishTenantsAndYears()
    }

    /// Plans the items of one template.
    private mutating func plan(_ template: Template, items: [DriftItem]) {
        let kinds = Set(items.map(\.kind))
        var handled = Set<DriftItem.Kind>()
        var registryPlanned = false

        let columnKinds: Set<DriftItem.Kind> = [.columnAdded, .columnRemoved, .columnRetyped, .columnRenamed, .columnMoved]
        if !kinds.isDisjoint(with: columnKinds) {
            if let reason = whyNotAppended(template, items: items) {
                for item in items where columnKinds.contains(item.kind) { notPlanned(item, because: reason) }
                handled.formUnion(columnKinds)
            } else {
                let added = Set(items.filter { $0.kind == .columnAdded }.compactMap { columnName(of: $0, template: template) })
                planAppendedColumns(template, added: template.columns.filter { added.contains($0.name) })
                registryPlanned = true
                // The shadow swap rebuilds every current-year day from the desired query and replaces every
                // view of the template: it is also the remedy for those days' and views' own drift.
                handled.formUnion([.columnAdded, .dayMissing, .dayStale, .queryChanged, .registry, .tenantView, .publicView])
            }
        }
        if !handled.contains(.dayMissing) {
            let tenants = Set(items.filter { $0.kind == .dayMissing }.compactMap(\.tenant))
            for tenant in liveTenants where tenants.contains(tenant.schema) {
                planMissingDays(template, tenant: tenant)
                coveredObjects.insert(QualifiedName(schema: tenant.schema, name: template.name).description)
            }
            handled.insert(.dayMissing)
        }
        let indexItems = items.filter { $0.kind == .indexAdded || $0.kind == .indexRemoved }
        if !indexItems.isEmpty { planIndexes(template, items: indexItems, dailyViewsRebuilt: registryPlanned) }
        handled.formUnion([.indexAdded, .indexRemoved])
        if kinds.contains(.registry) && !registryPlanned { planRegistry(template, phase: .prepare) }
        handled.insert(.registry)
        let grants = items.filter { $0.kind == .grantMissing || $0.kind == .grantUnexpected }
        if !grants.isEmpty { planGrants(grants) }
        handled.formUnion([.grantMissing, .grantUnexpected])

        for item in items where !handled.contains(item.kind) {
            // A tenant view replaced for missing days is also the remedy for its view drift.
            if item.kind == .tenantView && coveredObjects.contains(item.object) { continue }
            notPlanned(item)
        }
    }

    /// Why the template's column drift is not a plain append (planned here), or `nil` if it is.
    private func whyNotAppended(_ template: Template, items: [DriftItem]) -> String? {
        guard policy.strategy == .shadowSwap else { return "strategy \(policy.strategy.rawValue)" }
        let others = items.filter { [.columnRemoved, .columnRetyped, .columnRenamed, .columnMoved].contains($0.kind) }
        if !others.isEmpty { return "only appended columns are planned so far" }
        let added = Set(items.filter { $0.kind == .columnAdded }.compactMap { columnName(of: $0, template: template) })
        let suffix = template.columns.suffix(added.count).map(\.name)
        guard Set(suffix) == added, suffix.count == added.count else {
            return "a column inserted before existing ones needs every view swapped in one transaction"
        }
        return nil
    }

    /// The column a `template.column.*` item is about (`<template>.<column>`).
    private func columnName(of item: DriftItem, template: Template) -> String? {
        let prefix = template.name + "."
        guard item.object.hasPrefix(prefix) else { return nil }
        return String(item.object.dropFirst(prefix.count))
    }
}
