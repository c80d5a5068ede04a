import Catalog
import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing
import WardenModel

@Suite("Reading a legacy warehouse's catalog", .integration, .hangGuard)
struct LegacyWarehouseCatalogTests {
    let tenants = ["acme", "bistro", "landb"]
    let templates = ["foodlogstats", "storedaily"]

    static let foodlogColumns = [
        "id bigint", "store text", "logged_time timestamp with time zone", "action_taken_id integer", "flags text",
        "weight numeric(10,3)",
    ]
    static let storedailyColumns = [
        "log_date date", "store text", "log_count bigint", "total_weight numeric(12,3)",
        "discarded_weight numeric(12,3)",
    ]
    /// Index name suffixes and specs, in name order.
    static let indexes: [String: [(suffix: String, spec: IndexSpec)]] = [
        "foodlogstats": [
            ("action_taken_id", IndexSpec(columns: ["action_taken_id"])), ("id", IndexSpec(columns: ["id"], unique: true)),
            ("logged_time", IndexSpec(columns: ["logged_time"])), ("store", IndexSpec(columns: ["store"])),
        ],
        "storedaily": [
            ("log_date_store", IndexSpec(columns: ["log_date", "store"], unique: true)),
            ("store", IndexSpec(columns: ["store"])),
        ],
    ]

    func columns(_ template: String) -> [String] {
        template == "foodlogstats" ? Self.foodlogColumns : Self.storedailyColumns
    }

    func shape(_ relation: LiveRelation) -> [String] { relation.columns.map { "\($0.name) \($0.type.name)" } }

    func dailyName(_ template: String, _ day: String) -> String { "\(template)_\(day.replacing("-", with: "_"))" }

