@testable import DesiredState
import Testing
import WardenModel

/// The small languages inside the format: cron, durations, default literals, YAML scalars, identifiers.
@Suite struct SyntaxTests {
    @Test(arguments: [
        "0 2 * * 0", "*/15 * * * *", "0 0 28 * *", "0-30/10 9-17 1,15 JAN-MAR MON-FRI", "0 0 * * 7", "5 4 * dec sun",
        "0 0 1/2 * *", "  0   2 * * 0 ",
    ])
    func validCronSchedules(_ schedule: String) {
        #expect(CronSyntax.problem(in: schedule) == nil)
    }

    @Test(arguments: [
        ("0 2 * *", 0, "has 4 fields"), ("0 0 2 * * 0", 0, "has 6 fields"), ("61 2 * * 0", 0, "minute 61"),
        ("0 24 * * 0", 2, "hour 24"), ("0 2 0 * *", 4, "day of month 0"), ("0 2 * 13 *", 6, "month 13"),
        ("0 2 * * 8", 8, "day of week 8"), ("0 2 * * FUN", 8, "'FUN'"), ("0 2 * FOO *", 6, "'FOO'"),
        ("*/0 * * * *", 2, "step 0"), ("0 2 * * 5-1", 8, "runs backwards"), ("0,,5 2 * * *", 2, "empty item"),
        ("@daily", 0, "'@daily'"), ("", 0, "is empty"), ("0 2 * * 1-", 10, "incomplete range"), ("0 SUN * * *", 2, "hour 'SUN'"),
    ])
    func invalidCronSchedules(_ schedule: String, _ offset: Int, _ fragment: String) throws {
        let problem = try #require(CronSyntax.problem(in: schedule))
        #expect(problem.offset == offset)
        #expect(problem.message.contains(fragment), "\(problem.message)")
    }

    @Test func durations() throws {
        #expect(try DurationText.milliseconds("4h").get() == 14_400_000)
        #expect(try DurationText.milliseconds("1h30m").get() == 5_400_000)
        #expect(try DurationText.milliseconds("96h").get() == 345_600_000)
        #expect(try DurationText.milliseconds("500ms").get() == 500)
        #expect(try DurationText.milliseconds("-4h").get() == -14_400_000)
        #expect(try DurationText.milliseconds("1d").get() == 86_400_000)
        #expect(DurationText.milliseconds("2000") == .failure(.missingUnit))
        #expect(DurationText.milliseconds("2 seconds") == .failure(.malformed))
        #expect(DurationText.milliseconds("4w") == .failure(.unknownUnit("w")))
        #expect(DurationText.milliseconds("") == .failure(.empty))
        #expect(DurationText.milliseconds("99999999999999999999h") == .failure(.tooLong))
        #expect(DurationText.render(seconds: 96 * 3600) == "96h")
        #expect(DurationText.render(seconds: 5400) == "1h30m")
        #expect(DurationText.render(seconds: 45) == "45s")
        #expect(DurationText.render(milliseconds: 2000) == "2s")
        #expect(DurationText.render(milliseconds: 250) == "250ms")
    }

    @Test(arguments: [
        ("integer", "0", true), ("integer", "-2147483648", true), ("integer", "2147483648", false), ("integer", "abc", false),
        ("integer", "1.5", false), ("smallint", "40000", false), ("bigint", "9223372036854775807", true),
        ("numeric(10,3)", "1234567.891", true), ("numeric(10,3)", "12345678", false), ("numeric(10,3)", "0001.5", true),
        ("numeric", "-.5", true), ("numeric", "1e5", false), ("numeric", "NaN", true),
        ("real", "1.5e-3", true), ("double precision", "-Infinity", true), ("double precision", "one", false),
        ("boolean", "true", true), ("boolean", "off", true), ("boolean", "maybe", false),
        ("date", "2026-03-14", true), ("date", "2026-13-01", false), ("date", "2026-02-29", false), ("date", "infinity", true),
        ("timestamptz", "2024-01-01 00:00:00+00", true), ("timestamptz", "2024-01-01T12:30:00.123Z", true),
        ("timestamptz", "2024-01-01", true), ("timestamptz", "2024-01-01 25:00", false), ("timestamp", "2024-01-01 10:00:00", true),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", true), ("uuid", "{123e4567e89b12d3a456426614174000}", true),
        ("uuid", "123e4567-e89b-12d3-a456", false), ("text", "anything at all", true), ("varchar(3)", "abcd", false),
        ("char(3)", "ab  ", true), ("jsonb", "{not checked", true), ("integer[]", "{1,2}", true),
    ])
    func defaultLiterals(_ type: String, _ text: String, _ valid: Bool) throws {
        let columnType = try #require(ColumnType(type))
        #expect((DefaultLiteral.problem(text, type: columnType) == nil) == valid)
    }

