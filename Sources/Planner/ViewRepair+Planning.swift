import WardenModel

extension ViewRepair {
    /// Which views `warden repair` is asked to put back.
    public enum Request: Sendable, Hashable {
        /// `warden repair public-view [TEMPLATE…]`: the public views of these templates, every template's
        /// when the list is empty.
        case publicViews(templates: [String])
        /// `warden repair tenant-view TENANT [TEMPLATE…]`: that tenant's union views of these templates,
        /// every template's when the list is empty.
        case tenantViews(tenant: String, templates: [String])
    }

    /// One repair per template of `request`, from the desired state (templates, tenants, grants, owner,
    /// first year) and what exists now in `live` (members and their columns). Pure.
    ///
    /// - A tenant view reads the tenant's yearly tables and daily views of the template that drift
    ///   expects (past years from `firstYear`, days before `asOf` not yet rolled over), oldest first.
    /// - A public view reads the tenant views of the declared tenants that exist, in schema order; a
    ///   tenant without one is left out, with a note.
    /// - Columns are the ones the template's live daily views have (as drift reads them), so a change
    ///   merged but not applied yet does not stop a repair: the view comes back as it was.
    /// - A tenant-view repair also rebuilds the public view, in the same transaction, when the public
    ///   view is missing or does not read the tenant view: dropping a tenant view drops the public view
    ///   with it (`CASCADE`), and the point of the repair is that people can read again.
    ///
    /// Throws ``RepairRefusal`` when a view cannot be built correctly (a member lacks a column or has it
    /// with another type, a daily view has no data, nothing to read), before anything runs.
    public static func plan(_ request: Request, desired: DesiredWarehouse, live: LiveWarehouse, asOf: Day) throws -> [ViewRepair] {
        let planning = RepairPlanning(desired: desired, live: live, asOf: asOf)
        switch request {
        case .publicViews(let names):
            return try planning.templates(names).map { try planning.publicViewRepair($0) }
        case .tenantViews(let schema, let names):
            let tenant = try planning.tenant(schema)
            return try planning.templates(names).map { try planning.tenantViewRepair($0, tenant: tenant) }
        }
    }
}
