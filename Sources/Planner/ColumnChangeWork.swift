import PostgresSyntax
import WardenModel

/// The steps of one template's column change, gathered per concern while each tenant is planned and
/// emitted in running order by `PlanningRun.emit(_:_:)`.
struct ColumnChangeWork {
    var checks: [(table: QualifiedName, statement: String, bytes: Double)] = []
    var leftoverViews: [QualifiedName] = []
    var builds: [PlanStep] = []
    var addColumns: [PlanStep] = []
    /// Drops of retired objects of an earlier swap that still hold the names this swap retires into.
    var beforeSwapDrops: [PlanStep] = []
    var shadowViews: [PlanStep] = []
    /// Renames of the swap transaction: views (public first), then yearly tables and columns.
    var viewRenames: [Rename] = []
    /// The live views the swap renames to `__retired`: no view outside the swap may read them.
    var retiring: [QualifiedName] = []
    var tableRenames: [Rename] = []
    var retiredViewDrops: [PlanStep] = []
    var dayCleanup: [PlanStep] = []
    var yearlyCleanup: [PlanStep] = []
    var swapped: [String] = []
    var rebuilt: Set<QualifiedName> = []
    var alteredInSwap: Set<QualifiedName> = []
    var reused = 0
    /// Set by `PlanningRun.planTenant` when the tenant's yearly tables change in the swap (renamed tables
    /// or columns): its view is swapped even if it reads the right members.
    var tenantNeedsSwap = false
}

/// One rename of a swap transaction, and the rename that undoes it.
struct Rename {
    var statement: String
    var undo: String
    /// The relation renamed, by its name before the swap.
    var target: String

    /// `ALTER <VIEW|TABLE|INDEX> s.r RENAME TO name`.
    static func relation(_ keyword: String, _ relation: QualifiedName, to name: String) -> Rename {
        Rename(
            statement: WarehouseDDL.rename(keyword, relation, to: name),
            undo: WarehouseDDL.rename(keyword, QualifiedName(schema: relation.schema, name: name), to: relation.name),
            target: relation.description)
    }

    /// `ALTER TABLE s.t RENAME COLUMN old TO new`: the table's column keeps its number, so views that read
    /// it keep working and show the new name.
    static func column(of table: QualifiedName, _ old: String, to new: String) -> Rename {
        func text(_ from: String, _ to: String) -> String {
            "ALTER TABLE \(table) RENAME COLUMN \(SQL.identifier(from)) TO \(SQL.identifier(to))"
        }
        return Rename(statement: text(old, new), undo: text(new, old), target: table.description)
    }
}
