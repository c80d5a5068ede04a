import PostgresSyntax
import WardenModel

extension PlanningRun {
    /// What ``planColumnChange(_:)`` did.
    enum ColumnChangeOutcome {
        /// Planned; the relations (final names) rebuilt as shadows, which index planning leaves alone, and
        /// the yearly tables whose columns the swap adds or renames, which get new indexes only after it.
        case planned(rebuilt: Set<QualifiedName>, alteredInSwap: Set<QualifiedName>)
        /// Not planned, and why.
        case notPlanned(String)
    }

    /// Column changes other than a plain append — inserted, removed, renamed, retyped and moved columns,
    /// in any combination — and a changed query, by the rename swap (docs/ARCHITECTURE.md, "Column
    /// changes without O(MVs) locks"). It also completes such a change that a crash interrupted: every
    /// decision is read from the catalog (stamps, shadows, what the views read), never from memory.
    ///
    /// - prepare (online): a conversion check of every retyped yearly column (runs alone, first: a bad
    ///   value stops the plan before anything is built); shadow daily views; shadow copies of yearly
    ///   tables whose types change.
    /// - swap: metadata-only `ADD COLUMN … DEFAULT` on yearly tables that lack an inserted column (brief,
    ///   one table per transaction); shadow tenant views and a shadow public view over the shadows, with
    ///   grants, owner and stamp (online: nobody reads them); then one transaction of renames only:
    ///   live views and retyped yearly tables become `__retired`, shadows take the final names, renamed
    ///   columns are renamed in yearly tables. Views reference relations by OID, so nothing is re-parsed
    ///   and the transaction locks O(tenants + yearly tables) relations, whatever the number of days.
    /// - cleanup: drop the retired views, each old daily view, then rename its shadow in; drop retired
    ///   yearly tables and removed columns (destructive: that history is lost).
    mutating func planColumnChange(_ template: Template) -> ColumnChangeOutcome {
        let tenants = liveTenants
        for tenant in tenants {
            let pending = historicalMembers(template, tenant: tenant).pendingRollover
            guard pending.isEmpty else {
                let years = pending.map(String.init).joined(separator: ", ")
                return .notPlanned(
                    "\(tenant.schema) has daily views of \(years) waiting for their rollover into a yearly table; plan the rollover first")
            }
        }
        var work = ColumnChangeWork()
        let earlierCleanup = cleanup.count
        var publicBranches: [(member: QualifiedName, list: [String])] = []
        for tenant in tenants {
            let branches = planTenant(template, tenant: tenant, work: &work)
            guard !branches.isEmpty else {
                return .notPlanned("\(tenant.schema) has neither yearly tables nor daily views of \(template.name) to read")
            }
            let view = QualifiedName(schema: tenant.schema, name: template.name)
            let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(template.name))
            let tenantList = [SQL.quoteLiteral(tenant.schema) + "::text AS " + SQL.identifier(settings.tenantColumn)]
                + template.columns.map { SQL.identifier($0.name) }
            if viewIsCurrent(view, columns: template.columns, members: branches.map(\.member)) && !work.tenantNeedsSwap {
                publicBranches.append((view, tenantList))
                dropRetiredView(template, of: view, work: &work)
                continue
            }
            work.swapped.append(tenant.schema)
            let roles = settings.grants.filter { $0.scope == .tenantViews(tenant.schema) }.map(\.role)
            work.shadowViews.append(
                shadowViewStep(template, tenant: tenant.schema, shadow: shadow, branches: branches, roles: roles))
            work.viewRenames += swapIn(template, view: view, shadow: shadow, work: &work)
            publicBranches.append((shadow, tenantList))
        }
        let publicView = QualifiedName(schema: settings.publicSchema, name: template.name)
        let publicShadow = QualifiedName(schema: settings.publicSchema, name: ObjectNames.shadow(template.name))
        let publicColumns = [Column(name: settings.tenantColumn, type: ColumnType(canonical: "text"))] + template.columns
        let tenantViews = tenants.map { QualifiedName(schema: $0.schema, name: template.name) }
        if !work.swapped.isEmpty || !viewIsCurrent(publicView, columns: publicColumns, members: tenantViews) {
            let roles = settings.grants.filter { $0.scope == .publicViews }.map(\.role)
            // Tenants in schema order, as the seed's function writes the public view.
            let branches = publicBranches.sorted { $0.member.schema < $1.member.schema }
            work.shadowViews.append(shadowViewStep(template, tenant: nil, shadow: publicShadow, branches: branches, roles: roles))
            // The public view first: readers lock it before the tenant views, so the swap never holds a
            // tenant view while waiting for a reader of the public view.
            work.viewRenames = swapIn(template, view: publicView, shadow: publicShadow, work: &work) + work.viewRenames
        } else {
            dropRetiredView(template, of: publicView, work: &work)
        }
        for view in [publicShadow] + tenants.map({ QualifiedName(schema: $0.schema, name: ObjectNames.shadow(template.name)) }) {
            guard let leftover = live.relations[view], leftover.kind == .view else { continue }
            work.leftoverViews.append(view)
            coveredObjects.insert(leftover.name.description)
        }
        emit(template, work)
        // A rollover's drops of the rolled days (planned first) wait for the retired views that read them.
        let earlier = cleanup.prefix(earlierCleanup)
        let rolled: (PlanStep) -> Bool = { $0.kind == .dropDailyView && $0.template == template.name }
        cleanup = earlier.filter { !rolled($0) } + cleanup.dropFirst(earlierCleanup) + earlier.filter(rolled)
        return .planned(rebuilt: work.rebuilt, alteredInSwap: work.alteredInSwap)
    }

    /// One tenant's yearly tables and days: what to build, swap and clean up; returns what the tenant's
    /// new view reads, in order (yearly tables oldest first, then the days).
    private mutating func planTenant(
        _ template: Template, tenant: Tenant, work: inout ColumnChangeWork
    ) -> [(member: QualifiedName, list: [String])] {
        let columns = template.columns.map { SQL.identifier($0.name) }
        var branches: [(member: QualifiedName, list: [String])] = []
        work.tenantNeedsSwap = false
        var addColumns: [String] = []
        var addTargets: [String] = []
        for year in expectedYears {
            guard let table = relation(tenant.schema, .yearlyTable(template: template.name, year: year)), table.kind == .table
            else {
                // A yearly table this plan builds (a rollover, a backfill) is built with the desired columns.
                let planned = QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, year))
                if plannedYearlyTables.contains(planned) {
                    branches.append((planned, columns))
                    work.tenantNeedsSwap = true
                }
                continue
            }
            let mapping = YearlyTableMapping(template: template, table: table)
            let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(table.name.name))
            let retired = retiredName(table.name)
            let liveShadow = live.relations[shadow]
            let liveRetired = live.relations[retired]
            if liveShadow != nil { coveredObjects.insert(shadow.description) }
            if liveRetired != nil { coveredObjects.insert(retired.description) }
            if !mapping.retyped.isEmpty {
                let stamp = ObjectStamp(specHash: mapping.shadowSpecHash(template: template), revision: desired.revision)
                if let liveShadow, liveShadow.kind == .table, liveShadow.stamp?.specHash == stamp.specHash {
                    work.reused += 1
                    prepared.insert(shadow.description)
                } else {
                    // Offending rows are named by their ctid and the first column that keeps its type.
                    let retypedNames = Set(mapping.retyped.map(\.from.name))
                    let key = mapping.sources.compactMap(\.from).first { !retypedNames.contains($0.name) }?.name
                    for retyped in mapping.retyped {
                        let check = WarehouseDDL.conversionCheck(
                            table: table.name, column: retyped.from.name, to: retyped.column.type, key: key)
                        work.checks.append((table.name, check, Double(table.sizeBytes)))
                    }
                    work.builds.append(shadowYearlyTableStep(
                        template, tenant: tenant, mapping: mapping, shadow: shadow, stamp: stamp, replacingLeftover: liveShadow != nil))
                }
                if let liveRetired {
                    // An earlier retype's retired table still holds the name this swap retires into.
                    work.beforeSwapDrops.append(dropRetiredTable(template, tenant: tenant, liveRetired.name, phase: .swap))
                }
                work.tableRenames += retypeRenames(template, table: table, shadow: shadow, retired: retired)
                work.tenantNeedsSwap = true
                work.yearlyCleanup.append(dropRetiredTable(template, tenant: tenant, retired, phase: .cleanup))
                work.rebuilt.insert(table.name)
                branches.append((shadow, columns))
                continue
            }
            if let liveShadow {
                work.yearlyCleanup.append(PlanStep(
                    phase: .cleanup, kind: .dropRetired, stepClass: .online, template: template.name, tenant: tenant.schema,
                    targets: [liveShadow.name.description], statements: ["DROP TABLE IF EXISTS \(liveShadow.name)"],
                    estimateSeconds: Estimates.catalogStatementSeconds))
            }
            if let liveRetired {
                work.yearlyCleanup.append(dropRetiredTable(template, tenant: tenant, liveRetired.name, phase: .cleanup))
            }
            if !mapping.missing.isEmpty {
                addColumns += mapping.missing.map { WarehouseDDL.addColumn($0, to: table.name) }
                addTargets.append(table.name.description)
                work.alteredInSwap.insert(table.name)
            }
            for renamed in mapping.renamed {
                work.tableRenames.append(.column(of: table.name, renamed.from.name, to: renamed.column.name))
                work.tenantNeedsSwap = true
                work.alteredInSwap.insert(table.name)
            }
            if !mapping.extra.isEmpty {
                let names = mapping.extra.map(\.name)
                work.yearlyCleanup.append(PlanStep(
                    phase: .cleanup, kind: .dropYearlyColumn, stepClass: .destructive, template: template.name,
                    tenant: tenant.schema, targets: [table.name.description] + names.map { "\(table.name).\(SQL.identifier($0))" },
                    statements: [WarehouseDDL.dropColumns(names, from: table.name)], transactional: false,
                    touchesLiveObjects: true, estimateSeconds: Estimates.catalogStatementSeconds))
            }
            branches.append((table.name, mapping.selectList))
        }
        if !addColumns.isEmpty {
            // Each ALTER its own short transaction: the old views read columns by number and never notice.
            work.addColumns.append(PlanStep(
                phase: .swap, kind: .addYearlyColumn, stepClass: .briefLock, template: template.name, tenant: tenant.schema,
                targets: addTargets, statements: addColumns, transactional: false, touchesLiveObjects: true,
                estimateSeconds: Double(addColumns.count) * Estimates.catalogStatementSeconds))
        }
        let typical = typicalDailySize(template, tenant: tenant)
        for day in expectedDays {
            let final = QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, day))
            let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(final.name))
            let old = relation(tenant.schema, .dailyView(template: template.name, day: day))
            let liveShadow = live.relations[shadow]
            if liveShadow != nil { coveredObjects.insert(shadow.description) }
            if let old, dailyViewIsCurrent(old, template: template, tenant: tenant, day: day) {
                branches.append((final, columns))
                if liveShadow != nil { work.dayCleanup.append(dropOldDailyView(template, tenant: tenant, name: shadow)) }
                continue
            }
            if let liveShadow, reusableShadow(liveShadow, of: template, day: day, connection: tenant.connection) {
                work.reused += 1
                prepared.insert(shadow.description)
            } else if old != nil {
                work.builds.append(buildStep(
                    .buildShadowDailyView, template, tenant: tenant, day: day, target: shadow,
                    estimateBytes: old.flatMap { $0.sizeBytes > 0 ? Double($0.sizeBytes) : nil } ?? typical,
                    replacingLeftover: liveShadow != nil))
            } else {
                // No view for this day yet: build it under its final name; a stale shadow goes.
                work.builds.append(
                    buildStep(.buildDailyView, template, tenant: tenant, day: day, target: final, estimateBytes: typical))
                if liveShadow != nil { work.dayCleanup.append(dropOldDailyView(template, tenant: tenant, name: shadow)) }
                branches.append((final, columns))
                continue
            }
            work.rebuilt.insert(final)
            branches.append((shadow, columns))
            if let old { work.dayCleanup.append(dropOldDailyView(template, tenant: tenant, name: old.name)) }
            work.dayCleanup.append(
                renameShadowStep(template, tenant: tenant, shadow: shadow, final: final, liveShadow: liveShadow))
        }
        // Shadows of days no longer kept as daily views (their year rolled into a yearly table while the
        // swap waited): nothing reads them after this plan's swap, so cleanup drops them.
        let kept = Set(expectedDays)
        for (role, relation) in (objects[tenant.schema] ?? [:]).sorted(by: { $0.value.name < $1.value.name }) {
            guard case .leftover(let base, ObjectNames.shadowSuffix) = role,
                  case .dailyView(let name, let day)? = ObjectNames.role(of: base, templates: [template.name]),
                  name == template.name, !kept.contains(day), relation.kind == .materializedView,
                  !coveredObjects.contains(relation.name.description)  // a rollover's drops have it
            else { continue }
            work.dayCleanup.append(dropOldDailyView(template, tenant: tenant, name: relation.name))
            coveredObjects.insert(relation.name.description)
        }
        return branches
    }

    /// Whether a daily view is already what the template builds for that day: its columns, and its stamp
    /// (or, for a view warden did not build, its definition: connection and query).
    /// Whether a shadow daily view left by an earlier run can be swapped in as it is: populated, stamped
    /// with the desired spec (its rows) and carrying exactly the template's indexes (the stamp leaves
    /// indexes out, and a shadow's indexes are built with it, not by the index rule).
    func reusableShadow(_ shadow: LiveRelation, of template: Template, day: Day, connection: String) -> Bool {
        shadow.kind == .materializedView && shadow.populated && template.dailyViewStampMatches(shadow, day: day, connection: connection)
            && template.hasExactly(indexes: shadow.indexes.filter(\.valid).map(\.spec))
    }

    func dailyViewIsCurrent(_ relation: LiveRelation, template: Template, tenant: Tenant, day: Day) -> Bool {
        guard relation.kind == .materializedView, relation.populated,
              relation.columns.map(\.name) == template.columns.map(\.name),
              relation.columns.map(\.type.name) == template.columns.map(\.type.name)
        else { return false }
        if template.dailyViewStampMatches(relation, day: day, connection: tenant.connection) { return true }
        guard let definition = relation.definition, let parsed = DailyViewDefinition(definition: definition),
              parsed.connection == tenant.connection
        else { return false }
        return QueryText.normalized(parsed.query) == QueryText.normalized(template.renderedQuery(for: day))
    }

    /// Whether a live view has the given output columns and reads exactly the given members (by what they
    /// are called now: a view swapped in earlier reads shadows until cleanup renames them).
    func viewIsCurrent(_ name: QualifiedName, columns: [Column], members: [QualifiedName]) -> Bool {
        guard let view = live.relations[name], view.kind == .view else { return false }
        return view.columns.map(\.name) == columns.map(\.name) && view.columns.map(\.type.name) == columns.map(\.type.name)
            && Set(view.dependsOn) == Set(members)
    }

    /// The template's yearly tables that lack one of `columns` (the swap adds them).
    func yearlyTables(of template: Template, lackingAnyOf columns: Set<String>) -> Set<QualifiedName> {
        var tables: Set<QualifiedName> = []
        for tenant in liveTenants {
            for year in expectedYears {
                guard let table = relation(tenant.schema, .yearlyTable(template: template.name, year: year)) else { continue }
                if !columns.isSubset(of: Set(table.columns.map(\.name))) { tables.insert(table.name) }
            }
        }
        return tables
    }

    func retiredName(_ name: QualifiedName) -> QualifiedName {
        QualifiedName(schema: name.schema, name: ObjectNames.retired(name.name))
    }

    /// The renames that swap a shadow view in (the live view, if any, retires) and the retired view's drop
    /// in cleanup.
    private mutating func swapIn(
        _ template: Template, view: QualifiedName, shadow: QualifiedName, work: inout ColumnChangeWork
    ) -> [Rename] {
        let retired = retiredName(view)
        let tenant = view.schema == settings.publicSchema ? nil : view.schema
        if let leftover = live.relations[retired] {
            // A retired view of an earlier swap holds the name: it goes first (nobody reads it).
            work.beforeSwapDrops.insert(dropView(template, tenant: tenant, leftover.name, phase: .swap), at: 0)
            coveredObjects.insert(leftover.name.description)
        }
        var renames: [Rename] = []
        if let live = live.relations[view], live.kind == .view {
            renames.append(.relation("VIEW", view, to: retired.name))
            work.retiring.append(view)
            let drop = dropView(template, tenant: tenant, retired)
            if tenant == nil { work.retiredViewDrops.insert(drop, at: 0) } else { work.retiredViewDrops.append(drop) }
        }
        renames.append(.relation("VIEW", shadow, to: view.name))
        // The shadow's stamp served a retry before the swap; a view warden creates otherwise has no comment.
        let clear = "COMMENT ON VIEW \(view) IS NULL"
        renames.append(Rename(statement: clear, undo: clear, target: view.description))
        return renames
    }

    /// Adds the gathered steps in running order.
    private mutating func emit(_ template: Template, _ work: ColumnChangeWork) {
        // One check per yearly table, so a failure names its table; each runs alone, before any build.
        var tables: [QualifiedName] = []
        for check in work.checks where !tables.contains(check.table) { tables.append(check.table) }
        for table in tables {
            let checks = work.checks.filter { $0.table == table }
            add(PlanStep(
                phase: .prepare, kind: .checkConversion, stepClass: .online, template: template.name, tenant: table.schema,
                targets: [table.description], statements: checks.map(\.statement),
                estimateSeconds: checks.reduce(0) { $0 + $1.bytes } / Estimates.indexBytesPerSecond, reversible: true))
        }
        if !work.leftoverViews.isEmpty {
            // The public shadow first: it reads the tenant shadows.
            add(PlanStep(
                phase: .prepare, kind: .dropLeftover, stepClass: .online, template: template.name,
                targets: work.leftoverViews.map(\.description),
                statements: work.leftoverViews.map { "DROP VIEW IF EXISTS \($0)" },
                estimateSeconds: Double(work.leftoverViews.count) * Estimates.catalogStatementSeconds))
        }
        work.builds.forEach { add($0) }
        work.addColumns.forEach { add($0) }
        work.shadowViews.forEach { add($0) }
        let renames = work.viewRenames + work.tableRenames
        if !renames.isEmpty {
            work.beforeSwapDrops.forEach { add($0) }
            let check = work.retiring.isEmpty ? [] : [WarehouseDDL.outsideReadersCheck(work.retiring)]
            add(PlanStep(
                phase: .swap, kind: .renameSwap, stepClass: .briefLock, template: template.name,
                targets: renames.map(\.target), statements: check + renames.map(\.statement), undo: renames.reversed().map(\.undo),
                touchesLiveObjects: true, estimateSeconds: Double(renames.count) * Estimates.catalogStatementSeconds,
                reversible: true))
            notes.append("\(template.name): the swap renames \(renames.count) relation(s) and index(es) in one transaction, "
                + "\(work.swapped.count) tenant view(s) and the public view; "
                + "the shadow views already carry grants, owner and stamp")
        }
        work.retiredViewDrops.forEach { add($0) }
        PlanStep.batchedDayCleanup(work.dayCleanup).forEach { add($0) }
        work.yearlyCleanup.forEach { add($0) }
        if work.reused > 0 {
            notes.append(
                "\(template.name): \(work.reused) shadow(s) from an earlier run already carry the matching stamp and are reused")
        }
    }
}
