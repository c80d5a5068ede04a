import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("warden validate", .integration, .hangGuard)
struct ValidateCommandTests {
    @Test("breaking changes since the previous revision are reported with their consequence")
    func breakingChanges() async throws {
        let repository = try await GitRepositoryFixture()
        defer { repository.remove() }
        try repository.copy(folder: packageRoot + "/desired-state", to: "desired-state")
        try await repository.commitAll("the demo warehouse")
        let template = repository.path + "/desired-state/templates/foodlogstats.yaml"
        var yaml = try String(contentsOfFile: template, encoding: .utf8)
        // Drop the flags column (and nothing else).
        yaml = yaml.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("flags") }.joined(separator: "\n")
        try yaml.write(toFile: template, atomically: true, encoding: .utf8)
        let sql = repository.path + "/desired-state/templates/foodlogstats.sql"
        let query = try String(contentsOfFile: sql, encoding: .utf8).replacing("pf.flags,", with: "")
        try query.write(toFile: sql, atomically: true, encoding: .utf8)
        try await repository.commitAll("drop flags")

        let outcome = try await Subprocess.run([WardenCLITests.binary, "validate", "--repo", repository.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("breaking since"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("flags"))
        #expect(outcome.standardOutput.contains("history is lost"))
        #expect(outcome.standardOutput.contains("allowDestructive"))
    }

    @Test("with a database, each template's query is dry-run through every tenant's connection")
    func dryRun() async throws {
        let cluster = try await TestCluster.shared()
        let prefix = "validate_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster, DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 5), firstYear: 2025, databasePrefix: prefix))
        let dsn = built.warehouseConnectionString
        let good = try await Subprocess.run([WardenCLITests.binary, "validate", "--dir", packageRoot + "/desired-state", "--database", dsn])
        #expect(good.status == 0, "\(good.standardOutput)\(good.standardError)")
        #expect(good.standardOutput.contains("dry-ran 6 template × tenant queries"))
        #expect(good.standardOutput.contains("all match"))

        // A template whose declared type does not match what the tenants return.
        let folder = try TemporaryFolder("warden-validate")
        defer { folder.remove() }
        try FileManager.default.removeItem(atPath: folder.path)
        try FileManager.default.copyItem(atPath: packageRoot + "/desired-state", toPath: folder.path)
        let template = folder.path + "/templates/storedaily.yaml"
        let yaml = try String(contentsOfFile: template, encoding: .utf8).replacing("type: bigint", with: "type: text")
        try yaml.write(toFile: template, atomically: true, encoding: .utf8)
        let bad = try await Subprocess.run([WardenCLITests.binary, "validate", "--dir", folder.path, "--database", dsn])
        #expect(bad.status == 1)
        #expect(bad.standardOutput.contains("storedaily via acme-prod (acme): column 3 (log_count) is bigint"), "\(bad.standardOutput)")

        // A query ending in `;` and one ending in a comment with no newline run through dblink as apply
        // sends them: validate agrees with apply (issue 14).
        try FileManager.default.removeItem(atPath: template)
        try FileManager.default.copyItem(atPath: packageRoot + "/desired-state/templates/storedaily.yaml", toPath: template)
        for (file, ending) in [("storedaily.sql", ";\n"), ("foodlogstats.sql", "\n-- weight in kg")] {
            let path = folder.path + "/templates/" + file
            let sql = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            try (sql + ending).write(toFile: path, atomically: true, encoding: .utf8)
        }
        let endings = try await Subprocess.run([WardenCLITests.binary, "validate", "--dir", folder.path, "--database", dsn])
        #expect(endings.status == 0, "\(endings.standardOutput)\(endings.standardError)")
        #expect(endings.standardOutput.contains("all match"), "\(endings.standardOutput)")
        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }

    @Test("a missing foreign server, a wrong port and a missing user mapping each name the server and the fix")
    func brokenConnections() async throws {
        let cluster = try await TestCluster.shared()
        let prefix = "venv_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster, DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 5), firstYear: 2025, databasePrefix: prefix))
        let warehouse = try await cluster.connect(database: built.configuration.warehouseDatabase)
        try await warehouse.execute(#"DROP SERVER "landb-prod" CASCADE"#)
        try await warehouse.execute(#"ALTER SERVER "acme-prod" OPTIONS (SET port '1')"#)
        try await warehouse.execute(#"ALTER USER MAPPING FOR CURRENT_USER SERVER "acme-prod" OPTIONS (ADD password 'TopSecret42')"#)
        try await warehouse.execute(#"DROP USER MAPPING FOR CURRENT_USER SERVER "bistro-prod""#)
        await warehouse.close()

        let outcome = try await Subprocess.run([
            WardenCLITests.binary, "validate", "--dir", packageRoot + "/desired-state", "--database", built.warehouseConnectionString,
        ])
        let out = outcome.standardOutput
        #expect(outcome.status == 1, "\(out)\(outcome.standardError)")
        #expect(out.contains(
            #"landb-prod (landb): foreign server "landb-prod" does not exist in database \#(built.configuration.warehouseDatabase): "#
                + #"create it, as the role warden connects as: CREATE SERVER "landb-prod" FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '…', port '5432', dbname '…'); "#
                + #"CREATE USER MAPPING FOR CURRENT_USER SERVER "landb-prod" OPTIONS (user '…', password '…')"#), "\(out)")
        #expect(out.contains(
            #"acme-prod (acme): cannot connect through foreign server "acme-prod" (host \#(cluster.socketDirectory), port 1, dbname \#(prefix)src_acme): "#
                + "could not establish connection: connection to server on socket"), "\(out)")
        #expect(out.contains("Is the server running locally and accepting connections on that socket?; correct its options: ALTER SERVER \"acme-prod\""), "\(out)")
        #expect(out.contains(
            #"bistro-prod (bistro): foreign server "bistro-prod" has no user mapping for postgres (or PUBLIC): create it, as postgres: "#
                + #"CREATE USER MAPPING FOR CURRENT_USER SERVER "bistro-prod" OPTIONS (user '…', password '…')"#), "\(out)")
        #expect(out.contains("dry-ran 0 template × tenant queries"), "\(out)")
        #expect(!out.contains("the connection was lost"))
        #expect(!out.contains("\t") && !out.contains(".."), "\(out)")
        #expect(!(out + outcome.standardError).contains("TopSecret42"))
        for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
            try? await cluster.dropDatabase(database)
        }
    }

    @Test("without the dblink extension, validate says CREATE EXTENSION dblink once and drift's advice starts with it")
    func missingDblink() async throws {
        let cluster = try await TestCluster.shared()
        let database = try await TestCluster.newDatabase("venv_bare")
        let dsn = cluster.connectionString(database: database)
        let validate = try await Subprocess.run([WardenCLITests.binary, "validate", "--dir", packageRoot + "/desired-state", "--database", dsn])
        #expect(validate.status == 1, "\(validate.standardOutput)\(validate.standardError)")
        let lines = validate.standardOutput.split(separator: "\n").filter { $0.contains("dblink") }
        #expect(lines.count == 1, "\(validate.standardOutput)")
        #expect(lines.first?.contains("the dblink extension is not installed in database \(database)") == true, "\(validate.standardOutput)")
        #expect(lines.first?.contains("run CREATE EXTENSION dblink there") == true)
        #expect(!validate.standardOutput.contains("does not exist"), "\(validate.standardOutput)")

        let drift = try await Subprocess.run([
            WardenCLITests.binary, "drift", "--dir", packageRoot + "/desired-state", "--database", dsn, "--as-of", "2026-01-05",
            "--format", "json",
        ])
        #expect(drift.status == 2, "\(drift.standardError)")
        let decoded = try JSONSerialization.jsonObject(with: Data(drift.standardOutput.utf8)) as? [String: Any]
        let items = try #require(decoded?["items"] as? [[String: Any]])
        let missing = items.filter { $0["kind"] as? String == "connection.missing" }
        #expect(missing.count == 3)
        for item in missing {
            let remedy = item["remedy"] as? String ?? ""
            let object = item["object"] as? String ?? ""
            #expect(remedy.contains("CREATE EXTENSION dblink; CREATE SERVER \"\(object)\" FOREIGN DATA WRAPPER dblink_fdw"), "\(remedy)")
        }
        try? await cluster.dropDatabase(database)
    }
}
