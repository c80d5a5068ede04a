import Drift
import Testing
import WardenModel
import WarehouseFixtures

@Suite("Drift: what to run for a missing connection")
struct ConnectionRemedyTests {
    func missingConnection(wrappers: Set<String>?) -> DriftItem? {
        var fixture = WarehouseFixture()
        fixture.desired.settings.tenants.append(Tenant(schema: "west", connection: "west-prod"))
        fixture.live.foreignDataWrappers = wrappers
        return fixture.detect().items.first { $0.kind == .connectionMissing }
    }

    @Test("without dblink_fdw, the remedy starts with CREATE EXTENSION dblink, then the server and its user mapping")
    func extensionFirstWhenDblinkIsMissing() throws {
        let item = try #require(missingConnection(wrappers: []))
        #expect(item.remedy.contains(
            "CREATE EXTENSION dblink; CREATE SERVER \"west-prod\" FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host '…', port '5432', dbname '…'); "
                + "CREATE USER MAPPING FOR CURRENT_USER SERVER \"west-prod\" OPTIONS (user '…', password '…')"), "\(item.remedy)")
        #expect(item.found.contains("dblink extension is not installed"))
    }

    @Test("with dblink_fdw, the remedy names the server and its user mapping and no extension")
    func serverAndMappingWhenDblinkExists() throws {
        let item = try #require(missingConnection(wrappers: ["dblink_fdw"]))
        #expect(!item.remedy.contains("CREATE EXTENSION"))
        #expect(item.remedy.contains("CREATE SERVER \"west-prod\" FOREIGN DATA WRAPPER dblink_fdw"))
        #expect(item.remedy.contains("CREATE USER MAPPING FOR CURRENT_USER SERVER \"west-prod\""))
        #expect(!item.remedy.contains("CREATE SERVER …"))
    }

    @Test("a server's location shows host, port and dbname and never a password")
    func locationLeavesSecretsOut() {
        let text = ForeignServerSetup.location(["host": "db.internal", "port": "6543", "dbname": "shop", "password": "s3cret"])
        #expect(text == "host db.internal, port 6543, dbname shop")
        #expect(ForeignServerSetup.location(["dbname": "shop"]) == "no host (libpq's default), no port (libpq's default, 5432), dbname shop")
    }
}
