import Catalog
import DesiredState
import Drift
import Executor
import Foundation
import Logging
import Planner
import PostgresClient
import Scheduler
import WardenModel

/// The stages of one reconcile pass up to the drift report, shared by the CLI and the controller:
/// desired state (git) and live catalog (libpq) in, drift out.
public enum Pipeline {
    /// The desired state failed to load: every diagnostic, so all problems are shown at once.
    public struct InvalidDesiredState: Error, Sendable, CustomStringConvertible {
        public var diagnostics: [Diagnostic]
        public var description: String {
            let errors = diagnostics.filter { $0.severity == .error }.count
            return "the desired state has \(errors) error\(errors == 1 ? "" : "s"); fix them and commit again"
        }
    }

    /// Loads the desired state offline (no database), or throws ``InvalidDesiredState``.
    public static func loadOffline(_ snapshot: DesiredStateSnapshot) throws -> LoadResult {
        let result = DesiredStateLoader.load(files: snapshot.files, root: snapshot.root, revision: snapshot.revision)
        guard result.desired != nil else { throw InvalidDesiredState(diagnostics: result.diagnostics) }
        return result
    }

    /// Loads the desired state with its types normalized through the server (`int4` → `integer`, and
    /// types only the server knows: domains, enums, extensions' types).
    ///
    /// The offline load runs first: an invalid repository never reaches the database.
    public static func load(_ snapshot: DesiredStateSnapshot, on connection: PostgresConnection) async throws -> LoadResult {
        let offline = DesiredStateLoader.load(files: snapshot.files, root: snapshot.root, revision: snapshot.revision)
        let onlyTypeProblems = offline.diagnostics.filter { $0.severity == .error }.allSatisfy { $0.message.contains("is not a type PostgreSQL knows") }
        guard offline.desired != nil || onlyTypeProblems else { throw InvalidDesiredState(diagnostics: offline.diagnostics) }
        let spellings = DesiredStateLoader.typeSpellings(files: snapshot.files, root: snapshot.root)
        let resolved = try await TypeNormalizer.canonicalize(spellings, on: connection)
        var typeNames: [String: String] = [:]
        for (spelling, result) in resolved {
            if case .success(let canonical) = result { typeNames[spelling] = canonical }
        }
        let result = DesiredStateLoader.load(
            files: snapshot.files, root: snapshot.root, revision: snapshot.revision, typeNames: typeNames)
        guard result.desired != nil else { throw InvalidDesiredState(diagnostics: result.diagnostics) }
        return result
    }

    /// Reads the desired state, then connects to the warehouse, normalizes the desired types there and
    /// runs `body`; the connection is closed however `body` ends.
    ///
    /// The offline load runs before connecting: an invalid repository never reaches the database.
    public static func withDesiredState<T>(
        _ source: DesiredStateSource, database: ConnectionConfiguration, logger: Logger,
        _ body: (DesiredWarehouse, PostgresConnection) async throws -> T
    ) async throws -> T {
        let snapshot = try source.read()
        _ = try loadOffline(snapshot)
        let connection = try await PostgresConnection.connect(database, logger: logger)
        do {
            let desired = try await load(snapshot, on: connection).desired!
            let value = try await body(desired, connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Reads the live warehouse.
    public static func observe(_ connection: PostgresConnection) async throws -> LiveWarehouse {
        try await CatalogReader.read(connection, options: .drift)
    }

    /// The drift of the warehouse behind `connection` from `desired` at `asOf`, as people read it: the
    /// shadows the pending plan reuses set aside as its progress, and every item with when that plan
    /// fixes it under the desired maintenance windows at `now` (or why it cannot yet).
    public static func drift(
        _ desired: DesiredWarehouse, on connection: PostgresConnection, asOf: Day, at now: Date = Date()
    ) async throws -> DriftReport {
        try await observation(desired, on: connection, asOf: asOf).annotatedDrift(try Schedule(desired), at: now)
    }

    /// The drift and the plan that would reconcile it (nothing is changed). Every step carries an
    /// estimate: from the durations recorded in `_wh.warden_steps`, else from relation sizes. The
    /// shadows the plan reuses are its progress, not drift (``DriftReport/settingAside(progressOf:)``).
    public static func plan(
        _ desired: DesiredWarehouse, on connection: PostgresConnection, asOf: Day, policy: Policy? = nil
    ) async throws -> (drift: DriftReport, plan: Plan) {
        let live = try await observe(connection)
        let drift = DriftDetector.detect(desired: desired, live: live, asOf: asOf)
        let plan = Planner.plan(desired: desired, live: live, drift: drift, asOf: asOf, policy: policy ?? desired.settings.policy)
        let history = HistoricalEstimates(try await StepHistory.samples(on: connection))
        return (drift.settingAside(progressOf: plan), history.apply(to: plan))
    }

    /// Today in an IANA time zone: the default as-of date.
    public static func today(in timeZone: String, now: Date = Date()) -> Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return Day(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}
