import Testing
import WardenModel

@Suite("Object names")
struct ObjectNamesTests {
    let templates: Set<String> = ["foodlogstats", "store_2024", "storedaily"]

    @Test("relation names are read back as daily views, yearly tables, union views and leftovers")
    func roles() throws {
        #expect(ObjectNames.role(of: "foodlogstats_2026_03_04", templates: templates)
            == .dailyView(template: "foodlogstats", day: try #require(Day("2026-03-04"))))
        #expect(ObjectNames.role(of: "foodlogstats_2025", templates: templates) == .yearlyTable(template: "foodlogstats", year: 2025))
        #expect(ObjectNames.role(of: "foodlogstats", templates: templates) == .unionView(template: "foodlogstats"))
        // A template whose name ends in digits is still its own union view.
        #expect(ObjectNames.role(of: "store_2024", templates: templates) == .unionView(template: "store_2024"))
        #expect(ObjectNames.role(of: "store_2024_2025", templates: templates) == .yearlyTable(template: "store_2024", year: 2025))
        #expect(ObjectNames.role(of: "foodlogstats_2026_02_30", templates: templates) == nil)
        #expect(ObjectNames.role(of: "other_2026_03_04", templates: templates) == nil)
        #expect(ObjectNames.role(of: "foodlogstats_2026_03_04__shadow", templates: templates)
            == .leftover(of: "foodlogstats_2026_03_04", suffix: "__shadow"))
    }

    @Test("stamps round-trip through a comment")
    func stamps() {
        let stamp = ObjectStamp(specHash: SpecHash.of(["daily", "select 1"]), revision: "abc123")
        #expect(ObjectStamp(comment: stamp.description) == stamp)
        #expect(ObjectStamp(comment: "built by hand") == nil)
        #expect(SpecHash.of(["a", "bc"]) != SpecHash.of(["ab", "c"]))
        #expect(SpecHash.of(["x"]).count == 16)
    }

    @Test("a deparsed daily view definition gives back its connection, query and columns")
    func dailyViewDefinition() throws {
        let definition = """
             SELECT t.id,
                t."we""ird"
               FROM dblink('landb-prod'::text, 'SELECT pf.id FROM phood_foodlogsum pf WHERE pf.logged_time >= ''2026-03-04 00:00:00+00''::TIMESTAMPTZ'::text) t(id bigint, "we""ird" numeric(10,3), logged_time timestamp with time zone);
            """
        let parsed = try #require(DailyViewDefinition(definition: definition))
        #expect(parsed.connection == "landb-prod")
        #expect(parsed.query == "SELECT pf.id FROM phood_foodlogsum pf WHERE pf.logged_time >= '2026-03-04 00:00:00+00'::TIMESTAMPTZ")
        #expect(parsed.columns.map(\.name) == ["id", "we\"ird", "logged_time"])
        #expect(parsed.columns.map(\.type) == ["bigint", "numeric(10,3)", "timestamp with time zone"])
        #expect(DailyViewDefinition(definition: " SELECT 1;") == nil)
    }
}
