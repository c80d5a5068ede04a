import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// Columns appended at the end of a template (seed 000's "Adding a Column"), by shadow swap:
    ///
    /// - prepare: a `__shadow` of every current-year daily view, built with the new columns (a shadow
    ///   whose stamp already matches is reused: the catalog is the journal); a missing day is built
    ///   under its final name;
    /// - swap, one transaction per tenant: `ADD COLUMN … DEFAULT` on its yearly tables, then its union
    ///   view over the yearly tables and the shadows; then one transaction for the public view;
    /// - cleanup: drop the old daily views (no view reads them any more), rename the shadows and their
    ///   indexes to the final names (views follow: they reference by OID), one transaction per tenant and
    ///   ``PlanStep/cleanupDaysPerStep`` days.
    mutating func planAppendedColumns(_ template: Template, added: [Column]) {
        let tenants = liveTenants
        var reused = 0
        for tenant in tenants {
            var days: [QualifiedName] = []
            var renames: [(old: QualifiedName, shadow: QualifiedName, liveShadow: LiveRelation?)] = []
            let typical = typicalDailySize(template, tenant: tenant)
            for day in expectedDays {
                let final = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
                guard let old = relation(tenant.schema, .dailyView(template: template.name, day: day)) else {
                    add(buildStep(.buildDailyView, template, tenant: tenant, day: day, target: final, estimateBytes: typical))
                    days.append(final)
                    continue
                }
                let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(final.name))
                let liveShadow = live.relations[shadow]
                if liveShadow != nil { coveredObjects.insert(shadow.description) }
                if let liveShadow, reusableShadow(liveShadow, of: template, day: day, connection: tenant.connection) {
                    reused += 1
                    prepared.insert(shadow.description)
                    renames.append((old.name, shadow, liveShadow))
                } else {
                    add(buildStep(
                        .buildShadowDailyView, template, tenant: tenant, day: day, target: shadow,
                        estimateBytes: old.sizeBytes > 0 ? Double(old.sizeBytes) : typical, replacingLeftover: liveShadow != nil))
                    renames.append((old.name, shadow, nil))
                }
                days.append(shadow)
            }
            let (history, pending) = historicalMembers(template, tenant: tenant)
            if !pending.isEmpty {
                notes.append("\(tenant.schema): the daily views of \(pending.map(String.init).joined(separator: ", ")) lack the new column until their rollover into a yearly table; plan the rollover first")
            }
            add(tenantViewStep(template, tenant: tenant, members: history + days, columnsAdded: added))
            let cleanup = renames.flatMap { rename in
                [dropOldDailyView(template, tenant: tenant, name: rename.old),
                 renameShadowStep(template, tenant: tenant, shadow: rename.shadow, final: rename.old, liveShadow: rename.liveShadow)]
            }
            PlanStep.batchedDayCleanup(cleanup).forEach { add($0) }
        }
        if reused > 0 {
            notes.append("\(template.name): \(reused) shadow daily view(s) from an earlier run already carry the matching stamp and are reused")
        }
        add(publicViewStep(template, tenants: tenants))
        planRegistry(template, phase: .swap)
        notes.append("\(template.name): CREATE OR REPLACE VIEW keeps the grants, owner and comments of the replaced views")
    }

    /// Drops an old daily view after the swap: nothing reads it any more (a dependent view outside warden
    /// makes the drop fail rather than cascade).
    func dropOldDailyView(_ template: Template, tenant: Tenant, name: QualifiedName) -> PlanStep {
        PlanStep(
            phase: .cleanup, kind: .dropDailyView, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [name.description], statements: ["DROP MATERIALIZED VIEW IF EXISTS \(name)"],
            estimateSeconds: Estimates.catalogStatementSeconds, reversible: false)
    }

    /// Renames a shadow and its indexes to the final names in one transaction, so a crash never leaves a
    /// final view with shadow-named indexes (a later shadow of that day would collide with them). The
    /// rename waits for ACCESS EXCLUSIVE on a view readers use, so it runs with a short lock timeout and
    /// retries; the index renames take SHARE UPDATE EXCLUSIVE, which no reader waits for.
    func renameShadowStep(
        _ template: Template, tenant: Tenant, shadow: QualifiedName, final: QualifiedName, liveShadow: LiveRelation?
    ) -> PlanStep {
        var statements = ["ALTER MATERIALIZED VIEW \(shadow) RENAME TO \(SQL.identifier(final.name))"]
        var undo: [String] = []
        for spec in template.indexes {
            let current = liveShadow?.indexes.first { $0.valid && $0.spec == spec }?.name ?? indexName(spec, on: shadow)
            let wanted = indexName(spec, on: final)
            guard current != wanted else { continue }
            statements.append("ALTER INDEX \(SQL.qualified(final.schema, current)) RENAME TO \(SQL.identifier(wanted))")
            undo.insert("ALTER INDEX \(SQL.qualified(final.schema, wanted)) RENAME TO \(SQL.identifier(current))", at: 0)
        }
        undo.append("ALTER MATERIALIZED VIEW \(final) RENAME TO \(SQL.identifier(shadow.name))")
        return PlanStep(
            phase: .cleanup, kind: .renameShadow, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [shadow.description, final.description], statements: statements, undo: undo,
            touchesLiveObjects: true, estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds,
            reversible: true)
    }
}
