import DesiredState
import Testing
import WardenModel

/// `warden adopt` writes what the loader reads back to an equal desired state.
@Suite struct DesiredStateWriterTests {
    /// A state using every optional key, with values that need quoting.
    static let everything = DesiredWarehouse(
        settings: WarehouseSettings(
            timeZone: "Europe/Paris", firstYear: 2021, publicSchema: "reporting", tenantColumn: "tenant_name",
            owner: "whadmin",
            tenants: [Tenant(schema: "landb", connection: "landb-prod"), Tenant(schema: "acme", connection: "acme.prod_2")],
            grants: [Grant(role: "analysts", scope: .publicViews), Grant(role: "data-team", scope: .tenantViews("acme"))],
            windows: [
                MaintenanceWindow(name: "sunday-night", kind: .allow, schedule: "0 2 * * SUN", durationSeconds: 5400,
                                  timeZone: "America/Chicago", manualSync: true),
                MaintenanceWindow(name: "month-end-close", kind: .deny, schedule: "0 0 28 * *", durationSeconds: 96 * 3600),
                MaintenanceWindow(name: "short", kind: .allow, schedule: "*/15 9-17 * JAN-MAR 1-5", durationSeconds: 45),
            ],
            policy: Policy(strategy: .rebuild, prepareAhead: false, allowDestructive: true, parallelism: 8,
                           lockTimeoutMilliseconds: 250)),
        templates: [
            Template(
                name: "foodlogstats", description: "Daily food log statistics: one row per entry, \"quoted\" & #hashed",
                query: "SELECT id, 'a: b' AS x\nFROM t -- {TARGET_DATE}\nWHERE d = '{TARGET_DATE}'",
                columns: [
                    Column(name: "id", type: ColumnType(canonical: "bigint")),
                    Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN", notNull: true),
                    Column(name: "weight_kg", type: ColumnType(canonical: "numeric(10,3)"), defaultValue: "-0.5", renamedFrom: "weight"),
                    Column(name: "note", type: ColumnType(canonical: "text"), defaultValue: "null"),
                    Column(name: "empty", type: ColumnType(canonical: "text"), defaultValue: ""),
                    Column(name: "quote", type: ColumnType(canonical: "text"), defaultValue: "it's \"x\": y # z\n"),
                    Column(name: "flag", type: ColumnType(canonical: "boolean"), defaultValue: "true"),
                    Column(name: "at", type: ColumnType(canonical: "timestamp with time zone"), defaultValue: "2024-01-01 00:00:00+00"),
                    Column(name: "yes", type: ColumnType(canonical: "text"), defaultValue: "no"),
                ],
                indexes: [IndexSpec(columns: ["id"], unique: true), IndexSpec(columns: ["weight_kg", "at"])]),
            Template(name: "bare", query: "SELECT 1 AS id WHERE '{TARGET_DATE}' IS NOT NULL",
                     columns: [Column(name: "id", type: ColumnType(canonical: "integer"))]),
        ],
        revision: "0123abcd")

    @Test func writingTheDemoStateAndLoadingItBackGivesTheSameState() throws {
        let demo = try #require(
            DesiredStateLoader.load(files: try RepositoryFiles.demo(), root: "desired-state", revision: "r").desired)
        let written = DesiredStateWriter.files(for: demo, root: "desired-state")
        let reloaded = DesiredStateLoader.load(files: written, root: "desired-state", revision: "r")
        #expect(reloaded.diagnostics.isEmpty, "\(reloaded.diagnostics)")
        #expect(reloaded.desired == demo)
    }

    @Test func writingAStateWithEveryOptionalKeyAndLoadingItBackGivesTheSameState() throws {
        let written = DesiredStateWriter.files(for: Self.everything, root: "schema")
        let reloaded = DesiredStateLoader.load(files: written, root: "schema", revision: "0123abcd")
        #expect(reloaded.diagnostics.isEmpty, "\(reloaded.diagnostics)")
        #expect(reloaded.desired == Self.everything)
    }

    @Test func theWriterLaysOutFilesAsTheFormatDoes() throws {
        let demo = try #require(
            DesiredStateLoader.load(files: try RepositoryFiles.demo(), root: "desired-state", revision: nil).desired)
        let written = DesiredStateWriter.files(for: demo, root: "desired-state")
        #expect(written.map(\.path) == [
            "desired-state/warehouse.yaml",
            "desired-state/templates/foodlogstats.yaml", "desired-state/templates/foodlogstats.sql",
            "desired-state/templates/storedaily.yaml", "desired-state/templates/storedaily.sql",
        ])
        let warehouse = try #require(written[0].text)
        #expect(warehouse == """
            apiVersion: warden/v1
            kind: Warehouse
            timeZone: UTC
            firstYear: 2024
            publicSchema: public
            tenantColumn: tenant
            tenants:
              - schema: landb
                connection: landb-prod
              - schema: acme
                connection: acme-prod
              - schema: bistro
                connection: bistro-prod
            grants:
              - role: analysts
                on: public
              - role: landb_readers
                on: tenant/landb
            windows:
              - name: sunday-night
                kind: allow
                schedule: "0 2 * * 0"
                duration: 4h
                timeZone: America/Chicago
                manualSync: true
              - name: month-end-close
                kind: deny
                schedule: "0 0 28 * *"
                duration: 96h
            policy:
              strategy: shadow-swap
              prepareAhead: true
              allowDestructive: false
              parallelism: 2
              lockTimeout: 2s

            """)
        let template = try #require(written[3].text)
        #expect(template == """
            apiVersion: warden/v1
            kind: Template
            name: storedaily
            description: "Daily waste per store: entries, total and discarded weight"
            query: storedaily.sql
            columns:
              - name: log_date
                type: date
              - name: store
                type: text
              - name: log_count
                type: bigint
              - name: total_weight
                type: numeric(12,3)
              - name: discarded_weight
                type: numeric(12,3)
            indexes:
              - columns: [log_date, store]
                unique: true
              - columns: [store]

            """)
        #expect(written[4].text == demo.template(named: "storedaily")!.query + "\n")
    }
}
