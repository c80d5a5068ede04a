import Catalog
import PostgresClient
import TestSupport
import Testing
import WardenModel

/// Catalog reads of hand-made objects: stamps, hostile names, views that only look like daily views,
/// indexes the reader cannot render itself.
@Suite("Reading unusual catalog objects", .integration, .hangGuard)
struct CatalogShapesTests {
    /// dblink and a foreign server, as a warehouse has them (WITH NO DATA never connects).
    static let setup = """
        CREATE EXTENSION dblink;
        CREATE SERVER "shop-prod" FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host 'db.internal', dbname 'shop');
        CREATE SCHEMA shop;
        """

    @Test("a stamped daily view has no definition under .unstampedOnly; an unstamped one has its own")
    func stamps() async throws {
        try await TestCluster.withDatabase("catalog_stamps") { _, _, connection in
            try await connection.executeScript(Self.setup + """
                CREATE MATERIALIZED VIEW shop.sales_2026_01_01 AS SELECT * FROM dblink('shop-prod', $q$SELECT 1 AS id$q$)
                    AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.sales_2026_01_02 AS SELECT * FROM dblink('shop-prod', $q$SELECT 2 AS id$q$)
                    AS t(id bigint) WITH NO DATA;
                COMMENT ON MATERIALIZED VIEW shop.sales_2026_01_01 IS 'warden: spec=0123456789abcdef';
                COMMENT ON MATERIALIZED VIEW shop.sales_2026_01_02 IS 'built by hand, it''s "legacy"';
                """)
            let live = try await CatalogReader.read(connection, options: .init(includeDefinitions: .unstampedOnly))
            let stamped = try #require(live["shop", "sales_2026_01_01"])
            #expect(stamped.comment == "warden: spec=0123456789abcdef")
            #expect(stamped.stamp == ObjectStamp(specHash: "0123456789abcdef"))
            #expect(stamped.definition == nil)
            #expect(!stamped.populated, "WITH NO DATA")
            #expect(stamped.columns == [LiveColumn(name: "id", type: ColumnType(canonical: "bigint"))])
            let legacy = try #require(live["shop", "sales_2026_01_02"])
            #expect(legacy.comment == "built by hand, it's \"legacy\"")
            let definition = try #require(legacy.definition.flatMap(DailyViewDefinition.init(definition:)))
            #expect(definition.connection == "shop-prod")
            #expect(definition.query == "SELECT 2 AS id")

            let all = try await CatalogReader.read(connection)
            #expect(all["shop", "sales_2026_01_01"]?.definition != nil)
            let none = try await CatalogReader.read(connection, options: .init(includeDefinitions: .none))
            #expect(none.relations.values.allSatisfy { $0.kind != .materializedView || $0.definition == nil })
        }
    }

