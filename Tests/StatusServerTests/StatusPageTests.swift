import Controller
import Executor
import Foundation
import HummingbirdTesting
import StatusServer
import Testing

@Suite("status server: the HTML page")
struct StatusPageTests {
    /// A fake with everything the page shows, hostile names included.
    func fullFake() async -> FakeController {
        var status = FakeController.sampleStatus
        status.phase = .blockedByWindow
        status.setCondition(.inSync, .false, reason: "DriftFound", message: "2 items <b>of drift</b>", at: FakeController.now)
        status.nextWindow = Samples.windows[0]
        status.suspended = nil
        let fake = FakeController(status: status)
        await fake.set(drift: Samples.driftJSON, plan: "{}", view: Samples.planView)
        await fake.set(windows: Samples.windows)
        await fake.set(runs: Samples.runs)
        return fake
    }

    func page(_ fake: FakeController) async throws -> (html: String, response: TestResponse) {
        try await makeServer(fake).makeApplication().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in (text(response), response) }
        }
    }

    @Test("shows the status, the conditions, a drift row, the plan with when each phase runs, the windows and the runs")
    func showsEverything() async throws {
        let (html, response) = try await page(await fullFake())
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        #expect(html.contains("blocked-by-window"))
        #expect(html.contains("<td>DriftFound</td>"))
        // The drift row: template, tenant, object, kind, expected, found, remedy, and when it is fixed.
        #expect(html.contains(
            "<tr><td>foodlogstats</td><td>—</td><td><code>public.foodlogstats</code></td><td>template.column.added</td>"
                + "<td>column waste_category text DEFAULT &#39;UNKNOWN&#39;</td><td>no such column</td>"
                + "<td>rebuild the daily views of the last 30 days and add the column to the yearly tables</td>"
                + "<td>swap: waiting for window nightly: opens 2025-03-02 02:00 UTC (in 14h)</td></tr>"),
            "\(html)")
        // The pending plan's own shadows are its progress, not drift.
        #expect(html.contains("2 items of drift as of 2025-03-01 at 0123456789ab. 292 shadows built by an earlier apply wait for the plan&#39;s swap (progress, not drift)."),
                "\(html)")
        #expect(html.contains("<h3>prepare <span class=\"muted\">— now: prepare work runs ahead of the window</span></h3>"))
        #expect(html.contains("<h3>swap <span class=\"muted\">— in window nightly, 2025-03-02T02:00:00Z – 2025-03-02T04:00:00Z</span></h3>"))
        #expect(html.contains("CREATE MATERIALIZED VIEW tenant_acme.foodlogstats_20250301__shadow AS SELECT 1;"))
        #expect(html.contains("<td>nightly</td><td>allow</td><td>2025-03-02T01:00:00Z</td><td>2025-03-02T03:00:00Z</td>"))
        #expect(html.contains("<td>42</td><td>2025-03-02T02:00:05Z</td>"))
        #expect(html.contains("step 2 failed: lock timeout"))
    }

    @Test("a plan of 230 steps is its groups, a dozen steps per phase and a pointer to the API, not half a megabyte of SQL")
    func largePlanStaysSmall() async throws {
        let steps = (1...230).map { id in
            PlanView.Step(id: id, stepClass: "online", kind: "buildShadowDailyView",
                          targets: id == 1 ? (1...100).map { "acme.storedaily_\($0)" } : ["acme.storedaily_\(id)__shadow"],
                          estimate: nil, sql: "CREATE MATERIALIZED VIEW acme.storedaily_\(id)__shadow AS " + String(repeating: "SELECT 1 ", count: 200) + ";")
        }
        let view = PlanView(
            revision: nil, asOf: "2026-03-17", strategy: "shadow-swap", risk: "low", riskReasons: [], summary: "230 steps", notes: [],
            phases: [.init(name: "prepare", runs: "now",
                           groups: ["[1–230]  230 × build shadow daily view · storedaily · tenant acme · 2026-01-01…2026-03-16 · online"],
                           steps: steps)])
        let fake = FakeController(status: FakeController.sampleStatus)
        await fake.set(drift: Samples.driftJSON, plan: "{}", view: view)
        let (html, _) = try await page(fake)
        #expect(html.contains("<li><code>[1–230]  230 × build shadow daily view · storedaily · tenant acme · 2026-01-01…2026-03-16 · online</code></li>"))
        #expect(html.contains("acme.storedaily_12__shadow"))
        // A step's long list of targets is cut on the page (its SQL has them all).
        #expect(html.contains("acme.storedaily_6, … (+94 more)"))
        #expect(!html.contains("acme.storedaily_13__shadow"))
        #expect(html.contains("… and 218 more steps: GET /api/v1/plan has every step with its SQL"))
        #expect(html.utf8.count < 60_000, "\(html.utf8.count) bytes")
    }

    @Test("windows are shown on the wall clock they are declared in, with UTC beside it")
    func windowsInTheirTimeZone() async throws {
        let fake = FakeController(status: FakeController.sampleStatus)
        let start = Date(timeIntervalSince1970: 1_774_162_800)  // 2026-03-22T07:00:00Z, 02:00 in Chicago (CDT)
        await fake.set(windows: [
            WindowView(name: "sunday-night", kind: .allow, start: start, end: start.addingTimeInterval(4 * 3600), active: false,
                       manualSync: true, timeZone: "America/Chicago"),
            WindowView(name: "utc-night", kind: .allow, start: start, end: start.addingTimeInterval(3600), active: false, manualSync: false),
        ])
        let (html, _) = try await page(fake)
        #expect(html.contains("<td>sunday-night</td><td>allow</td><td>2026-03-22 02:00 CDT (2026-03-22T07:00:00Z)</td><td>2026-03-22 06:00 CDT (2026-03-22T11:00:00Z)</td>"),
                "\(html)")
        #expect(html.contains("<td>utc-night</td><td>allow</td><td>2026-03-22T07:00:00Z</td><td>2026-03-22T08:00:00Z</td>"))
    }

    @Test("escapes hostile names everywhere: no <script> from the warehouse reaches the page")
    func escapesHostileNames() async throws {
        let (html, response) = try await page(await fullFake())
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("<close>"))
        #expect(html.contains("<code>tenant_acme.&quot;&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;&quot;</code>"), "\(html)")
        #expect(html.contains("month-end &lt;close&gt;"))
        #expect(html.contains("2 items &lt;b&gt;of drift&lt;/b&gt;"))
        #expect(html.contains("SELECT &#39;&lt;b&gt;&#39; AS y;"))
        #expect(html.contains("drift &lt;found&gt;"))
        // Defence in depth: the page may not run scripts at all.
        #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
        #expect(response.headers[.xContentTypeOptions] == "nosniff")
    }

    @Test("before the first pass the page says so instead of showing empty tables")
    func beforeTheFirstPass() async throws {
        let fake = FakeController(status: .starting(mode: .report, at: FakeController.now))
        let (html, _) = try await page(fake)
        #expect(html.contains("starting"))
        #expect(html.contains("mode: report"))
        #expect(html.contains("No drift report yet: the first reconcile pass has not finished."))
        #expect(html.contains("No plan yet: the first reconcile pass has not finished."))
        #expect(html.contains("No maintenance windows"))
        #expect(html.contains("No runs recorded yet."))
        #expect(html.contains("no windows configured"))
    }

    @Test("a stalled controller lists the diagnostics to fix; a suspended one its reason")
    func stalledAndSuspended() async throws {
        var status = FakeController.sampleStatus
        status.phase = .stalled
        status.diagnostics = ["desired-state/templates/<x>.yaml:3:5: unknown key 'colums'; did you mean 'columns'?"]
        status.suspended = .init(reason: "month-end <close>", since: FakeController.now)
        let fake = FakeController(status: status)
        await fake.set(runs: [], failing: true)
        let (html, _) = try await page(fake)
        #expect(html.contains("<li><code>desired-state/templates/&lt;x&gt;.yaml:3:5: unknown key &#39;colums&#39;; did you mean &#39;columns&#39;?</code></li>"))
        #expect(html.contains("since 2025-03-02T02:00:00Z: month-end &lt;close&gt;"))
        #expect(html.contains("cannot read _wh.warden_runs: connection to warden@db.internal:5432/warehouse refused"))
        #expect(!html.contains("No runs recorded yet."))
    }

    @Test("a run superseded by a later one says so and by which run, rather than waiting with its steps pending")
    func supersededRun() async throws {
        let fake = FakeController(status: FakeController.sampleStatus)
        await fake.set(runs: [
            RunRecord(
                runID: 44, startedAt: "2025-03-02T02:10:00Z", command: "warden run", status: "waiting", actor: "warden",
                error: "waiting: step 15 (swap-daily-view) waiting for window nightly", steps: 15, succeeded: 14, pending: 1),
            RunRecord(
                runID: 43, startedAt: "2025-03-02T02:00:05Z", finishedAt: "2025-03-02T02:01:00Z", command: "warden run",
                status: "superseded", actor: "warden", error: "waiting: step 15 (swap-daily-view) waiting for window nightly",
                steps: 15, succeeded: 1, durationSeconds: 55, supersededBy: 44),
        ])
        let (html, _) = try await page(fake)
        #expect(html.contains("<tr><td>43</td><td>2025-03-02T02:00:05Z</td><td><span class=\"badge quiet\">superseded by run 44</span></td><td>15</td><td>1</td><td>0</td><td>0</td>"),
                "\(html)")
    }
}
