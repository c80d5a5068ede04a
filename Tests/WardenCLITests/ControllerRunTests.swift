import DemoWorld
import Foundation
import PostgresClient
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `warden run` end to end: real binary, real git repository, embedded PostgreSQL, HTTP.
@Suite("warden run", .integration, .hangGuard)
struct ControllerRunTests {
    /// The controllers run as if it were Sunday 2026-01-04 09:00 UTC: inside the demo's `sunday-night`
    /// window (02:00–06:00 America/Chicago), the warehouse's today being that date.
    static let at = "2026-01-04T09:00:00Z"

    /// A demo legacy warehouse, a schema repository with its desired state, and a controller configuration.
    struct Rig {
        var built: DemoWorld.Built
        var repository: GitRepositoryFixture
        var folder: TemporaryFolder
        var token = "s3cret-\(UUID().uuidString)"
        var dsn: String { built.warehouseConnectionString }

        static func make(_ label: String) async throws -> Rig {
            let cluster = try await TestCluster.shared()
            let prefix = "\(label)_\(UUID().uuidString.prefix(6).lowercased())_"
            let built = try await DemoWorld.build(
                on: cluster,
                DemoWorld.Configuration(asOf: PostgresDate(year: 2026, month: 1, day: 4), firstYear: 2025, databasePrefix: prefix))
            let repository = try await GitRepositoryFixture()
            try repository.copy(folder: packageRoot + "/desired-state", to: "desired-state")
            let yaml = try String(contentsOfFile: repository.path + "/desired-state/warehouse.yaml", encoding: .utf8)
            try repository.write(yaml.replacing("firstYear: 2024", with: "firstYear: 2025"), to: "desired-state/warehouse.yaml")
            _ = try await repository.commitAll("adopt the demo warehouse")
            let rig = Rig(built: built, repository: repository, folder: try TemporaryFolder("warden-run"))
            try rig.token.write(toFile: rig.folder.path + "/token", atomically: true, encoding: .utf8)
            chmod(rig.folder.path + "/token", 0o600)
            return rig
        }

