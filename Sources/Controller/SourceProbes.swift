import Drift
import Foundation
import PostgresClient
import WardenModel

/// Asks the tenants' own databases, through their foreign servers, whether routine work can build their
/// due days (DESIGN.md §6b): can the source be reached at all, and does each due day's `readyWhen` probe
/// answer true. Only tenants with due days are asked, once each, over one dblink connection.
enum SourceProbes {
    /// The dblink connection name the probes use, apart from the executor's.
    static let connectionName = "warden_probe"

    /// The readiness of every tenant with due days of a template in `desired` that the warehouse carries.
    static func readiness(
        _ desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day, on connection: PostgresConnection
    ) async -> SourceReadiness {
        let roles = live.objectsByRole(templates: Set(desired.templates.map(\.name)))
        let days = desired.settings.expectedDays(asOf: asOf)
        var readiness = SourceReadiness()
        for tenant in desired.settings.tenants where live.schemas[tenant.schema] != nil {
            let objects = roles[tenant.schema] ?? [:]
            var due: [(template: Template, days: [Day])] = []
            for template in desired.templates where live.registry[template.name] != nil {
                guard objects[.unionView(template: template.name)]?.kind == .view else { continue }
                let missing = days.filter { objects[.dailyView(template: template.name, day: $0)] == nil }
                if !missing.isEmpty { due.append((template, missing)) }
            }
            guard !due.isEmpty else { continue }
            do {
                _ = try await connection.query(
                    "SELECT dblink_disconnect($1) WHERE $1 = ANY (dblink_get_connections())", [connectionName])
                _ = try await connection.query("SELECT dblink_connect($1, $2)", [connectionName, tenant.connection])
            } catch {
                readiness.unreachable[tenant.schema] = Self.reason(error)
                continue
            }
            for (template, missing) in due where template.readyWhen != nil {
                for day in missing {
                    let answer: String
                    do {
                        let result = try await connection.query(
                            "SELECT t.ready FROM dblink($1, $2) AS t(ready boolean)", [connectionName, template.renderedProbe(for: day)!])
                        let values = try result.rows.map { try $0.decode(Bool?.self, at: 0) }
                        guard values.count == 1, let value = values[0] else {
                            answer = values.count == 1 ? "null" : "\(values.count) rows, not one"
                            readiness.waiting[template.name, default: [:]][tenant.schema, default: [:]][day] = answer
                            continue
                        }
                        if value { continue }
                        answer = "false"
                    } catch {
                        // An error is reported and never taken as true.
                        answer = "error: " + Self.reason(error)
                    }
                    readiness.waiting[template.name, default: [:]][tenant.schema, default: [:]][day] = answer
                }
            }
            _ = try? await connection.query("SELECT dblink_disconnect($1)", [connectionName])
        }
        return readiness
    }

    /// The first line of the server's message, without the context lines dblink adds.
    static func reason(_ error: any Error) -> String {
        let text = (error as? PostgresError)?.message ?? String(describing: error)
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.trimmingCharacters(in: .whitespaces)
    }
}