    @Test("views that are not plain dblink daily views are deparsed by the server, text for text")
    func lookalikes() async throws {
        try await TestCluster.withDatabase("catalog_lookalikes") { _, _, connection in
            try await connection.executeScript(Self.setup + """
                CREATE TABLE shop.items (id bigint PRIMARY KEY, name text, price numeric(10,2) DEFAULT 0 NOT NULL);
                -- the shape itself, with a query full of quotes, backslashes and non-ASCII text
                CREATE MATERIALIZED VIEW shop.plain AS SELECT * FROM dblink('shop-prod',
                    $q$SELECT 'it''s', E'a\\\\b', 'café ☕' AS "Drink"$q$) AS t(a text, "B" text, "select" text) WITH NO DATA;
                -- a subset of the columns, a filter, a limit, another alias, a cast, a local table
                CREATE MATERIALIZED VIEW shop.subset AS SELECT id FROM dblink('shop-prod', 'SELECT 1, 2')
                    AS t(id bigint, extra int) WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.filtered AS SELECT * FROM dblink('shop-prod', 'SELECT 1')
                    AS t(id bigint) WHERE id > 0 WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.limited AS SELECT * FROM dblink('shop-prod', 'SELECT 1')
                    AS t(id bigint) LIMIT 5 WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.aliased AS SELECT * FROM dblink('shop-prod', 'SELECT 1')
                    AS x(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.renamed (ident) AS SELECT * FROM dblink('shop-prod', 'SELECT 1')
                    AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.computed AS SELECT * FROM dblink('shop-' || 'prod', 'SELECT 1')
                    AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.collated AS SELECT * FROM dblink('shop-prod', 'SELECT 1')
                    AS t(name text COLLATE "C") WITH NO DATA;
                CREATE MATERIALIZED VIEW shop.local AS SELECT id, name FROM shop.items WITH NO DATA;
                CREATE VIEW shop.priced AS SELECT id, price * 2 AS double FROM shop.items WHERE price > 0;
                """)
            let live = try await CatalogReader.read(connection)
            let server = try await connection.query("""
                SELECT c.relname::text, pg_get_viewdef(c.oid) FROM pg_class c
                 WHERE c.relnamespace = 'shop'::regnamespace AND c.relkind IN ('m', 'v')
                """)
            #expect(server.count == 10)
            for row in server {
                #expect(live["shop", row[0]!]?.definition == row[1], "\(row[0]!)")
            }
            let plain = try #require(live["shop", "plain"]?.definition.flatMap(DailyViewDefinition.init(definition:)))
            #expect(plain.query == "SELECT 'it''s', E'a\\\\b', 'café ☕' AS \"Drink\"")
            #expect(plain.columns.map(\.name) == ["a", "B", "select"])
            #expect(live["shop", "local"]?.dependsOn.isEmpty == true, "materialized views' reads are not followed")
            #expect(live["shop", "priced"]?.dependsOn == [QualifiedName(schema: "shop", name: "items")])
            let items = try #require(live["shop", "items"])
            #expect(items.columns == [
                LiveColumn(name: "id", type: ColumnType(canonical: "bigint"), notNull: true),
                LiveColumn(name: "name", type: ColumnType(canonical: "text")),
                LiveColumn(
                    name: "price", type: ColumnType(canonical: "numeric(10,2)"), notNull: true, defaultExpression: "0"),
            ])
        }
    }

    @Test("indexes with expressions, predicates, sort orders, collations and operator classes")
    func unusualIndexes() async throws {
        try await TestCluster.withDatabase("catalog_indexes") { _, _, connection in
            try await connection.executeScript("""
                CREATE SCHEMA s;
                CREATE TABLE s.t (id bigint, name text, code varchar(20), tags text[], at timestamptz);
                CREATE INDEX t_lower ON s.t (lower(name));
                CREATE INDEX t_mixed ON s.t (id, (name || code));
                CREATE INDEX t_partial ON s.t (id) WHERE id > 10;
                CREATE INDEX t_desc ON s.t (at DESC NULLS LAST);
                CREATE INDEX t_collate ON s.t (name COLLATE "C");
                CREATE INDEX t_pattern ON s.t (name text_pattern_ops);
                CREATE INDEX t_varchar ON s.t (code);
                CREATE INDEX t_hash ON s.t USING hash (id);
                CREATE INDEX t_gin ON s.t USING gin (tags);
                CREATE UNIQUE INDEX t_include ON s.t (id) INCLUDE (name);
                CREATE INDEX t_options ON s.t (id) WITH (fillfactor = 50);
                CREATE UNIQUE INDEX t_nnd ON s.t (code) NULLS NOT DISTINCT;
                CREATE INDEX "T Quoted" ON s.t ("id");
                """)
            let live = try await CatalogReader.read(connection)
            let table = try #require(live["s", "t"])
            let server = try await connection.query("""
                SELECT ic.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                  JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = 's.t'::regclass
                """)
            #expect(server.count == 13)
            for row in server {
                #expect(table.indexes.first { $0.name == row[0]! }?.definition == row[1], "\(row[0]!)")
            }
            func spec(_ name: String) -> IndexSpec? { table.indexes.first { $0.name == name }?.spec }
            #expect(spec("t_lower") == IndexSpec(columns: ["lower(name)"]))
            #expect(spec("t_mixed") == IndexSpec(columns: ["id", "(name || code::text)"]))
            #expect(spec("t_include") == IndexSpec(columns: ["id"], unique: true))
            #expect(spec("T Quoted") == IndexSpec(columns: ["id"]))
            #expect(table.indexes.map(\.name) == table.indexes.map(\.name).sorted())

            // Without definitions, expression keys are still read.
            let bare = try await CatalogReader.read(connection, options: .drift)
            #expect(bare["s", "t"]?.indexes.map(\.spec) == table.indexes.map(\.spec))
        }
    }

    @Test("a schema, table, column and index named with quotes and semicolons read back exactly")
    func hostileNames() async throws {
        try await TestCluster.withDatabase("catalog_hostile") { _, _, connection in
            let schema = "we\"ird; schema"
            let table = "ta'ble\"; DROP TABLE x; --"
            let column = "co\"l;umn"
            let index = "ix'; DELETE FROM y"
            func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }
            try await connection.executeScript("""
                CREATE EXTENSION dblink;
                CREATE SCHEMA \(quoted(schema));
                CREATE TABLE \(quoted(schema)).\(quoted(table)) (\(quoted(column)) integer, "Plain" text, "order" int);
                CREATE INDEX \(quoted(index)) ON \(quoted(schema)).\(quoted(table)) (\(quoted(column)), "order");
                COMMENT ON TABLE \(quoted(schema)).\(quoted(table)) IS 'comment; with ''quotes''';
                CREATE MATERIALIZED VIEW \(quoted(schema)).\(quoted(table + "_2026_01_01")) AS
                    SELECT * FROM dblink('x-prod', 'SELECT 1') AS t(\(quoted(column)) integer, "a b(c)" text) WITH NO DATA;
                CREATE VIEW \(quoted(schema)).\(quoted(table + " view")) AS
                    SELECT \(quoted(column)) FROM \(quoted(schema)).\(quoted(table));
                """)
            let live = try await CatalogReader.read(connection)
            #expect(live.schemas[schema]?.name == schema)
            let relation = try #require(live[schema, table])
            #expect(relation.name == QualifiedName(schema: schema, name: table))
            #expect(relation.columns.map(\.name) == [column, "Plain", "order"])
            #expect(relation.comment == "comment; with 'quotes'")
            #expect(relation.indexes.map(\.name) == [index])
            #expect(relation.indexes.first?.spec == IndexSpec(columns: [column, "order"]))
            let indexDefinition = try await connection.scalar(
                String.self, "SELECT pg_get_indexdef(to_regclass($1))", [SQL.qualifiedForTest(schema, index)])
            #expect(relation.indexes.first?.definition == indexDefinition)

            let view = try #require(live[schema, table + "_2026_01_01"])
            #expect(view.columns.map(\.name) == [column, "a b(c)"])
            let viewDefinition = try await connection.scalar(
                String.self, "SELECT pg_get_viewdef(to_regclass($1))", [SQL.qualifiedForTest(schema, table + "_2026_01_01")])
            #expect(view.definition == viewDefinition)
            #expect(DailyViewDefinition(definition: viewDefinition)?.columns.map(\.name) == [column, "a b(c)"])
            #expect(live[schema, table + " view"]?.dependsOn == [QualifiedName(schema: schema, name: table)])
        }
    }
}

/// `"schema"."name"` for `to_regclass`, quoting as `quote_ident` does.
enum SQL {
    static func qualifiedForTest(_ schema: String, _ name: String) -> String {
        func quoted(_ part: String) -> String { "\"" + part.replacing("\"", with: "\"\"") + "\"" }
        return quoted(schema) + "." + quoted(name)
    }
}
