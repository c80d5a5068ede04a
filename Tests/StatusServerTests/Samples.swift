import Controller
import Executor
import Foundation

/// Values the fake controller serves, some of them hostile.
enum Samples {
    static let hostileObject = #"tenant_acme."<script>alert('owned')</script>""#

    /// A drift report in the stable format of `warden drift --format json`.
    static let driftJSON = """
        {
          "asOf" : "2025-03-01",
          "items" : [
            {
              "expected" : "column waste_category text DEFAULT 'UNKNOWN'",
              "fix" : {"phase" : "swap", "start" : "2025-03-02T02:00:00Z", "status" : "waiting",
                       "text" : "swap: waiting for window nightly: opens 2025-03-02 02:00 UTC (in 14h)"},
              "found" : "no such column",
              "kind" : "template.column.added",
              "object" : "public.foodlogstats",
              "remedy" : "rebuild the daily views of the last 30 days and add the column to the yearly tables",
              "template" : "foodlogstats",
              "tenant" : null
            },
            {
              "expected" : "absent",
              "found" : "a daily view nobody declared",
              "kind" : "day.unexpected",
              "object" : \(jsonString(hostileObject)),
              "remedy" : "drop it in cleanup",
              "template" : "foodlogstats",
              "tenant" : "acme"
            }
          ],
          "preparedShadows" : 292,
          "revision" : "0123456789abcdef0123456789abcdef01234567",
          "version" : 1
        }
        """

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONEncoder().encode(text)) ?? Data(), as: UTF8.self)
    }

    static let planView = PlanView(
        revision: "0123456789abcdef0123456789abcdef01234567", asOf: "2025-03-01", strategy: "shadow-swap", risk: "medium",
        riskReasons: ["blocking steps make readers wait for their whole length"],
        summary: "3 steps · extra disk 1.2 GB · public-view lock 0.05 s · estimated 4m 10s", notes: ["kept 2 retired objects"],
        phases: [
            .init(name: "prepare", runs: "now: prepare work runs ahead of the window", steps: [
                .init(id: 1, stepClass: "online", kind: "buildShadowDailyView", targets: ["tenant_acme.foodlogstats_20250301__shadow"],
                      estimate: "~1.2 GB, 4m 0s", sql: "CREATE MATERIALIZED VIEW tenant_acme.foodlogstats_20250301__shadow AS SELECT 1;"),
            ]),
            .init(name: "swap", runs: "in window nightly, 2025-03-02T02:00:00Z – 2025-03-02T04:00:00Z", steps: [
                .init(id: 2, stepClass: "brief-lock", kind: "replaceTenantView", targets: [hostileObject], estimate: nil,
                      sql: "CREATE OR REPLACE VIEW x AS SELECT '<b>' AS y;"),
            ]),
        ])

    static let windows = [
        WindowView(
            name: "nightly", kind: .allow, start: FakeController.now.addingTimeInterval(-3_600),
            end: FakeController.now.addingTimeInterval(3_600), active: true, manualSync: false),
        WindowView(
            name: "month-end <close>", kind: .deny, start: FakeController.now.addingTimeInterval(86_400),
            end: FakeController.now.addingTimeInterval(4 * 86_400), active: false, manualSync: true),
    ]

    static let runs = [
        RunRecord(
            runID: 42, startedAt: "2025-03-02T02:00:05Z", command: "controller", revision: "0123456789abcdef",
            status: "running", reason: "drift <found>", actor: "warden", steps: 3, succeeded: 1, pending: 2),
        RunRecord(
            runID: 41, startedAt: "2025-03-01T02:00:05Z", finishedAt: "2025-03-01T02:04:00Z", command: "apply",
            status: "failed", actor: "alice", error: "step 2 failed: lock timeout", steps: 3, succeeded: 1, failed: 1,
            pending: 1, durationSeconds: 235),
    ]
}
