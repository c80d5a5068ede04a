@testable import Catalog
import PostgresClient
import TestSupport
import Testing

/// The fast path for daily views' definitions: the rewrite rule's pieces, checked and decoded on the
/// client (`pg_get_viewdef` is the slow path every other test compares against).
@Suite("Daily views read from their rewrite rules", .integration, .hangGuard)
struct DailyViewRuleTests {
    @Test("every daily view of the legacy warehouse is read from its rule, none is deparsed")
    func legacyDailyViewsTakeTheFastPath() async throws {
        try await LegacyWorld.withConnection { connection in
            let decoded = try await Self.decodeAll(connection, where: "c.relkind = 'm'")
            #expect(decoded.count == 3 * 2 * 9)
            #expect(decoded.allSatisfy { $0.value != nil }, "\(decoded.filter { $0.value == nil }.map(\.key))")
        }
    }

    @Test("lookalikes are refused by the checks, not misread")
    func lookalikesAreRefused() async throws {
        try await TestCluster.withDatabase("catalog_rules") { _, _, connection in
            try await connection.executeScript("""
                CREATE EXTENSION dblink;
                CREATE SCHEMA s;
                CREATE MATERIALIZED VIEW s.good AS SELECT * FROM dblink('p', 'SELECT 1') AS t(id bigint, "Name" text) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.subset AS SELECT id FROM dblink('p', 'q') AS t(id bigint, extra int) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.swapped AS SELECT b AS a, a AS b FROM dblink('p', 'q') AS t(a int, b int) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.filtered AS SELECT * FROM dblink('p', 'q') AS t(id bigint) WHERE id > 0 WITH NO DATA;
                CREATE MATERIALIZED VIEW s.ordered AS SELECT * FROM dblink('p', 'q') AS t(id bigint) ORDER BY id WITH NO DATA;
                CREATE MATERIALIZED VIEW s.limited AS SELECT * FROM dblink('p', 'q') AS t(id bigint) LIMIT 1 WITH NO DATA;
                CREATE MATERIALIZED VIEW s.distinct AS SELECT DISTINCT * FROM dblink('p', 'q') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.grouped AS SELECT id FROM dblink('p', 'q') AS t(id bigint) GROUP BY id WITH NO DATA;
                CREATE MATERIALIZED VIEW s.aliased AS SELECT * FROM dblink('p', 'q') AS x(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.computed AS SELECT * FROM dblink('p' || 'q', 'r') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.computed2 AS SELECT * FROM dblink('p', 'q' || 'r') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.cast AS SELECT id::int AS id FROM dblink('p', 'q') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.nested AS SELECT * FROM (SELECT * FROM dblink('p', 'q') AS x(id bigint)) AS t
                    WITH NO DATA;
                CREATE MATERIALIZED VIEW s.unioned AS SELECT * FROM dblink('p', 'q') AS t(id bigint)
                    UNION ALL SELECT * FROM dblink('p', 'r') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.cte AS WITH t AS (SELECT 1 AS id) SELECT * FROM dblink('p', 'q') AS t(id bigint)
                    WITH NO DATA;
                CREATE MATERIALIZED VIEW s.joined AS SELECT t.* FROM dblink('p', 'q') AS t(id bigint), (SELECT 1) AS u
                    WITH NO DATA;
                CREATE MATERIALIZED VIEW s.renamed (other) AS SELECT * FROM dblink('p', 'q') AS t(id bigint) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.sublink AS SELECT * FROM dblink('p', 'q') AS t(id bigint)
                    WHERE EXISTS (SELECT 1) WITH NO DATA;
                CREATE MATERIALIZED VIEW s.plain AS SELECT 1 AS id WITH NO DATA;
                """)
            let decoded = try await Self.decodeAll(connection, where: "c.relnamespace = 's'::regnamespace")
            #expect(decoded.count == 19)
            #expect(decoded["s.good"]??.connection == "p")
            #expect(decoded["s.good"]??.query == "SELECT 1")
            for (name, call) in decoded where name != "s.good" {
                #expect(call == nil, "\(name) must be left to pg_get_viewdef, not read as \(String(describing: call))")
            }
            // And the reader still gives each the server's own text.
            let live = try await CatalogReader.read(connection)
            for row in try await connection.query(
                "SELECT relname::text, pg_get_viewdef(oid) FROM pg_class WHERE relnamespace = 's'::regnamespace")
            {
                #expect(live["s", row[0]!]?.definition == row[1], "\(row[0]!)")
            }
        }
    }

