import Drift
import WardenModel

extension PlanningRun {
    /// Plans every item: tenants added or removed and yearly tables first (they decide what the tenant and
    /// public views read), then template by template, then the items about no template.
    mutating func plan(_ items: [DriftItem]) {
        // A day waiting for its source is not drift to fix: it is built once its readyWhen turns true.
        let items = planTenantsAndYears(items.filter { $0.kind != .dayWaiting })
        var remaining = items
        for template in desired.templates {
            let mine = items.filter { $0.template == template.name }
            // Leftovers of an interrupted swap name no template: their template finishes the swap.
            guard !mine.isEmpty || hasSwapLeftovers(template, includingDailyViews: true) else { continue }
            remaining.removeAll { $0.template == template.name }
            plan(template, items: mine)
        }
        let grants = remaining.filter { $0.kind == .grantMissing || $0.kind == .grantUnexpected }
        if !grants.isEmpty { planGrants(grants) }
        for item in remaining where !(item.kind == .grantMissing || item.kind == .grantUnexpected) {
            if item.kind == .shadowLeftover && coveredObjects.contains(item.object) { continue }
            notPlanned(item)
        }
        // A rollover that waited for a column change no rule planned after all.
        for name in rolloverAwaitingColumnChange.keys.sorted() {
            withdrawRolloverDrops(name, because: "no column change of \(name) was planned")
        }
        finishTenantsAndYears()
    }

    /// Plans the items of one template.
    private mutating func plan(_ template: Template, items: [DriftItem]) {
        let kinds = Set(items.map(\.kind))
        var handled = Set<DriftItem.Kind>()
        var registryPlanned = false

        let columnKinds = DriftItem.Kind.columnChanges
        // A few stale days need the same shadows and swap, for their tenants only.
        let reshapeKinds = columnKinds.union([.queryChanged, .yearlyColumns, .dayStale])
        var dailyViewsRebuilt = false
        var rebuilt: Set<QualifiedName> = []
        var alteredInSwap: Set<QualifiedName> = []
        if !kinds.isDisjoint(with: reshapeKinds) || hasSwapLeftovers(template, includingDailyViews: true) {
            // Rebuild (PlanningRun+Rebuild.swift); an interrupted shadow swap is finished the way it began.
            if policy.strategy == .rebuild && !kinds.isDisjoint(with: PlanningRun.rebuildTriggers)
                && !hasSwapLeftovers(template, includingDailyViews: true) {
                switch planRebuild(template) {
                case .planned(let altered):
                    rolloverAwaitingColumnChange[template.name] = nil
                    registryPlanned = true
                    dailyViewsRebuilt = true
                    alteredInSwap = altered
                    handled.formUnion(reshapeKinds.union([.dayMissing, .registry, .tenantView, .publicView]))
                case .notPlanned(let reason):
                    for item in items where reshapeKinds.contains(item.kind) { notPlanned(item, because: reason) }
                    handled.formUnion(reshapeKinds)
                    withdrawRolloverDrops(template.name, because: reason)
                }
            } else if isPlainAppend(template, items: items) {
                let added = Set(items.filter { $0.kind == .columnAdded }.compactMap { columnName(of: $0, template: template) })
                planAppendedColumns(template, added: template.columns.filter { added.contains($0.name) })
                registryPlanned = true
                dailyViewsRebuilt = true
                alteredInSwap = yearlyTables(of: template, lackingAnyOf: added)
                // The shadow swap rebuilds every current-year day from the desired query and replaces every
                // view of the template: it is also the remedy for those days' and views' own drift.
                handled.formUnion([.columnAdded, .dayMissing, .dayStale, .queryChanged, .registry, .tenantView, .publicView])
            } else {
                switch planColumnChange(template) {
                case .planned(let shadows, let altered):
                    rolloverAwaitingColumnChange[template.name] = nil
                    rebuilt = shadows
                    alteredInSwap = altered
                    if kinds.contains(.registry) { planRegistry(template, phase: .swap) }
                    registryPlanned = true
                    // Every day, yearly table and view of the template is checked and rebuilt as needed.
                    handled.formUnion(reshapeKinds.union([.dayMissing, .dayStale, .registry, .tenantView, .publicView]))
                case .notPlanned(let reason):
                    for item in items where reshapeKinds.contains(item.kind) { notPlanned(item, because: reason) }
                    handled.formUnion(reshapeKinds)
                    withdrawRolloverDrops(template.name, because: reason)
                }
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
        if !indexItems.isEmpty { planIndexes(template, items: indexItems, dailyViewsRebuilt: dailyViewsRebuilt, rebuilt: rebuilt, afterSwap: alteredInSwap) }
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

    /// A rollover planned for a column change that is not planned after all: the yearly tables are still
    /// built (online, nobody reads them yet), but the live tenant views keep reading the rolled days, so
    /// those are not dropped.
    private mutating func withdrawRolloverDrops(_ template: String, because reason: String) {
        guard let tenants = rolloverAwaitingColumnChange.removeValue(forKey: template) else { return }
        cleanup.removeAll { $0.kind == .dropDailyView && $0.template == template && tenants.contains($0.tenant ?? "") }
        notes.append("\(template): the rolled-over days stay until the column change can be planned (\(reason))")
    }

    /// Whether the template's column drift is only columns appended at the end (planned by
    /// ``planAppendedColumns(_:added:)``), with no shadow view or table of a rename swap to finish.
    private func isPlainAppend(_ template: Template, items: [DriftItem]) -> Bool {
        let others: Set<DriftItem.Kind> = [.columnRemoved, .columnRetyped, .columnRenamed, .columnMoved, .yearlyColumns]
        guard items.contains(where: { $0.kind == .columnAdded }), !items.contains(where: { others.contains($0.kind) }),
              !hasSwapLeftovers(template, includingDailyViews: false)
        else { return false }
        let added = Set(items.filter { $0.kind == .columnAdded }.compactMap { columnName(of: $0, template: template) })
        let suffix = template.columns.suffix(added.count).map(\.name)
        return Set(suffix) == added && suffix.count == added.count
    }

    /// Whether a shadow or retired object of the template is left from an interrupted run (shadow daily
    /// views only when asked: the appended-column path reuses those itself). A leftover the tenant and
    /// year rules already cover is theirs, not a swap's: the shadow of a yearly table an interrupted
    /// tenant add or rollover was loading is resumed by them.
    private func hasSwapLeftovers(_ template: Template, includingDailyViews: Bool) -> Bool {
        // An interrupted swap is the change's to finish, never the routine's.
        if routineOnly { return false }
        let mine: Set<String> = [template.name]
        return objects.values.contains { roles in
            roles.contains { role, relation in
                guard case .leftover(let base, _) = role, ObjectNames.role(of: base, templates: mine) != nil,
                      !coveredObjects.contains(relation.name.description)
                else { return false }
                return includingDailyViews || relation.kind != .materializedView
            }
        }
    }

    /// The column a `template.column.*` item is about (`<template>.<column>`).
    private func columnName(of item: DriftItem, template: Template) -> String? {
        let prefix = template.name + "."
        guard item.object.hasPrefix(prefix) else { return nil }
        return String(item.object.dropFirst(prefix.count))
    }
}
