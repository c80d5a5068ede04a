import Planner
import Testing
import WardenModel

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

    @Test("a long name is its first 54 bytes, an underscore and 8 hex digits, on whole characters")
    func fitted() {
        let long = "idx_" + String(repeating: "é", count: 40)
        let name = IndexNames.fitted(long)
        #expect(name.utf8.count <= 63)
        #expect(name.dropLast(9).utf8.count <= 54)
        #expect(name.dropLast(8).hasSuffix("_"))
        #expect(name.suffix(8).allSatisfy { $0.isHexDigit })
        #expect(IndexNames.fitted(long) == name)
    }
}
