import Drift
import PostgresSyntax
import WardenModel

extension Template {
    /// The hash warden stamps on a yearly table: the source it reads, the year, the query, the columns
    /// (with defaults) and the indexes. It does not say whether the rows came from the year's daily views
    /// or from the source: both hold the same rows.
    func yearlyTableSpecHash(year: Int, connection: String) -> String {
        SpecHash.of(
            ["yearly-table", connection, String(year), QueryText.normalized(query), YearlyTableLoad.columnList(self)]
                + indexes.sorted().map(\.description))
    }
}

extension PlanningRun {
    /// `year.rollover` and `year.missing` of a tenant whose union view exists (DESIGN.md §5):
    ///
    /// - prepare: each yearly table, from the year's daily views where they match the desired spec and
    ///   from the source day by day for the others (a backfill, or December 31 on January 1);
    /// - swap: the tenant view (same columns) reads the yearly tables instead of those daily views;
    /// - cleanup: drop the year's daily views (online: no view reads them any more, their rows are in
    ///   the yearly table).
    mutating func planYears(_ template: Template, tenant: Tenant, years: [Int]) {
        for year in years { planYearlyTable(template, tenant: tenant, year: year) }
        replaceTenantView(template, tenant: tenant)
        dropDailyViews(template, tenant: tenant, ofYears: years)
    }

    /// Daily views of past years beside their yearly table (a rollover interrupted after the yearly table
    /// was finished): the tenant view is switched to the yearly table if it still reads them, then they
    /// are dropped.
    mutating func planRolledOverLeftovers(_ template: Template, tenant: Tenant) {
        let tenantObjects = objects[tenant.schema] ?? [:]
        var years = Set<Int>()
        var leftovers = Set<QualifiedName>()
        for (role, relation) in tenantObjects {
            guard case .dailyView(let name, let day) = role, name == template.name,
                  day.year >= settings.firstYear, day.year < asOf.year,
                  tenantObjects[.yearlyTable(template: name, year: day.year)] != nil
            else { continue }
            years.insert(day.year)
            leftovers.insert(relation.name)
        }
        guard !years.isEmpty else { return }
        coveredObjects.formUnion(leftovers.map(\.description))
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        if let liveView = live.relations[view], !Set(liveView.dependsOn).isDisjoint(with: leftovers) {
            replaceTenantView(template, tenant: tenant)
        }
        dropDailyViews(template, tenant: tenant, ofYears: years.sorted())
    }

    /// The tenant view's swap with the members it has once this plan has run: the yearly tables (live or
    /// built here), then the current year's daily views; its columns stay what they are (see
    /// ``swapColumns(_:template:)``). Another rule planning the same tenant view later (missing days, a
    /// column change) supersedes it: see ``finishTenantsAndYears()``.
    mutating func replaceTenantView(_ template: Template, tenant: Tenant) {
        let view = QualifiedName(schema: tenant.schema, name: template.name)
        let days = expectedDays.map { QualifiedName(schema: tenant.schema, name: ObjectNames.dailyView(template.name, $0)) }
        let members = historicalMembers(template, tenant: tenant).members + days
        var step = tenantViewStep(template, tenant: tenant, members: members, columnsAdded: [])
        if let columns = swapColumns(view, template: template), columns != template.columns.map(\.name), !members.isEmpty {
            step.statements = [WarehouseDDL.tenantView(view, columns: columns, members: members)]
        }
        add(step)
        coveredObjects.insert(view.description)
    }

    /// Plans one yearly table (see ``YearlyTableLoad``): a shadow, loaded a month per statement, then
    /// renamed, indexed and stamped. A shadow left by an earlier run with the same stamp is resumed after
    /// its last loaded day; one with another stamp is dropped and rebuilt.
    mutating func planYearlyTable(_ template: Template, tenant: Tenant, year: Int) {
        let final = QualifiedName(schema: tenant.schema, name: ObjectNames.yearlyTable(template.name, year))
        let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(final.name))
        let stamp = ObjectStamp(
            specHash: template.yearlyTableSpecHash(year: year, connection: tenant.connection), revision: desired.revision)
        var statements: [String] = []
        var loadedThrough: Day?
        if let leftover = live.relations[shadow] {
            coveredObjects.insert(shadow.description)
            if leftover.kind == .table, leftover.stamp?.specHash == stamp.specHash {
                loadedThrough = YearlyTableLoad.loadedThrough(leftover.comment)
                notes.append("\(final): resuming the shadow of an earlier run"
                    + (loadedThrough.map { " after \($0)" } ?? " from the start"))
            } else {
                statements.append(WarehouseDDL.drop(leftover))
            }
        }
        statements.append(YearlyTableLoad.createShadow(shadow, final: final, template: template, stamp: stamp))

