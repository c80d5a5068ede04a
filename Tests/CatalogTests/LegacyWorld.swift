import DemoWorld
import Foundation
import PostgresClient
import TestSupport

/// A small legacy warehouse (seed 000, no warden), built once per test process and only read by the
/// tests that share it: 3 tenants × 2 templates, yearly tables for 2025, daily views 2026-01-01 ..
/// 2026-01-09, union and public views, grants.
enum LegacyWorld {
    struct Built: Sendable {
        var connectionString: String
        var configuration: DemoWorld.Configuration
        var socketDirectory: String
        var port: Int
    }

    static let asOf = PostgresDate(year: 2026, month: 1, day: 10)
    static let days = (1...9).map { "2026-01-0\($0)" }

    private static let building = Task { () throws -> Built in
        let cluster = try await TestCluster.shared()
        let prefix = "catalog_\(UUID().uuidString.prefix(6).lowercased())_"
        let built = try await DemoWorld.build(
            on: cluster, DemoWorld.Configuration(asOf: asOf, firstYear: 2025, databasePrefix: prefix))
        return Built(
            connectionString: built.warehouseConnectionString, configuration: built.configuration,
            socketDirectory: cluster.socketDirectory, port: cluster.port)
    }

    /// The world, built on first use.
    static func shared() async throws -> Built { try await building.value }

    /// A new connection to the world's warehouse, closed after `body`.
    static func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let world = try await shared()
        let connection = try await PostgresConnection.connect(ConnectionConfiguration(world.connectionString))
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }
}
