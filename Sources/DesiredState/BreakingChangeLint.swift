import WardenModel

/// Compares the desired state with its previous revision and lists the breaking changes (DESIGN.md §2,
/// seed 002): removing, renaming or retyping a column, removing a template or a tenant, raising `firstYear`.
///
/// Adding columns, templates or tenants, changing queries, indexes, grants or windows, and lowering
/// `firstYear` (which backfills) are not breaking.
public enum BreakingChangeLint {
    /// The breaking changes from `previous` to `current`: templates in name order, then tenants, then `firstYear`.
    public static func lint(previous: DesiredWarehouse, current: DesiredWarehouse) -> [BreakingChange] {
        var changes: [BreakingChange] = []
        for old in previous.templates.sorted(by: { $0.name < $1.name }) {
            guard let new = current.template(named: old.name) else {
                changes.append(BreakingChange(
                    kind: .templateRemoved, template: old.name, object: old.name,
                    consequence: "drops template \(old.name): its public view and, in every tenant, its union view, yearly tables and daily views; its history is lost"))
                continue
            }
            changes += columnChanges(from: old, to: new)
        }
        let kept = Set(current.settings.tenants.map(\.schema))
        for tenant in previous.settings.tenants where !kept.contains(tenant.schema) {
            changes.append(BreakingChange(
                kind: .tenantRemoved, template: nil, object: "tenant \(tenant.schema)",
                consequence: "removes tenant '\(tenant.schema)' from every public view and drops its union views, yearly tables and daily views; its history is lost"))
        }
        let oldYear = previous.settings.firstYear
        let newYear = current.settings.firstYear
        if newYear > oldYear {
            let years = newYear - oldYear == 1 ? "of \(oldYear)" : "of \(oldYear) through \(newYear - 1)"
            changes.append(BreakingChange(
                kind: .firstYearRaised, template: nil, object: "firstYear",
                consequence: "drops the yearly tables \(years) of every template in every tenant (firstYear \(oldYear) → \(newYear)); their history is lost"))
        }
        return changes
    }

    /// Columns removed, renamed (through `renamedFrom`) or retyped between two versions of a template.
    private static func columnChanges(from old: Template, to new: Template) -> [BreakingChange] {
        var changes: [BreakingChange] = []
        let template = new.name
        let oldNames = Set(old.columns.map(\.name))
        var carriedOver = Set<String>()
        for column in new.columns {
            var before = old.column(named: column.name)
            if before == nil, let from = column.renamedFrom, let renamed = old.column(named: from) {
                before = renamed
                changes.append(BreakingChange(
                    kind: .columnRenamed, template: template, object: "\(template).\(from)",
                    consequence: "renames column '\(from)' of template \(template) to '\(column.name)' in every view and yearly table; queries that read '\(from)' will fail"))
            }
            guard let before else { continue }
            carriedOver.insert(before.name)
            if before.type != column.type {
                changes.append(BreakingChange(
                    kind: .columnRetyped, template: template, object: "\(template).\(column.name)",
                    consequence: "changes column '\(column.name)' of template \(template) from \(before.type) to \(column.type); every yearly table is rewritten and every stored value must convert"))
            }
        }
        for column in old.columns where !carriedOver.contains(column.name) && oldNames.contains(column.name) {
            changes.append(BreakingChange(
                kind: .columnRemoved, template: template, object: "\(template).\(column.name)",
                consequence: "drops column '\(column.name)' of template \(template) from every yearly table; its history is lost"))
        }
        return changes
    }
}
