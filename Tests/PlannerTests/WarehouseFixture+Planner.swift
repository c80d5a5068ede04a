import Drift
import Planner
import WardenModel
import WarehouseFixtures

extension WarehouseFixture {
    /// Drift, then the plan, with the default policy unless told otherwise.
    func plan(policy: Policy = Policy()) -> Plan {
        Planner.plan(desired: desired, live: live, drift: detect(), asOf: asOf, policy: policy)
    }

    /// The seed's scenario: `waste_category text DEFAULT 'UNKNOWN'` appended to foodlogstats.
    mutating func appendWasteCategory() {
        desired.templates[0].columns.append(Column(name: "waste_category", type: ColumnType("text")!, defaultValue: "UNKNOWN"))
        desired.templates[0].query = desired.templates[0].query.replacing("pf.weight\n", with: "pf.weight, pf.waste_category\n")
    }
}