    @Test("every daily view, yearly table, union view and public view is read with its kind, columns, indexes and owner")
    func objects() async throws {
        let live = try await LegacyWorld.withConnection { try await CatalogReader.read($0) }
        for template in templates {
            for tenant in tenants {
                for day in LegacyWorld.days {
                    let name = dailyName(template, day)
                    let view = try #require(live[tenant, name], "\(tenant).\(name)")
                    #expect(view.kind == .materializedView)
                    #expect(shape(view) == columns(template), "\(tenant).\(name)")
                    #expect(view.populated)
                    #expect(view.owner == "postgres")
                    #expect(view.comment == nil && view.stamp == nil)
                    #expect(view.dependsOn.isEmpty, "a daily view reads only its dblink call")
                    let expected = Self.indexes[template]!
                    #expect(view.indexes.map(\.name) == expected.map { "idx_\(tenant)_\(name)_\($0.suffix)" })
                    #expect(view.indexes.map(\.spec) == expected.map(\.spec), "\(tenant).\(name)")
                    #expect(view.indexes.allSatisfy { $0.valid })
                }
                let yearly = try #require(live[tenant, "\(template)_2025"])
                #expect(yearly.kind == .table)
                #expect(shape(yearly) == columns(template))
                #expect(yearly.indexes.map(\.spec) == Self.indexes[template]!.map(\.spec))
                #expect(yearly.sizeBytes > 0, "a loaded yearly table has pages")
                #expect(yearly.definition == nil)

                let union = try #require(live[tenant, template])
                #expect(union.kind == .view)
                #expect(shape(union) == columns(template))
                #expect(union.dependsOn
                    == [QualifiedName(schema: tenant, name: "\(template)_2025")]
                        + LegacyWorld.days.map { QualifiedName(schema: tenant, name: dailyName(template, $0)) })
            }
            let publicView = try #require(live["public", template])
            #expect(publicView.kind == .view)
            #expect(shape(publicView) == ["tenant text"] + columns(template))
            #expect(publicView.dependsOn == tenants.map { QualifiedName(schema: $0, name: template) })
        }
        // Nothing else in the tenant schemas.
        for tenant in tenants {
            let inSchema = live.relations.values.filter { $0.name.schema == tenant }
            #expect(inSchema.count == templates.count * (LegacyWorld.days.count + 2), "\(tenant)")
        }
        #expect(Set(live.schemas.keys).isSuperset(of: ["_wh", "_wh_demo", "public"] + tenants))
        #expect(!live.schemas.keys.contains { $0.hasPrefix("pg_") || $0 == "information_schema" })
        #expect(live.roles.isSuperset(of: ["postgres", "analysts", "landb_readers"]))
    }

    @Test("grants: analysts read the public views, landb_readers use landb and read its union views")
    func privileges() async throws {
        let live = try await LegacyWorld.withConnection { try await CatalogReader.read($0) }
        for template in templates {
            #expect(live["public", template]?.privileges == ["analysts": ["SELECT"]])
            #expect(live["landb", template]?.privileges == ["landb_readers": ["SELECT"]])
            #expect(live["acme", template]?.privileges == [:])
            #expect(live["landb", dailyName(template, "2026-01-03")]?.privileges == [:])
        }
        #expect(live.schemas["landb"]?.usage == ["landb_readers"])
        #expect(live.schemas["acme"]?.usage == [])
        #expect(live.schemas["landb"]?.owner == "postgres")
    }

    @Test("the registry rows and the three foreign servers are read with their options")
    func registryAndServers() async throws {
        let world = try await LegacyWorld.shared()
        let live = try await LegacyWorld.withConnection { try await CatalogReader.read($0) }
        #expect(Set(live.registry.keys) == Set(templates))
        let foodlogs = try #require(live.registry["foodlogstats"])
        #expect(foodlogs.templateName == "foodlogstats")
        #expect(foodlogs.description == "Daily food log statistics")
        #expect(foodlogs.queryTemplate.contains("'{TARGET_DATE} 00:00:00+00'::TIMESTAMPTZ"))
        #expect(foodlogs.columnDefinitions.hasPrefix("id BIGINT,\nstore TEXT,"))
        #expect(foodlogs.indexes?.contains("CREATE UNIQUE INDEX idx_{SCHEMA}_{VIEW_NAME}_id") == true)

        #expect(Set(live.foreignServers.keys) == Set(tenants.map { "\($0)-prod" }))
        for tenant in tenants {
            let server = try #require(live.foreignServers["\(tenant)-prod"])
            #expect(server.wrapper == "dblink_fdw")
            #expect(server.options == [
                "host": world.socketDirectory, "port": String(world.port),
                "dbname": world.configuration.databasePrefix + "src_" + tenant,
            ])
        }
    }

    @Test("every daily view's definition parses, reads <tenant>-prod and sends the registry's query for its day")
    func dailyViewDefinitions() async throws {
        let live = try await LegacyWorld.withConnection { try await CatalogReader.read($0) }
        var checked = 0
        for relation in live.relations.values where relation.kind == .materializedView {
            guard case .dailyView(let template, let day)? = ObjectNames.role(of: relation.name.name, templates: Set(templates))
            else {
                Issue.record("\(relation.name) is not a daily view")
                continue
            }
            let text = try #require(relation.definition, "\(relation.name)")
            let definition = try #require(DailyViewDefinition(definition: text), "\(relation.name): \(text)")
            let registry = try #require(live.registry[template])
            let expected = registry.queryTemplate.replacing("{TARGET_DATE}", with: day.description)
            #expect(definition.connection == "\(relation.name.schema)-prod")
            #expect(trailingTrimmed(definition.query) == trailingTrimmed(expected), "\(relation.name)")
            #expect(definition.columns.map { "\($0.name) \($0.type)" } == columns(template))
            checked += 1
        }
        #expect(checked == tenants.count * templates.count * LegacyWorld.days.count)
    }

    @Test("definitions and index definitions the reader renders itself are the server's own text")
    func renderedTextIsTheServers() async throws {
        try await LegacyWorld.withConnection { connection in
            let live = try await CatalogReader.read(connection)
            let views = try await connection.query("""
                SELECT n.nspname::text, c.relname::text, pg_get_viewdef(c.oid)
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('m', 'v') AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
                """)
            let expectedViews = 3 * 2 * 9 + 3 * 2 + 2  // daily, union, public
            #expect(views.count == expectedViews)
            for row in views {
                let relation = try #require(live[row[0]!, row[1]!])
                #expect(relation.definition == row[2], "\(relation.name)")
            }
            let indexes = try await connection.query("""
                SELECT n.nspname::text, c.relname::text, ic.relname::text, pg_get_indexdef(i.indexrelid)
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
                """)
            let expectedIndexes = 3 * 9 * 6 + 3 * 6  // daily views and yearly tables, plus the registry's
            #expect(indexes.count > expectedIndexes)
            for row in indexes {
                let index = live[row[0]!, row[1]!]?.indexes.first { $0.name == row[2]! }
                #expect(index?.definition == row[3], "\(row[2]!)")
            }
        }
    }

    @Test("options: a schema filter, fewer definitions, and several connections")
    func options() async throws {
        let world = try await LegacyWorld.shared()
        try await LegacyWorld.withConnection { connection in
            let landb = try await CatalogReader.read(connection, options: .init(schemas: ["landb", "missing"]))
            #expect(Set(landb.schemas.keys) == ["landb"])
            #expect(landb.relations.values.allSatisfy { $0.name.schema == "landb" })
            #expect(landb.relations.count == templates.count * (LegacyWorld.days.count + 2))

            let bare = try await CatalogReader.read(
                connection,
                options: .init(includeDefinitions: .none, includeViewDefinitions: .none, includeIndexDefinitions: false))
            #expect(bare.relations.values.allSatisfy { $0.definition == nil })
            #expect(bare.relations.values.allSatisfy { $0.indexes.allSatisfy { $0.definition.isEmpty } })

            let full = try await CatalogReader.read(connection)
            let drift = try await CatalogReader.read(connection, options: .drift)
            #expect(drift.relations.values.filter { $0.kind == .materializedView }.allSatisfy { $0.definition != nil })
            #expect(drift.relations.values.filter { $0.kind == .view }.allSatisfy { $0.definition == nil })
            // Everything drift compares is as in a full read.
            for (name, relation) in full.relations {
                let read = try #require(drift.relations[name])
                #expect(read.columns == relation.columns)
                #expect(read.indexes.map(\.spec) == relation.indexes.map(\.spec))
                #expect(read.indexes.map(\.name) == relation.indexes.map(\.name))
                #expect(read.dependsOn == relation.dependsOn)
                #expect(read.privileges == relation.privileges)
                if relation.kind == .materializedView { #expect(read.definition == relation.definition) }
            }

            let second = try await PostgresConnection.connect(ConnectionConfiguration(world.connectionString))
            let third = try await PostgresConnection.connect(ConnectionConfiguration(world.connectionString))
            let spread = try await CatalogReader.read([connection, second, third])
            await second.close()
            await third.close()
            #expect(spread == full)
        }
    }

    func trailingTrimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last == " " || last == "\n" || last == "\t" || last == "\r" { text.removeLast() }
        return String(text)
    }
}
