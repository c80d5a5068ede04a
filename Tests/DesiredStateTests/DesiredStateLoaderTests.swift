import DesiredState
import Testing
import WardenModel

/// The loader's reading of valid repositories: styles, types, defaults, queries and roots.
@Suite struct DesiredStateLoaderTests {
    static let blockWarehouse = """
        apiVersion: warden/v1
        kind: Warehouse
        timeZone: UTC
        firstYear: 2024
        publicSchema: public
        tenantColumn: tenant
        owner: whadmin
        tenants:
          - schema: landb
            connection: landb-prod
          - schema: acme
            connection: acme-prod
        grants:
          - role: analysts
            on: public
          - role: landb_readers
            on: tenant/landb
        windows:
          - name: sunday-night
            kind: allow
            schedule: "0 2 * * 0"
            duration: 1h30m
            timeZone: America/Chicago
            manualSync: true
        policy:
          strategy: rebuild
          prepareAhead: false
          allowDestructive: true
          parallelism: 4
          lockTimeout: 500ms

        """

    static let flowWarehouse = """
        { apiVersion: warden/v1, kind: Warehouse, timeZone: UTC, firstYear: 2024, publicSchema: public,
          tenantColumn: tenant, owner: whadmin,
          tenants: [{ schema: landb, connection: landb-prod }, { schema: acme, connection: acme-prod }],
          grants: [{ role: analysts, on: public }, { role: landb_readers, on: tenant/landb }],
          windows: [{ name: sunday-night, kind: allow, schedule: "0 2 * * 0", duration: 1h30m,
                      timeZone: America/Chicago, manualSync: true }],
          policy: { strategy: rebuild, prepareAhead: false, allowDestructive: true, parallelism: 4, lockTimeout: 500ms } }

        """

    static let blockTemplate = """
        apiVersion: warden/v1
        kind: Template
        name: foodlogstats
        description: Daily food log statistics
        query: foodlogstats.sql
        columns:
          - name: id
            type: bigint
          - name: waste_category
            type: text
            default: UNKNOWN
            notNull: true
          - name: weight_kg
            type: numeric(10,3)
            renamedFrom: weight
        indexes:
          - columns: [id]
            unique: true
          - columns:
              - weight_kg
              - id

        """

    static let flowTemplate = """
        {apiVersion: warden/v1, kind: Template, name: foodlogstats, description: Daily food log statistics,
         query: foodlogstats.sql,
         columns: [{name: id, type: bigint}, {name: waste_category, type: text, default: UNKNOWN, notNull: true},
                   {name: weight_kg, type: "numeric(10,3)", renamedFrom: weight}],
         indexes: [{columns: [id], unique: true}, {columns: [weight_kg, id]}]}

        """