        /// A configuration polling every second, re-reading the catalog every `resync` (3 s).
        func config(port: Int, url: String? = nil, webhook: String? = nil, resync: String = "3s") throws -> String {
            let path = folder.path + "/warden-\(port).yaml"
            let notifications = webhook.map { "\nnotifications: { webhooks: [ { url: \"\($0)\" } ], timeout: 2s, retries: 2 }" } ?? ""
            try """
                source: { url: "\(url ?? repository.path)", ref: main, path: desired-state, interval: 1s }
                database: { url: "\(dsn)" }
                reconcile: { mode: apply, resync: \(resync) }
                http: { listen: "127.0.0.1:\(port)", tokenFile: \(folder.path)/token }
                log: { format: text, level: info }\(notifications)
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func start(
            port: Int, url: String? = nil, webhook: String? = nil, at: String = ControllerRunTests.at, resync: String = "3s"
        ) throws -> BackgroundProcess {
            try BackgroundProcess([
                WardenCLITests.binary, "run", "--config", try config(port: port, url: url, webhook: webhook, resync: resync),
                "--at", at,
            ])
        }

        /// Seed 000's change, committed to main.
        func commitWasteCategory() async throws -> String {
            let yamlPath = "desired-state/templates/foodlogstats.yaml"
            let yaml = try String(contentsOfFile: repository.path + "/" + yamlPath, encoding: .utf8)
            try repository.write(yaml.replacing("indexes:", with: "  - { name: waste_category, type: text, default: UNKNOWN }\nindexes:"), to: yamlPath)
            let sqlPath = "desired-state/templates/foodlogstats.sql"
            let sql = try String(contentsOfFile: repository.path + "/" + sqlPath, encoding: .utf8)
            try repository.write(sql.replacing("pf.weight\n", with: "pf.weight,\n    pf.waste_category\n"), to: sqlPath)
            return try await repository.commitAll("add waste_category")
        }

        func tearDown() async {
            folder.remove()
            repository.remove()
            guard let cluster = try? await TestCluster.shared() else { return }
            for database in [built.configuration.warehouseDatabase] + built.configuration.tenants.map(built.configuration.sourceDatabase) {
                try? await cluster.dropDatabase(database)
            }
        }
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func status(_ port: Int) async -> [String: Any]? {
        guard let response = try? await HTTP.request("GET", "http://127.0.0.1:\(port)/api/v1/status", timeout: 2),
              response.status == 200 else { return nil }
        return json(response.body)
    }

    /// Polls until `condition` holds, up to `timeout`; returns whether it did (TestSupport's `eventually`).
    static func eventually(_ timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        await TestSupport.eventually(timeout, condition)
    }

    /// The index of the one controller that leads once both have started, or `nil` if that never settles.
    static func leader(of ports: [Int]) async -> Int? {
        var leaders: [Bool] = []
        let settled = await eventually(.seconds(60)) {
            var seen: [Bool] = []
            for port in ports {
                guard let status = await status(port), status["phase"] as? String != "starting" else { return false }
                seen.append(status["leader"] as? Bool ?? false)
            }
            leaders = seen
            return seen.filter { $0 }.count == 1
        }
        return settled ? leaders.firstIndex(of: true) : nil
    }

    static func condition(_ status: [String: Any]?, _ type: String) -> String? {
        (status?["conditions"] as? [[String: Any]])?.first { $0["type"] as? String == type }?["status"] as? String
    }

    @Test("a commit to main is reconciled with no other action (drift pending before, empty after, counted in /metrics, webhooks sent); an invalid commit stalls on the last good revision; suspend holds work back; SIGTERM releases the lock")
    func reconcilesACommit() async throws {
        let rig = try await Rig.make("run")
        let port = try HTTP.freePort()
        let hooks = try WebhookReceiver()
        defer { hooks.stop() }
        let controller = try rig.start(port: port, webhook: hooks.url)
        defer { Task { await controller.terminate() } }

        // In sync at first.
        let idle = await Self.eventually(.seconds(60)) {
            let status = await Self.status(port)
            return status?["phase"] as? String == "idle" && Self.condition(status, "InSync") == "True"
        }
        #expect(idle, "\(controller.standardError)")
        #expect(await Self.status(port)?["leader"] as? Bool == true)
        let ready = try await HTTP.request("GET", "http://127.0.0.1:\(port)/readyz")
        #expect(ready.status == 200)

        // A team merges seed 000's change: the controller finds it as drift (the "drift" webhook, below), then
        // applies it. In apply mode the drift is pending for well under a second, too short to catch by polling
        // on a loaded machine; the drift endpoint's pending items are checked while suspended, further down.
        let commit = try await rig.commitWasteCategory()
        let reconciled = await Self.eventually(.seconds(90)) {
            guard let drift = try? await HTTP.request("GET", "http://127.0.0.1:\(port)/api/v1/drift", timeout: 2),
                  drift.status == 200 else { return false }
            let items = Self.json(drift.body)["items"] as? [[String: Any]] ?? []
            let status = await Self.status(port)
            return items.isEmpty && status?["lastAppliedRevision"] as? String == commit
        }
        #expect(reconciled, "\(controller.standardError)")
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.foodlogstats'::regclass AND attname = 'waste_category'") == 1)
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_runs WHERE command = 'warden run' AND status = 'succeeded'") >= 1)

        // Webhooks: drift found, apply started and succeeded for that commit.
        let notified = await Self.eventually(.seconds(10)) {
            let events = hooks.bodies.map { Self.json($0) }
            return ["drift", "apply-started", "apply-succeeded"].allSatisfy { event in
                events.contains { $0["event"] as? String == event && $0["revision"] as? String == commit }
            }
        }
        #expect(notified, "\(hooks.bodies)")
        let driftHook = hooks.bodies.map { Self.json($0) }.first { $0["event"] as? String == "drift" && $0["revision"] as? String == commit }
        #expect((driftHook?["driftItems"] as? Int ?? 0) >= 1, "\(hooks.bodies)")

        let metrics = try await HTTP.request("GET", "http://127.0.0.1:\(port)/metrics")
        let appliedLine = metrics.body.split(separator: "\n").first { $0.hasPrefix("warden_reconcile_total{result=\"succeeded\"}") }
        #expect(appliedLine.map { (Double($0.split(separator: " ").last ?? "") ?? 0) >= 1 } == true, "\(metrics.body)")
        #expect(metrics.body.contains("warden_leader 1"), "\(metrics.body)")

        // The page shows the controller's state, with no drift left.
        let page = try await HTTP.request("GET", "http://127.0.0.1:\(port)/")
        #expect(page.status == 200)
        #expect(page.body.contains("<html") || page.body.contains("<!DOCTYPE"), "\(page.body.prefix(200))")

        // Suspend needs the token; suspended, a new commit is seen but not applied; resume applies it.
        let anonymous = try await HTTP.request("POST", "http://127.0.0.1:\(port)/api/v1/suspend", body: #"{"reason": "x"}"#)
        #expect(anonymous.status == 401)
        let suspend = try await HTTP.request(
            "POST", "http://127.0.0.1:\(port)/api/v1/suspend", token: rig.token, body: #"{"reason": "INC-7 month-end load"}"#)
        #expect(suspend.status == 200)
        let indexYAML = "desired-state/templates/foodlogstats.yaml"
        let yaml = try String(contentsOfFile: rig.repository.path + "/" + indexYAML, encoding: .utf8)

        // An invalid YAML pushed to main: stalled with the diagnostic, still running, last good kept.
        try rig.repository.write(yaml.replacing("indexes:\n", with: "indexes:\n  - [waste_category]\n"), to: indexYAML)
        let broken = try await rig.repository.commitAll("index waste_category, badly")
        let stalled = await Self.eventually(.seconds(30)) {
            let status = await Self.status(port)
            return status?["revision"] as? String == broken && status?["phase"] as? String == "stalled"
        }
        let stalledStatus = await Self.status(port)
        #expect(stalled, "\(String(describing: stalledStatus))")
        #expect(Self.condition(stalledStatus, "DesiredStateValid") == "False")
        // Ready is the summary: a stalled controller needs a person.
        #expect(Self.condition(stalledStatus, "Ready") == "False")
        #expect((stalledStatus?["diagnostics"] as? [String])?.first?.contains("foodlogstats.yaml:15") == true, "\(String(describing: stalledStatus))")
        #expect(stalledStatus?["lastGoodRevision"] as? String == commit)
        #expect(controller.standardError.contains("is invalid; keeping"), "\(controller.standardError)")

        // Fixed while suspended: seen, not applied.
        try rig.repository.write(yaml.replacing("indexes:\n", with: "indexes:\n  - { columns: [waste_category] }\n"), to: indexYAML)
        let second = try await rig.repository.commitAll("index waste_category")
        let heldBack = await Self.eventually(.seconds(30)) {
            let status = await Self.status(port)
            return status?["revision"] as? String == second && status?["phase"] as? String == "suspended"
        }
        let heldStatus = await Self.status(port)
        #expect(heldBack, "\(String(describing: heldStatus))")
        #expect(Self.condition(heldStatus, "InSync") == "False")
        let pending = try await HTTP.request("GET", "http://127.0.0.1:\(port)/api/v1/drift", timeout: 10)
        let pendingKinds = (Self.json(pending.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(Set(pendingKinds) == ["template.index.added", "template.registry"], "the drift endpoint shows the held-back index: \(pending.body.prefix(3000))")
        #expect(try await warehouse.scalar(String?.self, "SELECT value FROM _wh.warden_meta WHERE key = 'controller.suspended'")?
            .contains("INC-7 month-end load") == true)
        let resume = try await HTTP.request("POST", "http://127.0.0.1:\(port)/api/v1/resume", token: rig.token)
        #expect(resume.status == 200)
        let appliedSecond = await Self.eventually(.seconds(60)) {
            await Self.status(port)?["lastAppliedRevision"] as? String == second
        }
        #expect(appliedSecond, "\(controller.standardError)")

        // SIGTERM: the controller stops and releases the apply lock.
        controller.signal(SIGTERM)
        let exit = await controller.wait(timeout: .seconds(20))
        #expect(exit == 0, "\(controller.standardError)")
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()") == 0)
        await warehouse.close()
        await controller.terminate()
        await rig.tearDown()
    }

    @Test("two controllers: exactly one leads; SIGKILL the leader and the other takes over within two poll intervals and completes the next change")
    func failover() async throws {
        let rig = try await Rig.make("run_ha")
        let ports = [try HTTP.freePort(), try HTTP.freePort()]
        let controllers = try ports.map { try rig.start(port: $0) }
        defer { Task { for controller in controllers { await controller.terminate() } } }

        let leaderIndex = await Self.leader(of: ports)
        #expect(leaderIndex != nil, "\(controllers[0].standardError)\n\(controllers[1].standardError)")
        guard let leaderIndex else { return }
        let standby = 1 - leaderIndex
        #expect(await Self.status(ports[standby])?["phase"] as? String == "standby")

        // Kill the leader outright; its session dies, PostgreSQL releases the lock.
        controllers[leaderIndex].signal(SIGKILL)
        _ = await controllers[leaderIndex].wait(timeout: .seconds(10))
        let clock = ContinuousClock()
        let killed = clock.now
        let tookOver = await Self.eventually(.seconds(20)) { await Self.status(ports[standby])?["leader"] as? Bool == true }
        let takeover = killed.duration(to: clock.now)
        print("standby took over \(takeover) after the leader was killed (poll interval 1 s)")
        #expect(tookOver)
        // The figure is printed; the bound only tells a takeover from waiting for a resync or a timeout,
        // far above two poll intervals so that a loaded machine does not decide the outcome.
        #expect(takeover < .seconds(20), "took \(takeover)")

        let commit = try await rig.commitWasteCategory()
        let applied = await Self.eventually(.seconds(60)) {
            await Self.status(ports[standby])?["lastAppliedRevision"] as? String == commit
        }
        #expect(applied, "\(controllers[standby].standardError)")
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.foodlogstats'::regclass AND attname = 'waste_category'") == 1)
        // One writer at a time: no two runs overlap.
        #expect(try await warehouse.scalar(
            Int.self,
            """
            SELECT count(*)::int FROM _wh.warden_runs a JOIN _wh.warden_runs b ON a.run_id < b.run_id
            AND tstzrange(a.started_at, coalesce(a.finished_at, 'infinity')) && tstzrange(b.started_at, coalesce(b.finished_at, 'infinity'))
            """) == 0)
        await warehouse.close()
        for controller in controllers { await controller.terminate() }
        await rig.tearDown()
    }

    @Test("the leader killed in the middle of a build on a slow source: the standby takes over at its next poll, stops the dead run's queries and completes the change")
    func failoverDuringASlowStep() async throws {
        let rig = try await Rig.make("run_ha_slow")
        let slow = try await SlowSource.install(rig.built, seconds: DeadRunTests.slowSeconds)
        let ports = [try HTTP.freePort(), try HTTP.freePort()]
        let controllers = try ports.map { try rig.start(port: $0) }
        defer { Task { for controller in controllers { await controller.terminate() }; await slow.wakeEveryone() } }

        let leaderIndex = await Self.leader(of: ports)
        #expect(leaderIndex != nil, "\(controllers[0].standardError)\n\(controllers[1].standardError)")
        guard let leaderIndex else { return }
        let standby = 1 - leaderIndex
        let leaderPID = controllers[leaderIndex].pid

        // The change's first builds sleep in the tenants' sources, on sessions named after the leader's run.
        let commit = try await rig.commitWasteCategory()
        let building = await Self.eventually(.seconds(120)) {
            ((try? await slow.sleepers()) ?? []).contains { $0.hasPrefix("warden/run pid=\(leaderPID) run=") }
        }
        try #require(building, "the leader never reached a build: \(controllers[leaderIndex].standardError)")

        controllers[leaderIndex].signal(SIGKILL)
        _ = await controllers[leaderIndex].wait(timeout: .seconds(10))
        let clock = ContinuousClock()
        let killed = clock.now
        try await slow.setSlow(false)
        let tookOver = await Self.eventually(.seconds(60)) { await Self.status(ports[standby])?["leader"] as? Bool == true }
        let takeover = killed.duration(to: clock.now)
        print("standby took over \(takeover) after the leader was killed in a \(DeadRunTests.slowSeconds) s build (poll interval 1 s)")
        #expect(tookOver, "\(controllers[standby].standardError)")
        // Far below the build's own length: the takeover did not wait for the dead leader's statement.
        #expect(takeover < .seconds(60), "took \(takeover)")

        let applied = await Self.eventually(.seconds(120)) {
            await Self.status(ports[standby])?["lastAppliedRevision"] as? String == commit
        }
        let appliedAfter = killed.duration(to: clock.now)
        print("the standby completed the change \(appliedAfter) after the kill")
        #expect(applied, "\(controllers[standby].standardError)")
        // The dead run's remote queries end: cancelled by the standby's first pass, or by their own
        // client check once the dead leader's sessions are gone (whichever comes first on this machine).
        #expect(await Self.eventually(.seconds(60)) { ((try? await slow.sleepers()) ?? ["?"]).isEmpty })
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        #expect(try await warehouse.scalar(
            Int.self, "SELECT count(*)::int FROM pg_attribute WHERE attrelid = 'public.foodlogstats'::regclass AND attname = 'waste_category'") == 1)
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM _wh.warden_runs WHERE status = 'aborted'") == 1)
        await warehouse.close()
        for controller in controllers { await controller.terminate() }
        await rig.tearDown()
    }

    @Test("a host clock that went back past what the warehouse has built: the controller refuses to act and says so in its status")
    func clockWentBack() async throws {
        let rig = try await Rig.make("run_clock")
        let warehouse = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        let rows = try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM public.foodlogstats")
        let port = try HTTP.freePort()
        let controller = try rig.start(port: port, at: "2025-06-01T12:00:00Z")
        let stalled = await Self.eventually(.seconds(60)) { await Self.status(port)?["phase"] as? String == "stalled" }
        #expect(stalled, "\(controller.standardError)")
        let status = await Self.status(port)
        let diagnostics = status?["diagnostics"] as? [String] ?? []
        #expect(diagnostics.first?.hasPrefix("the clock went back: as-of 2025-06-01 is not after 2026-01-03, the newest day the warehouse has built") == true,
                "\(diagnostics)")
        #expect(diagnostics.first?.hasSuffix("the controller does nothing until its clock is right") == true, "\(diagnostics)")
        let inSync = (status?["conditions"] as? [[String: Any]])?.first { $0["type"] as? String == "InSync" }
        #expect(inSync?["reason"] as? String == "ClockWentBack")
        #expect(try await warehouse.scalar(Int.self, "SELECT count(*)::int FROM public.foodlogstats") == rows)
        #expect(try await AsOfRegressionCommandTests.runs(warehouse) == 0)
        await controller.terminate()
        await warehouse.close()
        await rig.tearDown()
    }

    @Test("git remote unreachable, then the database restarted: the controller keeps running, says so in status, and recovers")
    func survivesOutages() async throws {
        let rig = try await Rig.make("run_outage")
        // Served as a remote (fetched into a cache), so moving it away makes the fetch fail.
        let remote = "file://" + rig.repository.path
        let port = try HTTP.freePort()
        let cache = try TemporaryFolder("warden-cache")
        var environment = ProcessInfo.processInfo.environment
        environment["WARDEN_CACHE_DIR"] = cache.path
        let controller = try BackgroundProcess(
            [WardenCLITests.binary, "run", "--config", try rig.config(port: port, url: remote), "--at", Self.at], environment: environment)
        defer { Task { await controller.terminate() } }
        #expect(await Self.eventually(.seconds(60)) { await Self.status(port)?["phase"] as? String == "idle" }, "\(controller.standardError)")

        let moved = rig.repository.path + ".away"
        try FileManager.default.moveItem(atPath: rig.repository.path, toPath: moved)
        let gitDown = await Self.eventually(.seconds(20)) { Self.condition(await Self.status(port), "GitReachable") == "False" }
        #expect(gitDown, "\(controller.standardError)")
        #expect(controller.standardError.contains("cannot read the desired state"))
        try FileManager.default.moveItem(atPath: moved, toPath: rig.repository.path)
        #expect(await Self.eventually(.seconds(30)) { Self.condition(await Self.status(port), "GitReachable") == "True" })

        // The database drops every session, as a restart does: the leader re-takes the lock and carries on.
        let admin = try await PostgresConnection.connect(ConnectionConfiguration(rig.dsn))
        _ = try await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        let commit = try await rig.commitWasteCategory()
        let recovered = await Self.eventually(.seconds(60)) {
            let status = await Self.status(port)
            return status?["lastAppliedRevision"] as? String == commit && status?["leader"] as? Bool == true
        }
        #expect(recovered, "\(controller.standardError)")
        #expect(await controller.wait(timeout: .milliseconds(10)) == nil, "the controller exited")
        await admin.close()
        await controller.terminate()
        cache.remove()
        await rig.tearDown()
    }
}
