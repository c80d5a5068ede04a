import DesiredState
import Testing
import WardenModel

@Suite("routine: and readyWhen in the desired state")
struct RoutineSettingsTests {
    func load(warehouse extra: String = "", template: String = "") -> LoadResult {
        DesiredStateLoader.load(
            files: RepositoryFiles.make([
                "warehouse.yaml": RepositoryFiles.warehouse + extra,
                "templates/a.yaml": RepositoryFiles.template("a", extra: template),
                "templates/a.sql": RepositoryFiles.query,
            ]),
            root: "desired-state", revision: nil)
    }

    @Test("routine.buildAfter and inDenyWindows are read; without them, 00:00 and run")
    func read() throws {
        let defaults = try #require(load().desired)
        #expect(defaults.settings.routine == Routine())
        let set = try #require(load(warehouse: "routine:\n  buildAfter: \"01:30\"\n  lookbackDays: 2\n  inDenyWindows: hold\n").desired)
        #expect(set.settings.routine == Routine(buildAfterMinutes: 90, inDenyWindows: .hold, lookbackDays: 2))
        // What adopt writes reads back the same.
        let written = DesiredStateWriter.files(for: set, root: "")
        let warehouse = try #require(written.first { $0.path == "warehouse.yaml" })
        #expect(String(decoding: warehouse.contents, as: UTF8.self).contains("routine:\n  buildAfter: \"01:30\"\n  lookbackDays: 2\n  inDenyWindows: hold\n"))
    }

    @Test("a bad buildAfter, inDenyWindows or routine key is one sentence at its line naming the fix")
    func badValues() {
        let messages = load(warehouse: "routine:\n  buildAfter: \"25:00\"\n  inDenyWindows: pause\n  lookback: 2\n  lookbackDays: 400\n").errors.map(\.message)
        #expect(messages.contains { $0.hasPrefix("buildAfter '25:00' of the routine is not a time of day") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("inDenyWindows 'pause' of the routine must be run") }, "\(messages)")
        #expect(messages.contains { $0.contains("unknown key 'lookback'") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("lookbackDays 400 of the routine must be between 0 and 366") }, "\(messages)")
    }

    @Test("readyWhen is kept as written; one without {TARGET_DATE} is refused")
    func readyWhen() throws {
        let probe = "SELECT EXISTS (SELECT 1 FROM load_log WHERE day = '{TARGET_DATE}'::date)"
        let desired = try #require(load(template: "readyWhen: \"\(probe)\"\n").desired)
        #expect(desired.templates[0].readyWhen == probe)
        #expect(desired.templates[0].renderedProbe(for: Day("2026-01-05")!)
            == "SELECT EXISTS (SELECT 1 FROM load_log WHERE day = '2026-01-05'::date)")
        let messages = load(template: "readyWhen: \"SELECT true\"\n").errors.map(\.message)
        #expect(messages.contains { $0.hasPrefix("readyWhen of template 'a' does not mention {TARGET_DATE}") }, "\(messages)")
    }
}
