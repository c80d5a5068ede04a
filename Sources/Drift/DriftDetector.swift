import WardenModel

/// Compares the desired warehouse with the live one at an as-of date (DESIGN.md §4). Pure.
///
/// Drift compares meaning, never formatting: column names and canonical types, indexes by columns and
/// uniqueness (not names), view members and output columns (not deparsed text), queries modulo trailing
/// whitespace, the registry's column and index lists parsed.
///
/// When most objects of a template differ from the desired spec in the same way, the difference is one
/// template-level item (the desired template changed); when a few do, each is its own item (someone
/// changed those objects by hand).
public enum DriftDetector {
    public static func detect(
        desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day, readiness: SourceReadiness = SourceReadiness()
    ) -> DriftReport {
        var detector = Detection(desired: desired, live: live, asOf: asOf)
        detector.readiness = readiness
        detector.run()
        let items = detector.items.sorted {
            ($0.template ?? "", $0.tenant ?? "", $0.kind.rawValue, $0.object)
                < ($1.template ?? "", $1.tenant ?? "", $1.kind.rawValue, $1.object)
        }
        return DriftReport(revision: desired.revision, asOf: asOf, items: items)
    }
}

/// The state of one detection run.
struct Detection {
    let desired: DesiredWarehouse
    let live: LiveWarehouse
    let asOf: Day
    var items: [DriftItem] = []
    /// Due days the sources hold back (`day.waiting` instead of `day.missing`).
    var readiness = SourceReadiness()

    /// Relations per schema, classified against the desired templates.
    let objects: [String: [ObjectNames.Role: LiveRelation]]

    init(desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day) {
        self.desired = desired
        self.live = live
        self.asOf = asOf
        self.objects = live.objectsByRole(templates: Set(desired.templates.map(\.name)))
    }

    var settings: WarehouseSettings { desired.settings }

    var expectedDays: [Day] { settings.expectedDays(asOf: asOf) }
    var expectedYears: [Int] { settings.expectedYears(asOf: asOf) }

    mutating func run() {
        let tenantSchemas = Set(settings.tenants.map(\.schema))
        for tenant in settings.tenants {
            if live.foreignServers[tenant.connection] == nil {
                // Unknown (nil) counts as installed: only a catalog read can say dblink is missing.
                let dblinkInstalled = live.foreignDataWrappers?.contains(ForeignServerSetup.wrapper) ?? true
                let setup = ForeignServerSetup.statements(server: tenant.connection, dblinkInstalled: dblinkInstalled)
                items.append(DriftItem(
                    kind: .connectionMissing, tenant: tenant.schema, object: tenant.connection,
                    expected: "a dblink foreign server '\(tenant.connection)' with a user mapping",
                    found: dblinkInstalled
                        ? "no foreign server of that name"
                        : "no foreign server of that name, and no dblink_fdw wrapper (the dblink extension is not installed)",
                    remedy: "create it, as the role warden connects as: \(setup); warden never stores credentials"))
            }
            if live.schemas[tenant.schema] == nil {
                items.append(DriftItem(
                    kind: .tenantMissing, tenant: tenant.schema, object: tenant.schema,
                    expected: "schema \(tenant.schema) with \(desired.templates.count) template(s)",
                    found: "no such schema",
                    remedy: "create the schema, backfill yearly tables from \(settings.firstYear) and the daily views, then add the tenant to the public views"))
            }
        }
        // Schemas holding template objects that no desired tenant owns.
        for (schema, roles) in objects where !tenantSchemas.contains(schema) && schema != settings.publicSchema {
            let templates = Set(roles.keys.compactMap(\.template)).sorted()
            items.append(DriftItem(
                kind: .tenantUnexpected, tenant: schema, object: schema,
                expected: "no tenant \(schema)", found: "\(roles.count) object(s) of \(templates.joined(separator: ", "))",
                remedy: "remove the tenant from the public views and drop its objects (destructive: needs allowDestructive)"))
        }
        for template in desired.templates {
            checkRegistry(template)
            let shape = liveShape(of: template)
            checkColumns(template, shape: shape)
            checkQueriesAndDays(template, shape: shape)
            checkIndexes(template)
            for tenant in settings.tenants where live.schemas[tenant.schema] != nil {
                checkYears(template, tenant: tenant, shape: shape)
                checkTenantView(template, tenant: tenant, shape: shape)
            }
            checkPublicView(template, shape: shape)
        }
        checkGrants()
        checkOwner()
        checkLeftovers()
    }
}

extension ObjectNames.Role {
    var template: String? {
        switch self {
        case .dailyView(let template, _), .yearlyTable(let template, _), .unionView(let template): template
        case .leftover: nil
        }
    }
}