    @Test("text constants decode from signed and unsigned datum bytes, with either varlena header")
    func textConstants() {
        // 'é' is 0xC3 0xA9: printed as -61 -87 where char is signed.
        #expect(DailyViewRule.textConstant("44 0 0 0 99 97 102 -61 -87 33 33") == "café!!")
        #expect(DailyViewRule.textConstant("44 0 0 0 99 97 102 195 169 33 33") == "café!!")
        #expect(DailyViewRule.textConstant("11 97 98 99 100") == "abcd")  // 1-byte header: 5 << 1 | 1
        #expect(DailyViewRule.textConstant("32 0 0 0 97 98 99") == nil, "declared length differs")
        #expect(DailyViewRule.textConstant("30 0 0 0 97 98 99") == nil, "compressed datum")
        #expect(DailyViewRule.textConstant("1 97") == nil, "external datum")
        #expect(DailyViewRule.textConstant("") == nil)
        #expect(DailyViewRule.outToken("a b(c)\"d") == "a\\ b\\(c\\)\"d")
        #expect(DailyViewRule.outToken("1st") == "\\1st")
    }

    /// Runs the rule query over the materialized views matching `condition` and decodes each row.
    static func decodeAll(
        _ connection: PostgresConnection, where condition: String
    ) async throws -> [String: (connection: String, query: String)?] {
        let dblink = try await connection.query("""
            SELECT p.oid, pg_function_is_visible(p.oid) FROM pg_proc p
             WHERE p.proname = 'dblink' AND p.proargtypes = '25 25'::oidvector
            """)
        let function = DailyViewRule.DblinkFunction(oid: UInt32(dblink[0][0]!)!, renderedName: "dblink")
        let views = try await connection.query("""
            SELECT c.oid, c.oid::regclass::text,
                   array_agg(a.attname::text ORDER BY a.attnum) AS names,
                   array_agg(a.atttypid::text ORDER BY a.attnum) AS types,
                   array_agg(a.atttypmod::text ORDER BY a.attnum) AS typmods,
                   array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS formatted
              FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
             WHERE c.relkind = 'm' AND \(condition)
             GROUP BY c.oid, c.relname
            """)
        var columns: [UInt32: (name: String, columns: [DailyViewRule.Column])] = [:]
        for row in views {
            let names = try row.decode([String].self, "names")
            let types = try row.decode([String].self, "types")
            let typmods = try row.decode([String].self, "typmods")
            let formatted = try row.decode([String].self, "formatted")
            columns[UInt32(row[0]!)!] = (row[1]!, names.indices.map {
                DailyViewRule.Column(
                    name: names[$0], typeOID: UInt32(types[$0])!, typmod: Int32(typmods[$0])!, typeName: formatted[$0])
            })
        }
        let oids = "{" + columns.keys.map(String.init).joined(separator: ",") + "}"
        var decoded: [String: (connection: String, query: String)?] = [:]
        for (_, view) in columns { decoded[view.name] = .some(nil) }
        for row in try await connection.query(DailyViewRule.query, [oids] + DailyViewRule.patterns.map { $0 as any PostgresBindable }) {
            let view = columns[UInt32(row[0]!)!]!
            guard row[1] == "t" else { continue }
            decoded[view.name] = .some(DailyViewRule.decode(
                headEnd: row[2]!, connectionBytes: row[3]!, rest: row[4]!, columns: view.columns,
                entry: DailyViewRule.functionEntry(columns: view.columns, dblink: function)))
        }
        return decoded
    }
}
