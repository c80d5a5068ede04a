@testable import Planner
import Testing
import WardenModel
import WarehouseFixtures

@Suite("Index names")
struct IndexNamesTests {
    @Test("short names are the seed's names")
    func seedNames() {
        #expect(IndexNames.name(schema: "landb", relation: "foodlogstats_2026_03_14", columns: ["logged_time"])
            == "idx_landb_foodlogstats_2026_03_14_logged_time")
        #expect(IndexNames.name(schema: "landb", relation: "foodlogstats", columns: ["a", "b"]) == "idx_landb_foodlogstats_a_b")
    }

    @Test("long names fit 63 bytes and never collide", arguments: [1, 20, 40])
    func longNames(templateLength: Int) {
        let template = String(repeating: "t", count: templateLength)
        let schema = String(repeating: "s", count: 63)
        var names = Set<String>()
        var count = 0
        for day in Day("2026-01-01")!.through(Day("2026-12-31")!) {
            for relation in [ObjectNames.dailyView(template, day), ObjectNames.shadow(ObjectNames.dailyView(template, day))] {
                for columns in [["id"], ["logged_time"], ["store", "logged_time"]] {
                    let name = IndexNames.name(schema: schema, relation: relation, columns: columns)
                    #expect(name.utf8.count <= 63)
                    names.insert(name)
                    count += 1
                }
            }
        }
        #expect(names.count == count)
    }

    @Test("a long name is its first 46 bytes, an underscore and 16 hex digits, on whole characters")
    func fitted() {
        let long = "idx_" + String(repeating: "é", count: 40)
        let name = IndexNames.fitted(long)
        #expect(name.utf8.count <= 63)
        #expect(name.dropLast(17).utf8.count <= 46)
        #expect(name.dropLast(16).hasSuffix("_"))
        #expect(name.suffix(16).allSatisfy { $0.isHexDigit })
        #expect(IndexNames.fitted(long) == name)
    }

    /// The names a tenant's template gets in a full rebuild: every day of a year, live and shadow, five
    /// indexes each.
    static func tenantNames(schema: String) -> [String] {
        var names: [String] = []
        for day in Day("2026-01-01")!.through(Day("2026-12-31")!) {
            let live = ObjectNames.dailyView("foodlogstats", day)
            for relation in [live, ObjectNames.shadow(live)] {
                for columns in [["id"], ["logged_time"], ["store"], ["location_id"], ["store", "logged_time"]] {
                    names.append(IndexNames.name(schema: schema, relation: relation, columns: columns))
                }
            }
        }
        return names
    }

    @Test("the collision of issue 14 (a 63-byte schema, 2026-01-29 against 2026-03-04's shadow) is gone")
    func reportedCollision() {
        let schema = "s" + String(repeating: "0", count: 58) + "5800"
        #expect(schema.utf8.count == 63)
        let live = IndexNames.name(schema: schema, relation: "foodlogstats_2026_01_29", columns: ["logged_time"])
        let shadow = IndexNames.name(schema: schema, relation: "foodlogstats_2026_03_04__shadow", columns: ["logged_time"])
        #expect(live != shadow)
    }

    @Test("an attacker's search: 120 schema names of 50 to 63 bytes, a year of days, live and shadow, five indexes: no two names of a schema alike")
    func attackerSearch() {
        var collisions: [String] = []
        for number in 0..<120 {
            let digits = String(number)
            let length = 50 + number % 14
            let schema = "s" + String(repeating: "0", count: length - 1 - digits.count) + digits
            let names = Self.tenantNames(schema: schema)
            if Set(names).count != names.count { collisions.append(schema) }
        }
        #expect(collisions.isEmpty, "\(collisions)")
    }

    @Test("a name another index already holds is never given: the next salted name is, the same one every time")
    func bookAvoidsTakenNames() {
        let schema = "landb"
        let day3 = QualifiedName(schema: schema, name: "foodlogstats_2026_01_03")
        let plain = IndexNames.name(schema: schema, relation: day3.name, columns: ["id"])
        // Someone named day 2's index after day 3's (by hand, or a hash collision).
        var live = LiveWarehouse()
        let day2 = QualifiedName(schema: schema, name: "foodlogstats_2026_01_02")
        live.relations[day2] = LiveRelation(name: day2, kind: .materializedView, columns: [], indexes: [LiveIndex(name: plain, columns: ["id"], unique: true)], owner: "postgres")
        let book = IndexNameBook(live: live)
        let given = book.name(IndexSpec(columns: ["id"], unique: true), on: day3)
        #expect(given != plain)
        #expect(given.utf8.count <= 63)
        #expect(given == IndexNames.name(schema: schema, relation: day3.name, columns: ["id"], salt: 1))
        // Asked again, the same name.
        #expect(book.name(IndexSpec(columns: ["id"], unique: true), on: day3) == given)
        // Another book over the same catalog gives the same names (plans are deterministic).
        #expect(IndexNameBook(live: live).name(IndexSpec(columns: ["id"], unique: true), on: day3) == given)
        // Two indexes the plan itself creates never share a name either: `idx_s_a_b_c` is both (b, c) of
        // s.a and (c) of s.a_b.
        let empty = IndexNameBook(live: LiveWarehouse())
        let first = empty.name(IndexSpec(columns: ["b", "c"]), on: QualifiedName(schema: "s", name: "a"))
        let second = empty.name(IndexSpec(columns: ["c"]), on: QualifiedName(schema: "s", name: "a_b"))
        #expect(first == "idx_s_a_b_c")
        #expect(second != first)
    }

    @Test("the planner builds a missing day's indexes under names no live index holds")
    func plannerAvoidsLiveNames() throws {
        var fixture = WarehouseFixture()
        let day3 = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_03")
        let plain = IndexNames.name(schema: "landb", relation: day3.name, columns: ["id"])
        fixture.live.relations[day3] = nil
        fixture.live.relations[QualifiedName(schema: "landb", name: "foodlogstats")]!.dependsOn.removeAll { $0 == day3 }
        // Day 2's unique index carries the name day 3's would get.
        let day2 = QualifiedName(schema: "landb", name: "foodlogstats_2026_01_02")
        let index = try #require(fixture.live.relations[day2]!.indexes.firstIndex { $0.columns == ["id"] })
        fixture.live.relations[day2]!.indexes[index].name = plain
        let plan = fixture.plan()
        let build = try #require(plan.steps.first { $0.kind == .buildDailyView })
        #expect(!build.statements.contains { $0.contains("INDEX \(plain) ") }, "\(build.statements)")
        #expect(build.statements.contains { $0.hasPrefix("CREATE UNIQUE INDEX idx_landb_foodlogstats_2026_01_03_id_") })
    }
}