    @Test func flowStyleAndBlockStyleLoadEqual() throws {
        let block = DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": Self.blockWarehouse, "templates/foodlogstats.yaml": Self.blockTemplate,
                "templates/foodlogstats.sql": RepositoryFiles.query,
            ]),
            root: "desired-state", revision: "r1")
        let flow = DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": Self.flowWarehouse, "templates/foodlogstats.yaml": Self.flowTemplate,
                "templates/foodlogstats.sql": RepositoryFiles.query,
            ]),
            root: "desired-state", revision: "r1")
        #expect(block.diagnostics.isEmpty, "\(block.diagnostics)")
        #expect(flow.diagnostics.isEmpty, "\(flow.diagnostics)")
        let desired = try #require(block.desired)
        #expect(flow.desired == desired)

        #expect(desired.settings.owner == "whadmin")
        #expect(desired.settings.windows[0].durationSeconds == 5400)
        #expect(desired.settings.policy == Policy(
            strategy: .rebuild, prepareAhead: false, allowDestructive: true, parallelism: 4, lockTimeoutMilliseconds: 500))
        let template = try #require(desired.template(named: "foodlogstats"))
        #expect(template.columns == [
            Column(name: "id", type: ColumnType(canonical: "bigint")),
            Column(name: "waste_category", type: ColumnType(canonical: "text"), defaultValue: "UNKNOWN", notNull: true),
            Column(name: "weight_kg", type: ColumnType(canonical: "numeric(10,3)"), renamedFrom: "weight"),
        ])
        #expect(template.indexes == [IndexSpec(columns: ["id"], unique: true), IndexSpec(columns: ["weight_kg", "id"])])
    }

    @Test(arguments: ["int", "int4", "INTEGER", "integer", "Int"])
    func typeAliasesLoadAsOneType(_ spelling: String) throws {
        let result = load(columns: "  - { name: id, type: \(spelling) }\n")
        let template = try #require(result.desired?.templates.first)
        #expect(template.columns[0].type == ColumnType(canonical: "integer"))
    }

    @Test func typesFromTheServerWinAndServerOnlyTypesLoad() throws {
        let columns = "  - { name: id, type: int }\n  - { name: email, type: citext }\n  - { name: mood, type: mood }\n"
        let offline = load(columns: columns)
        #expect(offline.desired == nil)
        #expect(offline.errors.map(\.line) == [7, 8])

        let typeNames = ["int": "integer", "citext": "citext", "mood": "public.mood"]
        let online = load(columns: columns, typeNames: typeNames)
        let template = try #require(online.desired?.templates.first)
        #expect(template.columns.map(\.type.name) == ["integer", "citext", "public.mood"])
    }

    @Test func typeSpellingsListsEveryTypeAsWritten() {
        let files = RepositoryFiles.make([
            "warehouse.yaml": RepositoryFiles.warehouse,
            "templates/a.yaml": RepositoryFiles.template("a", columns: "  - { name: id, type: INT8 }\n  - { name: e, type: citext }\n"),
            "templates/b.yaml": RepositoryFiles.template("b", columns: "  - { name: id, type: int8 }\n"),
            "templates/broken.yaml": "{ unclosed",
        ])
        #expect(DesiredStateLoader.typeSpellings(files: files, root: "desired-state") == ["INT8", "citext", "int8"])
    }

    @Test func defaultsStayLiteralTextAndTypesBecomeCanonical() throws {
        let columns = """
              - { name: a, type: int4, default: 0 }
              - { name: b, type: timestamptz, default: "2024-01-01 00:00:00+00" }
              - { name: c, type: bool, default: false }
              - { name: d, type: "character varying(3)", default: "abc" }
              - { name: e, type: uuid, default: 123e4567-e89b-12d3-a456-426614174000 }
              - { name: f, type: "double precision", default: 1.5e3 }
              - { name: g, type: text, default: "" }

            """
        let template = try #require(load(columns: columns).desired?.templates.first)
        #expect(template.columns.map(\.defaultValue) == ["0", "2024-01-01 00:00:00+00", "false", "abc",
                                                          "123e4567-e89b-12d3-a456-426614174000", "1.5e3", ""])
        #expect(template.columns.map(\.type.name) == ["integer", "timestamp with time zone", "boolean",
                                                       "character varying(3)", "uuid", "double precision", "text"])
    }

    @Test func aDefaultLongerThanItsVarcharIsRefused() {
        let result = load(columns: "  - { name: code, type: \"varchar(2)\", default: abc }\n")
        #expect(result.errors.map(\.message).contains { $0.contains("at most 2 characters") })
    }

    @Test func moreColumnsThanPostgreSQLAllowsAreRefusedAtOnce() throws {
        let fits = (1...1599).map { "  - { name: c\($0), type: integer }\n" }.joined()
        #expect(load(columns: fits).errors.isEmpty)
        let tooMany = (1...60_006).map { "  - { name: c\($0), type: integer }\n" }.joined()
        let clock = ContinuousClock()
        let started = clock.now
        let messages = load(columns: tooMany).errors.map(\.message)
        print("60,006 columns refused in \(started.duration(to: clock.now))")
        #expect(messages == ["template 't' declares 60006 columns; PostgreSQL allows 1600 per view and the public view adds the tenant column, so declare at most 1599"])
    }

    @Test func anIndexOfMoreThan32ColumnsIsRefused() throws {
        let columns = (1...33).map { "  - { name: c\($0), type: integer }\n" }.joined()
            + "indexes:\n  - { columns: [" + (1...33).map { "c\($0)" }.joined(separator: ", ") + "] }\n"
        let messages = load(columns: columns).errors.map(\.message)
        #expect(messages.contains { $0.contains("has 33 columns; PostgreSQL allows at most 32 in one index") }, "\(messages)")
    }

    @Test func theQueryIsKeptExactlyWithoutTrailingWhitespace() throws {
        let query = "  SELECT id\r\n  FROM t\n\tWHERE d = '{TARGET_DATE}'  \n\n \t\n"
        let template = try #require(load(query: query).desired?.templates.first)
        #expect(template.query == "  SELECT id\r\n  FROM t\n\tWHERE d = '{TARGET_DATE}'")
    }

    @Test func placeholdersAreCaseSensitiveButLowerCaseBracesAreSQL() {
        let lower = load(query: "SELECT '{a}'::text[] FROM t WHERE d = '{target_date}'\n")
        #expect(lower.errors.count == 2)
        #expect(lower.errors[0].message.contains("never uses {TARGET_DATE}"))
        #expect(lower.errors[1].message.contains("case-sensitive, so write {TARGET_DATE}"))
        #expect(lower.errors[1].column == 40)
        let arrays = load(query: "SELECT '{a,b}'::text[], '{x}' FROM t WHERE d = '{TARGET_DATE}'\n")
        #expect(arrays.errors.isEmpty)
    }

    @Test func warningsDoNotStopTheLoad() throws {
        let files = RepositoryFiles.make([
            "warehouse.yaml": RepositoryFiles.warehouse,
            "templates/a.yaml": RepositoryFiles.template("a"),
            "templates/a.sql": RepositoryFiles.query,
            "templates/old.sql": RepositoryFiles.query,
            "notes/extra.yaml": "x: 1\n",
            "README.md": "# schema\n",
        ])
        let result = DesiredStateLoader.load(files: files, root: "desired-state", revision: nil)
        #expect(result.desired != nil)
        #expect(result.errors.isEmpty)
        #expect(result.warnings.map(\.file) == ["desired-state/notes/extra.yaml", "desired-state/templates/old.sql"])
    }

    @Test(arguments: ["desired-state", "./desired-state/", "/desired-state"])
    func theRootMayBeWrittenSeveralWays(_ root: String) {
        let files = RepositoryFiles.make([
            "warehouse.yaml": RepositoryFiles.warehouse, "templates/a.yaml": RepositoryFiles.template("a"),
            "templates/a.sql": RepositoryFiles.query,
        ]) + [SourceFile(path: "other/warehouse.yaml", text: "garbage: [")]
        let result = DesiredStateLoader.load(files: files, root: root, revision: nil)
        #expect(result.diagnostics.isEmpty)
        #expect(result.desired?.templates.map(\.name) == ["a"])
    }

    @Test func theRepositoryTopIsARoot() {
        let files = [
            SourceFile(path: "warehouse.yaml", text: RepositoryFiles.warehouse),
            SourceFile(path: "templates/a.yaml", text: RepositoryFiles.template("a")),
            SourceFile(path: "templates/a.sql", text: RepositoryFiles.query),
        ]
        #expect(DesiredStateLoader.load(files: files, root: "", revision: nil).desired != nil)
    }

    @Test func anEmptyRootSaysSo() {
        let result = DesiredStateLoader.load(files: [], root: "desired-state", revision: nil)
        #expect(result.desired == nil)
        #expect(result.diagnostics.map(\.description) == [
            "desired-state/warehouse.yaml:1:1: error: there are no files under 'desired-state/'; check the path to the desired state or create desired-state/warehouse.yaml",
        ])
    }

    @Test func aHostileNameCannotBreakTheOneLineFormat() {
        let result = load(columns: "  - { name: \"id\\nerror: forged\", type: bigint }\n")
        #expect(result.errors.count == 1)
        #expect(!result.errors[0].description.contains("\n"))
        #expect(result.errors[0].message.contains("'id\\nerror: forged'"))
    }

    @Test func windowsLineEndingsAndAByteOrderMarkRead() throws {
        let files = RepositoryFiles.make([
            "warehouse.yaml": "\u{FEFF}" + RepositoryFiles.warehouse.replacing("\n", with: "\r\n"),
            "templates/a.yaml": RepositoryFiles.template("a").replacing("\n", with: "\r\n") + "bogus: 1\r\n",
            "templates/a.sql": "\u{FEFF}SELECT 1 AS id\r\nWHERE d = '{TARGET_DATE}'\r\n",
        ])
        let result = DesiredStateLoader.load(files: files, root: "desired-state", revision: nil)
        #expect(result.diagnostics.map(\.description) == [
            "desired-state/templates/a.yaml:7:1: error: unknown key 'bogus' in template 'a'; remove it (allowed keys: apiVersion, kind, name, description, query, columns, indexes, readyWhen)",
        ])
    }

    @Test func diagnosticsPrintAsCompilersPrintThem() {
        let diagnostic = Diagnostic(file: "desired-state/templates/x.yaml", line: 12, column: 5, severity: .error, message: "m")
        #expect(diagnostic.description == "desired-state/templates/x.yaml:12:5: error: m")
    }

    @Test func aTemplateWithEveryProblemOfAColumnReportsEachOnce() {
        let columns = """
              - { name: a, type: integer, notNull: true }
              - { name: b, type: text, renamedFrom: b }
              - { name: c, type: text, renamedFrom: x }
              - { name: d, type: text, renamedFrom: x }

            """
        let messages = load(columns: columns).errors.map(\.message)
        #expect(messages.count == 3)
        #expect(messages.contains { $0.contains("'a'") && $0.contains("notNull without a default") })
        #expect(messages.contains { $0.contains("renamedFrom itself") })
        #expect(messages.contains { $0.contains("both renamedFrom 'x'") })
    }

    // MARK: -

    private func load(
        columns: String = "  - { name: id, type: bigint }\n", query: String = RepositoryFiles.query,
        typeNames: [String: String] = [:]
    ) -> LoadResult {
        DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": RepositoryFiles.warehouse,
                "templates/t.yaml": RepositoryFiles.template("t", columns: columns),
                "templates/t.sql": query,
            ]),
            root: "desired-state", revision: nil, typeNames: typeNames)
    }
}
