import Drift
import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// The drift `strategy: rebuild` plans the seed's way: a template's column change (appended,
    /// inserted, removed, renamed, retyped, moved) or changed query. A few stale days or a yearly table
    /// changed out of band are repaired for their tenants only, as under shadow-swap: dropping every view
    /// of the template for them would be an outage for nothing.
    static let rebuildTriggers: Set<DriftItem.Kind> = [
        .columnAdded, .columnRemoved, .columnRetyped, .columnRenamed, .columnMoved, .queryChanged,
    ]

    /// What ``planRebuild(_:)`` did.
    enum RebuildOutcome {
        /// Planned; the yearly tables the drop transaction alters (indexes they lack are built after it).
        case planned(altered: Set<QualifiedName>)
        /// Not planned, and why.
        case notPlanned(String)
    }

    /// A template's column or query change by seed 000's procedure, as written ("Adding a Column", and
    /// its "Future" sections for modified and removed columns):
    ///
    /// - prepare (online): the conversion check of every retyped yearly column, alone, before anything
    ///   changes (the same check shadow-swap runs);
    /// - swap: one transaction (`dropForRebuild`) drops the public view, the tenant views, alters the
    ///   yearly tables in place (`RENAME COLUMN`, `ALTER COLUMN … TYPE … USING`, `ADD COLUMN … DEFAULT`,
    ///   `DROP COLUMN`) and drops the current year's daily views; the registry row; every current-year
    ///   daily view built again (over `parallelism` connections); the tenant views, then the public
    ///   view, created again with grants, owner and comment.
    ///
    /// From the transaction's commit until the public view is back, its readers fail: that is the
    /// outage the seed accepts. The transaction and the rebuilds are `blocking` (`destructive` when the
    /// transaction drops or converts yearly data); nothing needs extra disk. A crash anywhere leaves a
    /// state the tenant rules finish (missing days, tenant views and public view are built), and the
    /// transaction is all or nothing.
    mutating func planRebuild(_ template: Template) -> RebuildOutcome {
        // A tenant whose view is missing is finished by the tenant rules (planJoiningTenant), not here.
        let tenants = liveTenants.filter { !joinsAsNew($0, template) }
        guard !tenants.isEmpty else { return .notPlanned("no tenant has a view of \(template.name) to rebuild") }
        for tenant in tenants {
            let pending = historicalMembers(template, tenant: tenant).pendingRollover
            guard pending.isEmpty else {
                let years = pending.map(String.init).joined(separator: ", ")
                return .notPlanned(
                    "\(tenant.schema) has daily views of \(years) waiting for their rollover into a yearly table; "
                        + "plan the rollover first")
            }
            guard live.foreignServers[tenant.connection] != nil else {
                return .notPlanned("\(tenant.schema)'s connection \(tenant.connection) does not exist: the rebuild would drop "
                    + "daily views it cannot build again; create the foreign server and its user mapping first")
            }
        }

        let publicView = QualifiedName(schema: settings.publicSchema, name: template.name)
        var viewDrops = ["DROP VIEW IF EXISTS \(publicView)"]
        var targets = [publicView.description]
        for tenant in tenants {
            let view = QualifiedName(schema: tenant.schema, name: template.name)
            viewDrops.append("DROP VIEW IF EXISTS \(view)")
            targets.append(view.description)
        }

        let yearly = alterYearlyTables(template, tenants: tenants)
        targets += yearly.altered.map(\.description).sorted()

        var dayDrops: [String] = []
        var lockedRelations = viewDrops.count + yearly.locked
        for tenant in tenants {
            let days = expectedDays.compactMap { relation(tenant.schema, .dailyView(template: template.name, day: $0)) }
            guard let first = days.first, let last = days.last else { continue }
            dayDrops += days.map(WarehouseDDL.drop)
            lockedRelations += days.reduce(0) { $0 + 1 + $1.indexes.count }
            targets.append(days.count == 1 ? first.name.description : "\(first.name) … \(last.name.name) (\(days.count) days)")
        }

        for (table, checks) in yearly.checks {
            add(PlanStep(
                phase: .prepare, kind: .checkConversion, stepClass: .online, template: template.name, tenant: table.schema,
                targets: [table.description], statements: checks.map(\.statement),
                estimateSeconds: checks.reduce(0) { $0 + $1.bytes } / Estimates.indexBytesPerSecond, reversible: true))
        }
        let statements = viewDrops + yearly.statements + dayDrops
        let drop = PlanStep(
            phase: .swap, kind: .dropForRebuild, stepClass: yearly.losesData ? .destructive : .blocking, template: template.name,
            targets: targets, statements: statements, touchesLiveObjects: true,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds
                + yearly.rewrittenBytes / Estimates.indexBytesPerSecond,
            reversible: false)
        add(drop)
        planRegistry(template, phase: .swap)

        var builds: [PlanStep] = []
        for tenant in tenants {
            let typical = typicalDailySize(template, tenant: tenant)
            for day in expectedDays {
                let name = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
                let old = relation(tenant.schema, .dailyView(template: template.name, day: day))
                var step = buildStep(
                    .buildDailyView, template, tenant: tenant, day: day, target: name,
                    estimateBytes: old.flatMap { $0.sizeBytes > 0 ? Double($0.sizeBytes) : nil } ?? typical)
                step.phase = .swap
                step.stepClass = .blocking
                if let owner = managedOwner { step.statements.append(WarehouseDDL.owner(.materializedView, name, to: owner)) }
                builds.append(step)
            }
        }
        builds.forEach { add($0) }

        var views: [PlanStep] = []
        for tenant in tenants {
            let view = QualifiedName(schema: tenant.schema, name: template.name)
            let days = expectedDays.map { QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, $0)) }
            let members = historicalMembers(template, tenant: tenant).members + days
            let create = WarehouseDDL.tenantView(view, template: template, members: members)
            views.append(recreateViewStep(
                .replaceTenantView, template, tenant: tenant.schema, view: view, create: create,
                scope: .tenantViews(tenant.schema)))
        }
        let members = publicMembers(template)
        if !members.isEmpty {
            let create = WarehouseDDL.publicView(
                publicView, tenantColumn: settings.tenantColumn, columns: template.columns.map(\.name), tenantViews: members)
            views.append(recreateViewStep(
                .replacePublicView, template, tenant: nil, view: publicView, create: create, scope: .publicViews))
        }
        views.forEach { add($0) }
        coveredObjects.formUnion(views.flatMap(\.targets))

        let outage = Plan.outageSeconds([drop] + builds + views, parallelism: parallelism)
        notes.append("\(template.name): strategy rebuild (seed 000 as written): one transaction drops \(publicView) and "
            + "\(tenants.count) tenant view(s), alters \(yearly.altered.count) yearly table(s) in place and drops "
            + "\(dayDrops.count) daily view(s), locking about \(lockedRelations) relations; \(builds.count) daily view(s) "
            + "are rebuilt over \(parallelism) connection(s), then the views are created again with their "
            + "grants, owner and comments. Readers of \(publicView) fail meanwhile: "
            + (outage.map { "about \(Plan.seconds($0)) by the estimates" } ?? "for an unknown time (no live sizes)")
            + ". No extra disk.")
        return .planned(altered: yearly.altered)
    }

    /// The drop transaction's yearly-table part, per table of each tenant.
    private struct YearlyAlterations {
        var statements: [String] = []
        var checks: [(table: QualifiedName, checks: [(statement: String, bytes: Double)])] = []
        var altered: Set<QualifiedName> = []
        /// Whether a column is dropped or converted: the old values are gone.
        var losesData = false
        /// Bytes of the tables a retype rewrites.
        var rewrittenBytes = 0.0
        /// Relations the statements lock: each altered table, and the indexes a rewrite rebuilds.
        var locked = 0
    }

    /// `RENAME COLUMN`, `ALTER COLUMN … TYPE … USING` (after a conversion check of each retyped column),
    /// `ADD COLUMN … DEFAULT` and `DROP COLUMN` on each yearly table, from how its columns map to the
    /// template's (``YearlyTableMapping``).
    private func alterYearlyTables(_ template: Template, tenants: [Tenant]) -> YearlyAlterations {
        var result = YearlyAlterations()
        for tenant in tenants {
            for year in expectedYears {
                guard let table = relation(tenant.schema, .yearlyTable(template: template.name, year: year)), table.kind == .table
                else { continue }
                let mapping = YearlyTableMapping(template: template, table: table)
                var statements = mapping.renamed.map {
                    WarehouseDDL.renameColumn($0.from.name, to: $0.column.name, in: table.name)
                }
                let retyped = mapping.retyped
                if !retyped.isEmpty {
                    // Offending rows are named by their ctid and the first column that keeps its type.
                    let retypedNames = Set(retyped.map(\.from.name))
                    let key = mapping.sources.compactMap(\.from).first { !retypedNames.contains($0.name) }?.name
                    let checks = retyped.map { column in
                        (statement: WarehouseDDL.conversionCheck(
                            table: table.name, column: column.from.name, to: column.column.type, key: key),
                         bytes: Double(table.sizeBytes))
                    }
                    result.checks.append((table.name, checks))
                    statements.append(WarehouseDDL.alterColumnTypes(retyped.map(\.column), in: table.name))
                    result.rewrittenBytes += Double(table.sizeBytes)
                    result.locked += table.indexes.count
                }
                statements += mapping.missing.map { WarehouseDDL.addColumn($0, to: table.name) }
                if !mapping.extra.isEmpty {
                    statements.append(WarehouseDDL.dropColumns(mapping.extra.map(\.name), from: table.name))
                }
                guard !statements.isEmpty else { continue }
                if !retyped.isEmpty || !mapping.extra.isEmpty { result.losesData = true }
                result.statements += statements
                result.altered.insert(table.name)
                result.locked += 1
            }
        }
        return result
    }

    /// A tenant or public view created again after the drop transaction: the view, its grants, its owner,
    /// and its comment (a person's comment on the dropped view is kept; otherwise warden's stamp).
    private mutating func recreateViewStep(
        _ kind: PlanStep.Kind, _ template: Template, tenant: String?, view: QualifiedName, create: String, scope: Grant.Scope
    ) -> PlanStep {
        var statements = [create]
        for role in grantedRoles(scope, on: view.description) {
            statements.append("GRANT SELECT ON \(view) TO \(SQL.identifier(role))")
        }
        if let owner = managedOwner { statements.append(WarehouseDDL.owner(.view, view, to: owner)) }
        if let comment = live.relations[view]?.comment, !comment.isEmpty, ObjectStamp(comment: comment) == nil {
            statements.append(WarehouseDDL.comment(onView: view, comment))
        } else {
            let stamp = ObjectStamp(specHash: SpecHash.of(["view", create]), revision: desired.revision)
            statements.append(WarehouseDDL.comment(on: view, keyword: "VIEW", stamp: stamp))
        }
        return PlanStep(
            phase: .swap, kind: kind, stepClass: .blocking, template: template.name, tenant: tenant,
            targets: [view.description], statements: statements,
            estimateSeconds: Double(statements.count) * Estimates.catalogStatementSeconds, reversible: false)
    }
}
