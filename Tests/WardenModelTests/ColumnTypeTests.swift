import Testing
import WardenModel

@Suite("ColumnType normalization")
struct ColumnTypeTests {
    @Test("spellings of one type normalize to PostgreSQL's canonical name", arguments: [
        ("int", "integer"), ("INT4", "integer"), ("Integer", "integer"), ("int8", "bigint"), ("BIGINT", "bigint"),
        ("timestamptz", "timestamp with time zone"), ("TIMESTAMP WITH TIME ZONE", "timestamp with time zone"),
        ("timestamp", "timestamp without time zone"), ("numeric(10, 3)", "numeric(10,3)"), ("DECIMAL(12,3)", "numeric(12,3)"),
        ("varchar(50)", "character varying(50)"), ("bool", "boolean"), ("float8", "double precision"), ("text[]", "text[]"),
        ("char", "character(1)"), ("timestamptz(3)", "timestamp(3) with time zone"), ("jsonb", "jsonb"),
    ])
    func normalizes(spelling: String, canonical: String) {
        #expect(ColumnType(spelling)?.name == canonical)
    }

    @Test("unknown and malformed types are not accepted", arguments: ["integr", "texxt", "numeric(10,", "numeric(a)", "text(5)", ""])
    func rejects(spelling: String) {
        #expect(ColumnType(spelling) == nil)
    }
}
