import Catalog
import Foundation
import Logging
import PostgresClient
import Synchronization
import WardenModel

#if canImport(Glibc)
import Glibc
#endif

/// catalog-bench: times `CatalogReader.read` against a database, as `warden drift` would call it.
///
///     catalog-bench --dsn "host=/tmp/pg port=5432 dbname=catalog_scale" [--policy all|unstamped|none]
///                   [--views all|unstamped|none] [--runs N] [--connections N] [--no-index-definitions]
///                   [--stages] [--verify]
///
/// Prints one line per run (wall time) and a summary with the peak RSS of this process. `--stages`
/// prints the time of each stage of the read; `--verify` compares every definition the reader
/// rendered itself against `pg_get_viewdef` / `pg_get_indexdef` (slow: seconds per 10,000 objects).
struct Arguments {
    var dsn = ProcessInfo.processInfo.environment["WARDEN_DATABASE_URL"] ?? ""
    var policy: CatalogReader.DefinitionPolicy = .all
    var views: CatalogReader.DefinitionPolicy = .none
    var runs = 3
    var connections = 1
    var stages = false
    var verify = false
    var indexDefinitions = true

    static func policy(_ text: String) -> CatalogReader.DefinitionPolicy? {
        switch text {
        case "all": .all
        case "unstamped": .unstampedOnly
        case "none": CatalogReader.DefinitionPolicy.none
        default: nil
        }
    }

    init() {
        var iterator = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--dsn": dsn = iterator.next() ?? ""
            case "--policy": policy = Self.required(iterator.next().flatMap(Self.policy))
            case "--views": views = Self.required(iterator.next().flatMap(Self.policy))
            case "--runs": runs = Self.required(iterator.next().flatMap(Int.init))
            case "--connections": connections = Self.required(iterator.next().flatMap(Int.init))
            case "--stages": stages = true
            case "--verify": verify = true
            case "--no-index-definitions": indexDefinitions = false
            default: Self.usage()
            }
        }
        if dsn.isEmpty { Self.usage() }
    }

    static func required<T>(_ value: T?) -> T {
        guard let value else { usage() }
        return value
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("""
            usage: catalog-bench --dsn DSN [--policy all|unstamped|none] [--views all|unstamped|none] [--runs N] [--connections N] [--no-index-definitions] [--stages] [--verify]

            """.utf8))
        exit(2)
    }
}

/// Collects the reader's "catalog read stage" debug lines.
final class StageLog: LogHandler, @unchecked Sendable {
    static let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        if event.message.description == "catalog definitions", let rules = event.metadata?["from_rules"],
           let deparsed = event.metadata?["deparsed"] {
            Self.lines.withLock { $0.append("  definitions read from rewrite rules: \(rules), deparsed by the server: \(deparsed)") }
            return
        }
        guard event.message.description == "catalog read stage", let stage = event.metadata?["stage"],
              let ms = event.metadata?["ms"] else { return }
        let rss = event.metadata?["rss_mb"].map { ", RSS \($0) MB" } ?? ""
        Self.lines.withLock { $0.append("  \(stage): \(ms) ms\(rss)") }
    }
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = Arguments()
let logger = Logger(label: "catalog-bench") { _ in StageLog() }
var connections: [PostgresConnection] = []
for _ in 0..<max(1, arguments.connections) {
    connections.append(try await PostgresConnection.connect(ConnectionConfiguration(arguments.dsn), logger: logger))
}
let connection = connections[0]
let options = CatalogReader.Options(
    includeDefinitions: arguments.policy, includeViewDefinitions: arguments.views,
    includeIndexDefinitions: arguments.indexDefinitions)
let clock = ContinuousClock()
var times: [Double] = []
var warehouse = LiveWarehouse()
for run in 1...arguments.runs {
    StageLog.lines.withLock { $0.removeAll() }
    let started = clock.now
    warehouse = try await CatalogReader.read(connections, options: options)
    let elapsed = seconds(clock.now - started)
    times.append(elapsed)
    print(String(format: "run %d: %.3f s", run, elapsed))
    if arguments.stages { StageLog.lines.withLock { for line in $0 { print(line) } } }
}
var counts: [LiveRelation.Kind: Int] = [:]
var indexCount = 0
var definitionCount = 0
for relation in warehouse.relations.values {
    counts[relation.kind, default: 0] += 1
    indexCount += relation.indexes.count
    if relation.definition != nil { definitionCount += 1 }
}
print("""
    relations \(warehouse.relations.count) (materialized views \(counts[.materializedView] ?? 0), tables \(counts[.table] ?? 0), \
    views \(counts[.view] ?? 0)), indexes \(indexCount), definitions \(definitionCount), schemas \(warehouse.schemas.count), \
    foreign servers \(warehouse.foreignServers.count), registry rows \(warehouse.registry.count)
    """)
print(String(format: "best %.3f s, median %.3f s, peak RSS %.0f MB", times.min()!, times.sorted()[times.count / 2],
             peakRSSMegabytes()))

if arguments.verify {
    var checked = 0
    var differences = 0
    let byOID = try await connection.query("""
        SELECT n.nspname::text, c.relname::text, pg_get_viewdef(c.oid) FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm'
        """)
    for row in byOID {
        let name = QualifiedName(schema: row[0]!, name: row[1]!)
        guard let definition = warehouse.relations[name]?.definition else { continue }
        checked += 1
        if definition != row[2] {
            differences += 1
            if differences <= 3 { print("definition differs: \(name)\n--- reader\n\(definition)\n--- server\n\(row[2] ?? "")") }
        }
    }
    print("verified \(checked) materialized view definitions against pg_get_viewdef: \(differences) differ")
    var indexesChecked = 0
    var indexDifferences = 0
    let indexRows = try await connection.query("""
        SELECT n.nspname::text, c.relname::text, ic.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
        JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'm', 'v') AND n.nspname NOT LIKE 'pg\\_%'
        """)
    for row in indexRows {
        guard let relation = warehouse.relations[QualifiedName(schema: row[0]!, name: row[1]!)],
              let index = relation.indexes.first(where: { $0.name == row[2]! }) else { continue }
        indexesChecked += 1
        if index.definition != row[3] {
            indexDifferences += 1
            if indexDifferences <= 3 { print("index definition differs: \(index.definition) vs \(row[3] ?? "")") }
        }
    }
    print("verified \(indexesChecked) index definitions against pg_get_indexdef: \(indexDifferences) differ")
}
for connection in connections { await connection.close() }
