import Catalog
import PostgresClient
import TestSupport
import Testing

@Suite("Type spellings resolved through the server", .integration, .hangGuard)
struct TypeNormalizerTests {
    @Test("spellings of one type share the canonical name format_type prints")
    func canonicalNames() async throws {
        try await TestCluster.withDatabase("catalog_types") { _, _, connection in
            try await connection.execute("CREATE DOMAIN positive AS integer CHECK (VALUE > 0)")
            let resolved = try await TypeNormalizer.canonicalize(
                ["int", "int4", "INTEGER", "numeric(10, 3)", "NUMERIC(10,3)", "varchar(20)", "timestamptz",
                 "timestamp(3) with time zone", "text[]", "int8", "double precision", "bool", "positive", "public.positive"],
                on: connection)
            func canonical(_ spelling: String) -> String? { try? resolved[spelling]?.get() }
            #expect(canonical("int") == "integer")
            #expect(canonical("int4") == "integer")
            #expect(canonical("INTEGER") == "integer")
            #expect(canonical("numeric(10, 3)") == "numeric(10,3)")
            #expect(canonical("NUMERIC(10,3)") == "numeric(10,3)")
            #expect(canonical("varchar(20)") == "character varying(20)")
            #expect(canonical("timestamptz") == "timestamp with time zone")
            #expect(canonical("timestamp(3) with time zone") == "timestamp(3) with time zone")
            #expect(canonical("text[]") == "text[]")
            #expect(canonical("int8") == "bigint")
            #expect(canonical("double precision") == "double precision")
            #expect(canonical("bool") == "boolean")
            #expect(canonical("positive") == "positive")
            #expect(canonical("public.positive") == "positive")
        }
    }

    @Test("unknown types are reported, hostile spellings refused before the server sees them, nothing left behind")
    func unknownAndHostile() async throws {
        try await TestCluster.withDatabase("catalog_types_bad") { _, _, connection in
            try await connection.execute("CREATE TABLE x (id int)")
            let hostile = [
                "text; DROP TABLE x", "text); DROP TABLE x; --", "int -- comment", "int /* c */", "text COLLATE \"C\"",
                "int DEFAULT 'x'", "int, other text", "int)", "(int", "int$", "",
            ]
            let resolved = try await TypeNormalizer.canonicalize(
                Set(hostile + ["integr", "numeric(10,3", "int DEFAULT 1", "int NOT NULL", "int PRIMARY KEY",
                               "int REFERENCES x", "int GENERATED ALWAYS AS IDENTITY", "text STORAGE plain",
                               "int CHECK (true)", "int4"]),
                on: connection)
            func failure(_ spelling: String) -> TypeNormalizer.Unknown? {
                if case .failure(let unknown)? = resolved[spelling] { return unknown }
                return nil
            }
            let integr = try #require(failure("integr"))
            #expect(integr.reason == .unknownType)
            #expect(integr.message.contains("'integr'") && integr.message.contains("unknown"))
            for spelling in hostile {
                #expect(failure(spelling)?.reason == .refused, "\(spelling)")
            }
            #expect(failure("text; DROP TABLE x")?.message == "the type 'text; DROP TABLE x' is refused: it contains ';'")
            // Shaped like a type name but more than one: the server parses it, the reader refuses it.
            for spelling in ["int DEFAULT 1", "int NOT NULL", "int PRIMARY KEY", "int GENERATED ALWAYS AS IDENTITY",
                             "int CHECK (true)"] {
                #expect(failure(spelling)?.reason == .refused, "\(spelling)")
            }
            #expect(failure("numeric(10,3") != nil)
            #expect(failure("text STORAGE plain") != nil)
            #expect(failure("int REFERENCES x") != nil)
            #expect((try? resolved["int4"]?.get()) == "integer")

            // Nothing left behind, and the connection is usable and outside any transaction.
            #expect(try await connection.scalar(Bool.self, "SELECT to_regclass('pg_temp.warden_type_probe') IS NULL"))
            #expect(try await connection.scalar(Int.self, "SELECT count(*)::int FROM pg_class WHERE relname = 'warden_type_probe'") == 0)
            #expect(try await connection.scalar(Bool.self, "SELECT to_regclass('public.x') IS NOT NULL"))
            try await connection.execute("BEGIN")
            try await connection.execute("COMMIT")
        }
    }
}
