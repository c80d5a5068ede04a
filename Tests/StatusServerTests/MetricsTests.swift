import Controller
import Drift
import Foundation
import HummingbirdTesting
import Prometheus
import StatusServer
import Testing

@Suite("status server: /metrics")
struct MetricsTests {
    @Test("GET /metrics exports every metric of DESIGN.md §7 with the values the controller recorded")
    func metricsHaveTheDesignNames() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = WardenMetrics(factory: StatusServer.metricsFactory(registry: registry))
        metrics.reconciled(result: .succeeded, seconds: 2.5)
        metrics.reconciled(result: .blocked, seconds: 0.4)
        metrics.setDrift(items: [
            DriftItem(kind: .columnAdded, template: "foodlogstats", object: "public.foodlogstats", expected: "a", found: "b", remedy: "c"),
            DriftItem(kind: .dayMissing, template: "foodlogstats", tenant: "acme", object: "x", expected: "a", found: "b", remedy: "c"),
            DriftItem(kind: .dayMissing, template: "foodlogstats", tenant: "beta", object: "y", expected: "a", found: "b", remedy: "c"),
        ])
        metrics.windowActive(kind: .allow, true)
        metrics.setLeader(true)
        metrics.gitFetched(result: .updated)
        metrics.gitFetched(result: .failed)
        metrics.stepFinished(class: .briefLock, seconds: 0.02)
        metrics.swapLockHeld(seconds: 0.015)

        try await makeServer(FakeController(), registry: registry).makeApplication().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let body = text(response)
                for name in WardenMetrics.Name.all {
                    #expect(body.contains("# TYPE \(name) "), "\(name) missing from\n\(body)")
                }
                let lines = Set(body.split(separator: "\n").map(String.init))
                #expect(lines.contains(#"warden_reconcile_total{result="succeeded"} 1"#))
                #expect(lines.contains(#"warden_reconcile_total{result="blocked"} 1"#))
                #expect(lines.contains(#"warden_reconcile_total{result="failed"} 0"#))
                #expect(lines.contains("warden_reconcile_duration_seconds_count 2"))
                #expect(lines.contains(#"warden_drift_items{template="foodlogstats",kind="day.missing"} 2.0"#)
                    || lines.contains(#"warden_drift_items{template="foodlogstats",kind="day.missing"} 2"#), "\(body)")
                #expect(lines.contains(#"warden_window_active{kind="allow"} 1.0"#) || lines.contains(#"warden_window_active{kind="allow"} 1"#))
                #expect(lines.contains("warden_leader 1.0") || lines.contains("warden_leader 1"))
                #expect(lines.contains(#"warden_git_fetch_total{result="updated"} 1"#))
                #expect(lines.contains(#"warden_git_fetch_total{result="failed"} 1"#))
                #expect(lines.contains(#"warden_step_duration_seconds_count{class="brief-lock"} 1"#))
                #expect(lines.contains("warden_swap_lock_seconds_count 1"))
                // The swap-lock histogram has buckets in milliseconds, not the default's.
                #expect(lines.contains(#"warden_swap_lock_seconds_bucket{le="0.025"} 1"#), "\(body)")
            }
        }
    }

    @Test("drift pairs that are gone read 0 on the next pass")
    func driftGoesBackToZero() {
        let registry = PrometheusCollectorRegistry()
        let metrics = WardenMetrics(factory: StatusServer.metricsFactory(registry: registry))
        metrics.setDrift(items: [
            DriftItem(kind: .indexAdded, template: "t", object: "i", expected: "a", found: "b", remedy: "c"),
        ])
        metrics.setDrift(items: [])
        let body = registry.emitToString()
        #expect(body.contains(#"warden_drift_items{template="t",kind="template.index.added"} 0"#), "\(body)")
    }

    @Test("two controllers in one process count on their own registries")
    func injectedFactoriesDoNotClash() {
        let first = PrometheusCollectorRegistry()
        let second = PrometheusCollectorRegistry()
        let one = WardenMetrics(factory: StatusServer.metricsFactory(registry: first))
        let two = WardenMetrics(factory: StatusServer.metricsFactory(registry: second))
        one.reconciled(result: .failed, seconds: 1)
        one.reconciled(result: .failed, seconds: 1)
        two.reconciled(result: .failed, seconds: 1)
        #expect(first.emitToString().contains(#"warden_reconcile_total{result="failed"} 2"#))
        #expect(second.emitToString().contains(#"warden_reconcile_total{result="failed"} 1"#))
    }
}
