import WardenModel

/// Writes a desired state as a schema repository (DESIGN.md §2), the inverse of ``DesiredStateLoader``:
/// what `warden adopt` commits for an existing warehouse.
///
/// Block style, keys in the order §2 shows them, each query in its own `.sql` file; optional keys at
/// their default value are left out. Loading the files gives back an equal ``DesiredWarehouse``.
public enum DesiredStateWriter {
    /// `warehouse.yaml`, and `templates/<name>.yaml` with `templates/<name>.sql` per template, under `root`.
    public static func files(for desired: DesiredWarehouse, root: String) -> [SourceFile] {
        let prefix = RepositoryLayout.prefix(forRoot: root)
        var files = [SourceFile(path: prefix + "warehouse.yaml", text: warehouseYAML(desired.settings))]
        for template in desired.templates {
            files.append(SourceFile(path: prefix + "templates/\(template.name).yaml", text: templateYAML(template)))
            files.append(SourceFile(path: prefix + "templates/\(template.name).sql", text: template.query + "\n"))
        }
        return files
    }

    /// The text of `warehouse.yaml`.
    static func warehouseYAML(_ settings: WarehouseSettings) -> String {
        let s = YAMLScalar.render
        var lines = [
            "apiVersion: \(DocumentHeader.apiVersion)",
            "kind: Warehouse",
            "timeZone: \(s(settings.timeZone))",
            "firstYear: \(settings.firstYear)",
            "publicSchema: \(s(settings.publicSchema))",
            "tenantColumn: \(s(settings.tenantColumn))",
        ]
        if let owner = settings.owner { lines.append("owner: \(s(owner))") }
        lines.append(settings.tenants.isEmpty ? "tenants: []" : "tenants:")
        for tenant in settings.tenants {
            lines.append("  - schema: \(s(tenant.schema))")
            lines.append("    connection: \(s(tenant.connection))")
        }
        if !settings.grants.isEmpty {
            lines.append("grants:")
            for grant in settings.grants {
                lines.append("  - role: \(s(grant.role))")
                lines.append("    on: \(s(grant.scope.description))")
            }
        }
        if !settings.windows.isEmpty {
            lines.append("windows:")
            for window in settings.windows {
                lines.append("  - name: \(s(window.name))")
                lines.append("    kind: \(window.kind.rawValue)")
                lines.append("    schedule: \(YAMLScalar.doubleQuoted(window.schedule))")
                lines.append("    duration: \(DurationText.render(seconds: window.durationSeconds))")
                if window.timeZone != "UTC" { lines.append("    timeZone: \(s(window.timeZone))") }
                if window.manualSync { lines.append("    manualSync: true") }
            }
        }
        let policy = settings.policy
        lines += [
            "policy:",
            "  strategy: \(policy.strategy.rawValue)",
            "  prepareAhead: \(policy.prepareAhead)",
            "  allowDestructive: \(policy.allowDestructive)",
            "  parallelism: \(policy.parallelism)",
            "  lockTimeout: \(DurationText.render(milliseconds: policy.lockTimeoutMilliseconds))",
        ]
        if settings.routine != Routine() {
            lines += [
                "routine:",
                "  buildAfter: \(s(settings.routine.buildAfterText))",
                "  lookbackDays: \(settings.routine.lookbackDays)",
                "  inDenyWindows: \(settings.routine.inDenyWindows.rawValue)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The text of `templates/<name>.yaml`.
    static func templateYAML(_ template: Template) -> String {
        let s = YAMLScalar.render
        var lines = [
            "apiVersion: \(DocumentHeader.apiVersion)",
            "kind: Template",
            "name: \(s(template.name))",
        ]
        if !template.description.isEmpty { lines.append("description: \(s(template.description))") }
        lines.append("query: \(s(template.name + ".sql"))")
        lines.append(template.columns.isEmpty ? "columns: []" : "columns:")
        for column in template.columns {
            lines.append("  - name: \(s(column.name))")
            lines.append("    type: \(s(column.type.name))")
            if let value = column.defaultValue { lines.append("    default: \(s(value))") }
            if column.notNull { lines.append("    notNull: true") }
            if let from = column.renamedFrom { lines.append("    renamedFrom: \(s(from))") }
        }
        if !template.indexes.isEmpty {
            lines.append("indexes:")
            for index in template.indexes {
                lines.append("  - columns: [\(index.columns.map(YAMLScalar.renderInFlow).joined(separator: ", "))]")
                if index.unique { lines.append("    unique: true") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
