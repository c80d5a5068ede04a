import DesiredState
import Testing
import WardenModel

/// Seed 002's "backward compatibility first": what is breaking between two revisions, and what is not.
@Suite struct BreakingChangeLintTests {
    static func column(_ name: String, _ type: String = "text", renamedFrom: String? = nil) -> Column {
        Column(name: name, type: ColumnType(canonical: type), renamedFrom: renamedFrom)
    }

    static func warehouse(
        firstYear: Int = 2024, tenants: [String] = ["landb", "acme"], templates: [Template]? = nil
    ) -> DesiredWarehouse {
        DesiredWarehouse(
            settings: WarehouseSettings(
                firstYear: firstYear, tenants: tenants.map { Tenant(schema: $0, connection: "\($0)-prod") }),
            templates: templates ?? [
                Template(name: "foodlogstats", query: "SELECT '{TARGET_DATE}'",
                         columns: [column("id", "bigint"), column("store"), column("weight", "numeric(10,3)")]),
                Template(name: "storedaily", query: "SELECT '{TARGET_DATE}'", columns: [column("log_date", "date")]),
            ])
    }

    static func replacingColumns(_ columns: [Column]) -> DesiredWarehouse {
        var state = warehouse()
        state.templates[0].columns = columns
        return state
    }

    @Test func removingAColumnIsBreakingAndLosesItsHistory() {
        let changes = BreakingChangeLint.lint(
            previous: Self.warehouse(), current: Self.replacingColumns([Self.column("id", "bigint"), Self.column("store")]))
        #expect(changes == [BreakingChange(
            kind: .columnRemoved, template: "foodlogstats", object: "foodlogstats.weight",
            consequence: "drops column 'weight' of template foodlogstats from every yearly table; its history is lost")])
    }

    @Test func aRenamedFromRenameIsOneRenameNotARemoveAndAnAdd() {
        let changes = BreakingChangeLint.lint(
            previous: Self.warehouse(),
            current: Self.replacingColumns([
                Self.column("id", "bigint"), Self.column("store"),
                Self.column("weight_kg", "numeric(10,3)", renamedFrom: "weight"),
            ]))
        #expect(changes.map(\.kind) == [.columnRenamed])
        #expect(changes[0].object == "foodlogstats.weight")
        #expect(changes[0].consequence.contains("renames column 'weight' of template foodlogstats to 'weight_kg'"))
    }

    @Test func aRenameThatAlsoChangesTheTypeIsBoth() {
        let changes = BreakingChangeLint.lint(
            previous: Self.warehouse(),
            current: Self.replacingColumns([
                Self.column("id", "bigint"), Self.column("store"),
                Self.column("weight_g", "integer", renamedFrom: "weight"),
            ]))
        #expect(changes.map(\.kind) == [.columnRenamed, .columnRetyped])
    }

    @Test func aRenamedFromLeftOverFromAnEarlierRevisionIsNotARename() {
        var previous = Self.replacingColumns([Self.column("id", "bigint"), Self.column("weight_kg", renamedFrom: "weight")])
        previous.templates[0].columns[1].type = ColumnType(canonical: "numeric(10,3)")
        let current = previous
        #expect(BreakingChangeLint.lint(previous: previous, current: current).isEmpty)
    }

    @Test func retypingAColumnIsBreaking() {
        let changes = BreakingChangeLint.lint(
            previous: Self.warehouse(),
            current: Self.replacingColumns([Self.column("id", "integer"), Self.column("store"), Self.column("weight", "numeric(10,3)")]))
        #expect(changes == [BreakingChange(
            kind: .columnRetyped, template: "foodlogstats", object: "foodlogstats.id",
            consequence: "changes column 'id' of template foodlogstats from bigint to integer; every yearly table is rewritten and every stored value must convert")])
    }

    @Test func removingATenantIsBreaking() {
        let changes = BreakingChangeLint.lint(previous: Self.warehouse(), current: Self.warehouse(tenants: ["landb"]))
        #expect(changes.map(\.kind) == [.tenantRemoved])
        #expect(changes[0].template == nil)
        #expect(changes[0].description == "tenantRemoved tenant acme: removes tenant 'acme' from every public view and drops its union views, yearly tables and daily views; its history is lost")
    }

    @Test func raisingFirstYearDropsTheYearsBeforeIt() {
        let one = BreakingChangeLint.lint(previous: Self.warehouse(), current: Self.warehouse(firstYear: 2025))
        #expect(one.map(\.kind) == [.firstYearRaised])
        #expect(one[0].consequence == "drops the yearly tables of 2024 of every template in every tenant (firstYear 2024 → 2025); their history is lost")
        let two = BreakingChangeLint.lint(previous: Self.warehouse(), current: Self.warehouse(firstYear: 2026))
        #expect(two[0].consequence.contains("of 2024 through 2025"))
    }

    @Test func removingATemplateIsBreaking() {
        var current = Self.warehouse()
        current.templates.removeLast()
        let changes = BreakingChangeLint.lint(previous: Self.warehouse(), current: current)
        #expect(changes.map(\.kind) == [.templateRemoved])
        #expect(changes[0].template == "storedaily")
    }

    @Test func addingAColumnATenantOrATemplateAndLoweringFirstYearAreNotBreaking() {
        var current = Self.warehouse(firstYear: 2022, tenants: ["landb", "acme", "bistro"])
        current.templates[0].columns.append(Self.column("waste_category"))
        current.templates[0].columns.insert(Self.column("flags"), at: 1)
        current.templates.append(Template(name: "z", query: "SELECT '{TARGET_DATE}'", columns: [Self.column("id")]))
        current.templates[1].query = "SELECT 2, '{TARGET_DATE}'"
        current.templates[1].indexes = [IndexSpec(columns: ["log_date"])]
        #expect(BreakingChangeLint.lint(previous: Self.warehouse(), current: current).isEmpty)
    }

    @Test func everyKindCanBeFoundInOneLint() {
        var current = Self.warehouse(firstYear: 2025, tenants: ["landb"])
        current.templates = [Template(
            name: "foodlogstats", query: "SELECT '{TARGET_DATE}'",
            columns: [Self.column("id", "integer"), Self.column("shop", renamedFrom: "store")])]
        let kinds = Set(BreakingChangeLint.lint(previous: Self.warehouse(), current: current).map(\.kind))
        #expect(kinds == Set(BreakingChange.Kind.allCases))
    }
}
