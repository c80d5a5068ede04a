import Controller
import Executor
import Foundation
import Hummingbird
import Mustache

/// `GET /`: one server-rendered page with the controller's status and conditions, the drift report, the
/// plan with when each phase runs, the windows ahead and the recent runs.
///
/// Everything shown comes from the schema repository or the warehouse, so it may be hostile: every value
/// goes through Mustache's HTML escaping (`{{…}}`, never `{{{…}}}`), and the page is served with a
/// Content-Security-Policy that forbids scripts altogether.
enum StatusPage {
    /// How many runs the page lists.
    static let runsShown = 15

    /// The page with its security headers.
    static func response(api: any ControllerAPI) async -> Response {
        let html = await render(api: api)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page's HTML.
    static func render(api: any ControllerAPI) async -> String {
        let status = await api.status()
        let drift = await api.driftJSON()
        let plan = await api.planView()
        let windows = await api.windows()
        let runs: Result<[RunRecord], any Error>
        do {
            runs = .success(try await api.runs(limit: runsShown))
        } catch {
            runs = .failure(error)
        }
        let model = StatusPageModel(status: status, driftJSON: drift, plan: plan, windows: windows, runs: runs)
        return template.render(model)
    }

    /// The template, parsed once. It is a constant of this file, so a parse error is a programming error
    /// that the page's tests catch.
    static let template: MustacheTemplate = {
        do {
            return try MustacheTemplate(string: html)
        } catch {
            fatalError("the status page template does not parse: \(error)")
        }
    }()

    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="30">
        <meta name="referrer" content="no-referrer">
        <title>warden · {{phase}}</title>
        <style>
          body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 75rem;
                 padding: 1rem 1.5rem 3rem; color: #1d232a; background: #fbfbfa; }
          h1 { font-size: 1.5rem; margin: 0.5rem 0; }
          h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #d8dadc; padding-bottom: 0.2rem; }
          h3 { font-size: 1rem; margin: 1.2rem 0 0.3rem; }
          table { border-collapse: collapse; width: 100%; margin: 0.3rem 0; }
          th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.6rem; border-bottom: 1px solid #e6e7e8; }
          th { font-weight: 600; background: #f0f1f2; }
          td { overflow-wrap: anywhere; }
          code, pre { font: 13px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
          pre { background: #f0f1f2; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; margin: 0.3rem 0; }
          .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.8rem; font-weight: 600; font-size: 0.85rem; }
          .ok { background: #dcf3e2; color: #14532d; }
          .warn { background: #fdf0cc; color: #6b4a00; }
          .bad { background: #fbdcdc; color: #7f1d1d; }
          .quiet { background: #e8eaec; color: #3b4046; }
          .banner { padding: 0.6rem 0.9rem; border-radius: 0.3rem; margin: 0.8rem 0; }
          .muted { color: #5f666d; }
          dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; margin: 0.5rem 0; }
          dt { color: #5f666d; }
          dd { margin: 0; }
          footer { margin-top: 2.5rem; font-size: 0.85rem; }
        </style>
        </head>
        <body>
        <header>
        <h1>warden <span class="badge {{phaseTone}}">{{phase}}</span>
          {{#leader}}<span class="badge ok">leader</span>{{/leader}}{{^leader}}<span class="badge quiet">standby</span>{{/leader}}
          <span class="badge quiet">mode: {{mode}}</span></h1>
        <dl>
          <dt>target revision</dt><dd><code>{{revision}}</code></dd>
          <dt>last applied</dt><dd><code>{{lastAppliedRevision}}</code></dd>
          <dt>last good</dt><dd><code>{{lastGoodRevision}}</code></dd>
          <dt>next window</dt><dd>{{nextWindow}}</dd>
          <dt>last pass</dt><dd>{{lastReconcile}}</dd>
        </dl>
        </header>

        {{#isSuspended}}<div class="banner warn"><strong>Suspended</strong> since {{suspendedSince}}: {{suspendedReason}}</div>{{/isSuspended}}
        {{#hasDiagnostics}}<div class="banner bad"><strong>Stalled:</strong> the desired state does not load. Fix these and commit again:
        <ul>{{#diagnostics}}<li><code>{{.}}</code></li>{{/diagnostics}}</ul></div>{{/hasDiagnostics}}

        <h2>Conditions</h2>
        <table>
        <thead><tr><th>type</th><th>status</th><th>reason</th><th>message</th><th>since</th></tr></thead>
        <tbody>
        {{#conditions}}<tr><td>{{type}}</td><td><span class="badge {{tone}}">{{status}}</span></td><td>{{reason}}</td><td>{{message}}</td><td>{{since}}</td></tr>
        {{/conditions}}
        </tbody>
        </table>

        <h2 id="drift">Drift</h2>
        {{#drift}}
        <p class="muted">{{summary}}</p>
        {{#hasItems}}
        <table>
        <thead><tr><th>template</th><th>tenant</th><th>object</th><th>kind</th><th>expected</th><th>found</th><th>remedy</th><th>fixed</th></tr></thead>
        <tbody>
        {{#items}}<tr><td>{{template}}</td><td>{{tenant}}</td><td><code>{{object}}</code></td><td>{{kind}}</td><td>{{expected}}</td><td>{{found}}</td><td>{{remedy}}</td><td>{{fixed}}</td></tr>
        {{/items}}
        </tbody>
        </table>
        {{/hasItems}}
        {{/drift}}

        <h2 id="plan">Plan</h2>
        {{#plan}}
        <p>{{summary}} · risk <span class="badge {{riskTone}}">{{risk}}</span> <span class="muted">({{riskReasons}})</span></p>
        <p class="muted">as of {{asOf}} at <code>{{revision}}</code> · strategy {{strategy}}</p>
        {{#hasNotes}}<ul>{{#notes}}<li>{{.}}</li>{{/notes}}</ul>{{/hasNotes}}
        {{#phases}}
        <h3>{{name}} <span class="muted">— {{runs}}</span></h3>
        <ul>{{#groups}}<li><code>{{.}}</code></li>{{/groups}}</ul>
        <table>
        <thead><tr><th>#</th><th>class</th><th>kind</th><th>targets</th><th>estimate</th><th>SQL</th></tr></thead>
        <tbody>
        {{#steps}}<tr><td>{{id}}</td><td><span class="badge {{tone}}">{{stepClass}}</span></td><td>{{kind}}</td><td>{{targets}}</td><td>{{estimate}}</td><td><details><summary>show</summary><pre>{{sql}}</pre></details></td></tr>
        {{/steps}}
        {{#more}}<tr><td colspan="6" class="muted">{{more}}</td></tr>{{/more}}
        </tbody>
        </table>
        {{/phases}}
        {{/plan}}
        {{^plan}}<p class="muted">{{noPlan}}</p>{{/plan}}

        <h2 id="windows">Windows ahead</h2>
        {{#hasWindows}}
        <table>
        <thead><tr><th>name</th><th>kind</th><th>opens</th><th>closes</th><th>now</th><th>manual sync</th></tr></thead>
        <tbody>
        {{#windows}}<tr><td>{{name}}</td><td>{{kind}}</td><td>{{start}}</td><td>{{end}}</td><td>{{#active}}<span class="badge ok">open</span>{{/active}}</td><td>{{#manualSync}}yes{{/manualSync}}</td></tr>
        {{/windows}}
        </tbody>
        </table>
        {{/hasWindows}}
        {{^hasWindows}}<p class="muted">No maintenance windows: every class of step may run at any time.</p>{{/hasWindows}}

        <h2 id="runs">Recent runs</h2>
        {{#runsError}}<p class="banner bad">{{runsError}}</p>{{/runsError}}
        {{#hasRuns}}
        <table>
        <thead><tr><th>run</th><th>started</th><th>status</th><th>steps</th><th>ok</th><th>failed</th><th>pending</th><th>duration</th><th>revision</th><th>command</th><th>reason / error</th></tr></thead>
        <tbody>
        {{#runs}}<tr><td>{{runID}}</td><td>{{startedAt}}</td><td><span class="badge {{tone}}">{{status}}</span></td><td>{{steps}}</td><td>{{succeeded}}</td><td>{{failed}}</td><td>{{pending}}</td><td>{{duration}}</td><td><code>{{revision}}</code></td><td>{{command}}</td><td>{{note}}</td></tr>
        {{/runs}}
        </tbody>
        </table>
        {{/hasRuns}}
        {{^hasRuns}}{{^runsError}}<p class="muted">No runs recorded yet.</p>{{/runsError}}{{/hasRuns}}

        <footer class="muted">Machine-readable: <a href="/api/v1/status">status</a> · <a href="/api/v1/drift">drift</a> ·
        <a href="/api/v1/plan">plan</a> · <a href="/api/v1/windows">windows</a> · <a href="/api/v1/runs">runs</a> ·
        <a href="/metrics">metrics</a>. This page refreshes every 30 seconds.</footer>
        </body>
        </html>
        """#
}