        let first = Day(year: year, month: 1, day: 1)!
        let last = Day(year: year, month: 12, day: 31)!
        var copied = 0.0
        var fromSource = 0
        var month: [(day: Day, source: YearlyTableLoad.Source)] = []
        for day in first.through(last) {
            if let view = reusableDailyView(template, tenant: tenant, day: day) {
                month.append((day, .dailyView(view.name)))
                copied += Double(view.sizeBytes)
            } else {
                month.append((day, .source))
                fromSource += 1
            }
            let monthEnds = day == last || day.adding(days: 1).month != day.month
            guard monthEnds else { continue }
            if loadedThrough.map({ $0 < day }) ?? true {
                statements.append(YearlyTableLoad.loadDays(
                    month, into: shadow, final: final, template: template, connection: tenant.connection, stamp: stamp))
            }
            month = []
        }
        statements.append(YearlyTableLoad.finish(
            shadow, final: final, year: year, template: template, stamp: stamp, owner: managedOwner,
            indexName: { indexName($0, on: final) }))
        statements.append("ANALYZE \(final)")
        plannedYearlyTables.insert(final)

        let daily = fromSource == 0 ? nil : typicalDailySize(template, tenant: tenant) ?? averageDailySize(template)
        let sourceBytes = daily.map { $0 * Double(fromSource) }
        let bytes: Double? = fromSource == 0 ? copied : sourceBytes.map { $0 + copied }
        add(PlanStep(
            phase: .prepare, kind: .buildYearlyTable, stepClass: .online, template: template.name, tenant: tenant.schema,
            targets: [final.description], statements: statements,
            undo: ["DROP TABLE IF EXISTS \(final)", "DROP TABLE IF EXISTS \(shadow)"], transactional: false,
            estimateBytes: bytes, estimateSeconds: Estimates.buildSeconds(bytes), reversible: true, stamp: stamp))
    }

    /// The day's live daily view, if its rows are what the desired spec would build: a populated
    /// materialized view with the template's columns, stamped with the desired spec, or unstamped with the
    /// desired query through the tenant's connection. When the view is not, its shadow may be: a rename
    /// swap that had built the day's shadow when the year turned (so the yearly table copies the rows
    /// the column change built instead of reading the whole year from the source again).
    func reusableDailyView(_ template: Template, tenant: Tenant, day: Day) -> LiveRelation? {
        let final = relation(tenant.schema, .dailyView(template: template.name, day: day))
        if let final, dailyViewIsCurrent(final, template: template, tenant: tenant, day: day) { return final }
        let shadow = QualifiedName(schema: tenant.schema, name: ObjectNames.shadow(ObjectNames.dailyView(template.name, day)))
        guard let leftover = live.relations[shadow], leftover.stamp != nil else { return nil }
        return dailyViewIsCurrent(leftover, template: template, tenant: tenant, day: day) ? leftover : nil
    }

    /// Drops the daily views of those years after the swap, one statement each (one small transaction
    /// each: never the whole year's locks at once).
    mutating func dropDailyViews(_ template: Template, tenant: Tenant, ofYears years: [Int]) {
        for year in years.sorted() {
            let views = (objects[tenant.schema] ?? [:]).compactMap { role, relation -> (Day, LiveRelation)? in
                if case .dailyView(let name, let day) = role, name == template.name, day.year == year {
                    return (day, relation)
                }
                return nil
            }.sorted { $0.0 < $1.0 }.map(\.1)
            // Shadows of those days, left by a column change the year overtook (the tenant view may read
            // them until this plan's swap; cleanup comes after it).
            let shadows = (objects[tenant.schema] ?? [:]).compactMap { role, relation -> (Day, LiveRelation)? in
                guard case .leftover(let base, ObjectNames.shadowSuffix) = role, relation.kind == .materializedView,
                      case .dailyView(let name, let day)? = ObjectNames.role(of: base, templates: [template.name]),
                      name == template.name, day.year == year
                else { return nil }
                return (day, relation)
            }.sorted { $0.0 < $1.0 }.map(\.1)
            shadows.forEach { coveredObjects.insert($0.name.description) }
            guard let first = (views + shadows).first, let last = (views.last ?? shadows.last) else { continue }
            let count = views.count + shadows.count
            var range = count == 1 ? first.name.description
                : "\(first.name) … \(last.name.name) (\(views.isEmpty ? "\(shadows.count) shadows" : "\(views.count) days"))"
            if !shadows.isEmpty && !views.isEmpty { range += " and \(shadows.count) shadows" }
            add(PlanStep(
                phase: .cleanup, kind: .dropDailyView, stepClass: .online, template: template.name, tenant: tenant.schema,
                targets: [range], statements: (views + shadows).map(WarehouseDDL.drop), transactional: false,
                estimateSeconds: Double(count) * Estimates.catalogStatementSeconds, reversible: false))
        }
    }

    /// The average size of the template's live daily views over every tenant: the estimate of a day a new
    /// tenant has not built yet.
    func averageDailySize(_ template: Template) -> Double? {
        var total = 0.0
        var count = 0
        for tenantObjects in objects.values {
            for (role, relation) in tenantObjects {
                guard case .dailyView(let name, _) = role, name == template.name, relation.sizeBytes > 0 else { continue }
                total += Double(relation.sizeBytes)
                count += 1
            }
        }
        return count == 0 ? nil : total / Double(count)
    }
}