    @Test(arguments: ["UNKNOWN", "0", "-0.5", "numeric(10,3)", "timestamp with time zone", "a/b", "tenant/landb"])
    func plainScalars(_ value: String) {
        #expect(YAMLScalar.render(value) == value)
    }

    @Test(arguments: [
        ("", "\"\""), ("null", "\"null\""), ("yes", "\"yes\""), ("a: b", "\"a: b\""), ("x # y", "\"x # y\""),
        ("0 2 * * 0", "\"0 2 * * 0\""), ("it's \"q\"\n", "\"it's \\\"q\\\"\\n\""), (" lead", "\" lead\""),
        ("-", "\"-\""), ("- x", "\"- x\""),
    ])
    func quotedScalars(_ value: String, _ written: String) {
        #expect(YAMLScalar.render(value) == written)
    }

    @Test func identifiers() {
        #expect(IdentifierRules.problemWithColumnName("waste_category") == nil)
        #expect(IdentifierRules.problemWithColumnName("_private") == nil)
        #expect(IdentifierRules.problemWithColumnName("Store")?.contains("write 'store'") == true)
        #expect(IdentifierRules.problemWithColumnName("1st")?.contains("starts with a digit") == true)
        #expect(IdentifierRules.problemWithColumnName("xmin")?.contains("system column") == true)
        #expect(IdentifierRules.problemWithColumnName(String(repeating: "a", count: 64))?.contains("64 bytes") == true)
        #expect(IdentifierRules.problemWithColumnName("landb; DROP SCHEMA x") != nil)
        #expect(IdentifierRules.problemWithRoleName("data-team") == nil)
        #expect(IdentifierRules.problemWithRoleName("current_user") != nil)
        #expect(IdentifierRules.problemWithConnectionName("landb-prod") == nil)
        #expect(IdentifierRules.problemWithConnectionName("landb prod") != nil)
        #expect(IdentifierRules.problemWithPublicSchema("public") == nil)
        #expect(IdentifierRules.problemWithPublicSchema("pg_catalog") != nil)
    }

    @Test func suggestions() {
        #expect(NameSuggestion.closest(to: "timezone", among: ["timeZone", "firstYear"]) == "timeZone")
        #expect(NameSuggestion.closest(to: "descripton", among: TemplateReader.keys) == "description")
        #expect(NameSuggestion.closest(to: "zzz", among: TemplateReader.keys) == nil)
        #expect(TypeResolver(typeNames: [:]).suggestion(for: "integr") == "integer")
        #expect(TypeResolver(typeNames: [:]).suggestion(for: "numerc(10,3)") == "numeric(10,3)")
        #expect(TypeResolver(typeNames: [:]).suggestion(for: "geometry") == nil)
    }

    @Test func aRepeatedKeyIsFoundWhereverItIs() {
        let block = "a: 1\nb:\n  a: 2\n  c: 3\na: 4\n"
        #expect(RepeatedKeyLocator.locate(key: "a", firstAt: SourcePosition(line: 1, column: 1), in: block)
            == SourcePosition(line: 5, column: 1))
        let flow = "x: { a: 1, b: 2, \"a\": 3 }\n"
        #expect(RepeatedKeyLocator.locate(key: "a", firstAt: SourcePosition(line: 1, column: 6), in: flow)
            == SourcePosition(line: 1, column: 18))
        let list = "- name: a\n  type: t\n- name: b\n  name: c\n"
        #expect(RepeatedKeyLocator.locate(key: "name", firstAt: SourcePosition(line: 3, column: 3), in: list)
            == SourcePosition(line: 4, column: 3))
    }
}
