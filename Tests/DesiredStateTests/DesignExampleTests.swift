import DesiredState
import Foundation
import Testing
import WardenModel

/// The examples of DESIGN.md §2, verbatim, are valid desired state.
@Suite struct DesignExampleTests {
    static let warehouse = """
        apiVersion: warden/v1
        kind: Warehouse
        timeZone: UTC              # day boundaries for {TARGET_DATE}
        firstYear: 2024            # oldest year kept as a yearly table; a new tenant is backfilled from here
        publicSchema: public
        tenantColumn: tenant       # first column of every public view: the tenant's schema name
        owner: whadmin             # optional: role that owns every managed object
        tenants:
          - schema: landb
            connection: landb-prod # dblink foreign server name (credentials never live in git)
          - schema: acme
            connection: acme-prod
        grants:                    # SELECT grants kept on views across every rebuild
          - role: analysts
            on: public             # every public view
          - role: landb_readers
            on: tenant/landb       # that tenant's union views
        windows:                   # maintenance windows, Argo CD sync-window algebra (section 6)
          - name: sunday-night
            kind: allow
            schedule: "0 2 * * 0"  # 5-field cron: when the window opens
            duration: 4h
            timeZone: America/Chicago
            manualSync: true
          - name: month-end-close
            kind: deny
            schedule: "0 0 28 * *"
            duration: 96h
        policy:
          strategy: shadow-swap    # shadow-swap (default) | rebuild (the seed's drop-and-rebuild)
          prepareAhead: true       # build shadow objects before the window opens
          allowDestructive: false  # dropping a column, a tenant or history needs true
          parallelism: 2           # connections used for builds
          lockTimeout: 2s

        """

    static let template = """
        apiVersion: warden/v1
        kind: Template
        name: foodlogstats
        description: Daily food log statistics
        query: foodlogstats.sql
        columns:                    # order is the view column order
          - { name: id,              type: bigint }
          - { name: store,           type: text }
          - { name: logged_time,     type: timestamptz }
          - { name: action_taken_id, type: integer }
          - { name: flags,           type: text }
          - name: waste_category
            type: text
            default: UNKNOWN        # value for history rows older than the column (a literal, typed by `type`)
          - name: weight_kg
            type: numeric(10,3)
            renamedFrom: weight     # a rename, not drop + add
        indexes:
          - { columns: [id], unique: true }
          - { columns: [logged_time] }
          - { columns: [store] }

        """

    @Test func theExamplesOfTheDesignLoad() throws {
        let result = DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": Self.warehouse, "templates/foodlogstats.yaml": Self.template,
                "templates/foodlogstats.sql": RepositoryFiles.query,
            ]),
            root: "desired-state", revision: nil)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        let desired = try #require(result.desired)
        #expect(desired.settings.owner == "whadmin")
        let template = try #require(desired.template(named: "foodlogstats"))
        #expect(template.column(named: "waste_category")?.defaultValue == "UNKNOWN")
        #expect(template.column(named: "weight_kg")?.renamedFrom == "weight")
        #expect(template.columnDefinitions
            == "id bigint, store text, logged_time timestamp with time zone, action_taken_id integer, flags text, waste_category text, weight_kg numeric(10,3)")
    }

    /// Against the demo state, §2's template is one added column and one rename, as seed 000's example.
    @Test func theDesignTemplateAgainstTheDemoIsARenameAndNothingElseBreaking() throws {
        let demo = try #require(
            DesiredStateLoader.load(files: try RepositoryFiles.demo(), root: "desired-state", revision: nil).desired)
        var changed = demo
        let design = try #require(DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": Self.warehouse, "templates/foodlogstats.yaml": Self.template,
                "templates/foodlogstats.sql": RepositoryFiles.query,
            ]),
            root: "desired-state", revision: nil).desired?.template(named: "foodlogstats"))
        changed.templates[0] = design
        #expect(BreakingChangeLint.lint(previous: demo, current: changed).map(\.description) == [
            "columnRenamed foodlogstats.weight: renames column 'weight' of template foodlogstats to 'weight_kg' in every view and yearly table; queries that read 'weight' will fail",
        ])
    }
}
