import WardenModel

extension PlanningRun {
    /// `_wh.mv_templates` for an empty warehouse, before the registry rows are written: bootstrap is every
    /// tenant added, the public views and the registry (``planTenantsAndYears(_:)``).
    mutating func planRegistryTable() {
        guard live.registry.isEmpty, live.relations[QualifiedName(schema: "_wh", name: "mv_templates")] == nil else { return }
        add(PlanStep(
            phase: .prepare, kind: .createRegistry, stepClass: .online, targets: ["_wh.mv_templates"],
            statements: WarehouseDDL.createRegistry, undo: ["DROP TABLE IF EXISTS _wh.mv_templates"],
            estimateSeconds: Estimates.catalogStatementSeconds, reversible: true))
    }
}
