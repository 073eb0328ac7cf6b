"""Section 1 checks (BLV101-BLV104): recorded drill outcomes, real scans of small source trees, and both met."""

from __future__ import annotations

import json
import textwrap

import pytest

from belvo_check.harness.drills import PLAIN, WIDGET
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, call, decided_by_source, flow, outcome, run_check, scanned
from tests.conftest import run_cli


def _widget(status: int = 200, body: dict | None = None) -> object:
    body = {"id": "sid", "scopes": "read_institutions,write_links", "external_id": "cust-4812"} if body is None else body
    return outcome(WIDGET, [flow("widget_token", 0, started=0.5, ended=1.0)],
                   [call("POST", "/api/token/", status, at=0.7, body=body)])


def _plain(external_id: str | None) -> object:
    return outcome(PLAIN, [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1")],
                   [call("POST", "/api/links/", 201, at=1.0, body={"institution": "x", "external_id": external_id})])


def test_blv101_passes_a_token_with_keys_and_scopes(tmp_path):
    result = run_check("BLV101", tmp_path, harness=RecordedHarness({"widget": _widget()}))
    assert result.status is Status.PASS and "scopes='read_institutions,write_links'" in result.findings[0].message


def test_blv101_fails_a_401_and_a_token_without_scopes(tmp_path):
    assert "without the right secret keys" in run_check(
        "BLV101", tmp_path, harness=RecordedHarness({"widget": _widget(401)})).findings[0].message
    result = run_check("BLV101", tmp_path, harness=RecordedHarness({"widget": _widget(body={"id": "sid"})}))
    assert result.status is Status.FAIL and "no scopes" in result.findings[0].message


def test_blv101_skips_without_a_widget_token_flow(tmp_path):
    result = run_check("BLV101", tmp_path, harness=RecordedHarness({}, flows=("create_link", "sync")))
    assert result.status is Status.SKIP and "integration.flows.widget_token" in result.findings[0].message


def test_blv102_passes_an_opaque_id_and_fails_personal_data_or_none(tmp_path):
    ok = RecordedHarness({"plain": _plain("cust-4812"), "widget": _widget()})
    assert run_check("BLV102", tmp_path, harness=ok).status is Status.PASS
    email = RecordedHarness({"plain": _plain("ana@acme.mx"), "widget": _widget()})
    result = run_check("BLV102", tmp_path, harness=email)
    assert result.status is Status.FAIL and "looks like an e-mail address" in result.findings[0].message
    bare = RecordedHarness({"plain": _plain(None), "widget": _widget()})
    assert "without an external_id" in run_check("BLV102", tmp_path, harness=bare).findings[0].message


def test_blv102_judges_only_the_drills_whose_flows_exist(tmp_path):
    harness = RecordedHarness({"widget": _widget()}, flows=("widget_token",))
    assert run_check("BLV102", tmp_path, harness=harness).status is Status.PASS and harness.asked == ["widget"]


FLOW_CONFIG = """\
    integration:
      env: {{{env}}}
      flows: {{widget_token: {command}}}
    {source}"""


def _blv101_with(tmp_path, env: str = "", command: str = "python3 api/token.py", source: str = ""):
    body = FLOW_CONFIG.format(env=env, command=command, source=source)
    return run_check("BLV101", tmp_path, config_body=body, harness=RecordedHarness({"widget": _widget()}))


def test_blv101_fails_keys_handed_over_under_a_name_bundlers_ship(tmp_path):
    result = _blv101_with(tmp_path, env='NEXT_PUBLIC_BELVO_SECRET_ID: "{secret_id}", BELVO_URL: "{sim_url}"')
    assert result.status is Status.FAIL
    assert "NEXT_PUBLIC_BELVO_SECRET_ID, names front-end bundlers ship" in result.findings[0].message
    assert (result.findings[0].location.line, result.findings[0].location.col) == (4, 9)  # the env key


def test_blv101_fails_a_token_minted_by_code_the_config_marks_as_front_end(tmp_path):
    result = _blv101_with(tmp_path, command="node web/mint-token.js", source="source: {frontend: ['web/**']}\n")
    assert result.status is Status.FAIL and "runs web/mint-token.js, which source.frontend marks" in \
        result.findings[0].message


def test_blv101_passes_server_code_beside_a_front_end(tmp_path):
    result = _blv101_with(tmp_path, env='BELVO_SECRET_ID: "{secret_id}", VITE_API_URL: "{sim_url}"',
                          command="python3 api/token.py", source="source: {frontend: ['web/**']}\n")
    assert result.status is Status.PASS


# ----------------------------------------------------------------------------- the source: real scans of small trees

def _static(check_id: str, tmp_path, files: dict[str, str], frontend: tuple[str, ...] = (), **evidence):
    """Run one check with `source:` pointing at a tree of these files (and any recorded evidence)."""
    for name, text in files.items():
        path = tmp_path / "repo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    front = f", frontend: [{', '.join(repr(g) for g in frontend)}]" if frontend else ""
    return run_check(check_id, tmp_path, config_body=f"source: {{root: repo{front}}}\n", **evidence)


def _at(finding) -> tuple[str, int, int]:
    location = finding.location
    return location.path.rsplit("repo/", 1)[-1], location.line, location.col


PY_MINT = """\
    import os
    import httpx

    BELVO_URL = os.environ["BELVO_API_URL"]

    def widget_token():
        answer = httpx.post(f"{BELVO_URL}/api/token/", json={
            "id": os.environ["BELVO_SECRET_ID"], "password": os.environ["BELVO_SECRET_PASSWORD"],
            "scopes": "read_institutions,write_links"}, timeout=10)
        answer.raise_for_status()
        return answer.json()["access"]
    """


def test_blv101_code_that_mints_on_the_server_alone_is_decided_by_source_and_with_the_harness_a_pass(tmp_path):
    alone = _static("BLV101", tmp_path / "alone", {"api/token.py": PY_MINT})
    assert "python server code" in decided_by_source(alone, "integration").findings[0].message
    assert _at(alone.findings[0]) == ("api/token.py", 7, 14)
    both = _static("BLV101", tmp_path / "both", {"api/token.py": PY_MINT},
                   harness=RecordedHarness({"widget": _widget()}))
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")


def test_blv101_fails_front_end_minting_even_when_the_flow_succeeds(tmp_path):
    files = {"api/token.py": PY_MINT, "web/src/Connect.tsx": """\
        export async function connect() {
          const keys = { id: process.env.BELVO_SECRET_ID, password: process.env.BELVO_SECRET_PASSWORD };
          const answer = await fetch('https://sandbox.belvo.com/api/token/', { method: 'POST', body: JSON.stringify(keys) });
          return answer.json();
        }
        """}
    result = _static("BLV101", tmp_path, files, frontend=("web/**",), harness=RecordedHarness({"widget": _widget()}))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    failing = [f for f in result.findings if f.status is Status.FAIL]
    assert ("web/src/Connect.tsx", 3, 56) in [_at(f) for f in failing]
    assert any("mints the widget token" in f.message for f in failing)


JS_MINT = """\
    {imports}
    export async function {name}(req, res) {{
      const answer = await fetch(`${{process.env.BELVO_API_URL}}/api/token/`, {{
        method: 'POST', signal: AbortSignal.timeout(10000),
        body: JSON.stringify({{ id: {keys}, scopes: 'read_institutions,write_links' }}),
      }});
      res.json(await answer.json());
    }}
    """


@pytest.mark.parametrize("imports, name, keys, server", [
    ("import express from 'express';", "mint", "keys.id", True),  # an Express app
    ("", "POST", "keys.id", True),  # a Next.js route handler
    ("", "mint", "process.env.BELVO_SECRET_ID", True),  # the key read from the server's environment
    ("import { helper } from './helper';", "mint", "keys.id", False),  # nothing says where it runs
])
def test_blv101_js_mints_on_a_server_only_where_the_code_says_so(tmp_path, imports, name, keys, server):
    files = {"lib/belvo-token.ts": JS_MINT.format(imports=imports, name=name, keys=keys)}
    alone = _static("BLV101", tmp_path / "alone", files)
    assert alone.status is (Status.PASS if server else Status.WARN)
    assert _at(alone.findings[0]) == ("lib/belvo-token.ts", 3, 24)
    if server:  # a server-side mint the code shows is a pass decided by source; a doubt stays a warning
        decided_by_source(alone, "integration")
    assert ("no sign of running on a server" in alone.findings[0].message) is not server
    # The drill saw the token minted by the configured command: a doubt about where the code runs yields to it.
    both = _static("BLV101", tmp_path / "both", files, harness=RecordedHarness({"widget": _widget()}))
    assert both.status is Status.PASS and both.decided_by == (("harness", "source") if server else ("harness",))


def test_blv101_an_android_app_minting_fails_and_the_apps_own_token_route_is_not_minting(tmp_path):
    android = _static("BLV101", tmp_path / "android", {"app/Connect.java": """\
        import android.app.Activity;
        class Connect extends Activity {
            String token(okhttp3.OkHttpClient http, okhttp3.RequestBody keys) throws Exception {
                okhttp3.Request request = new okhttp3.Request.Builder().url(BuildConfig.BELVO_API_URL + "/api/token/").post(keys).build();
                return http.newCall(request).execute().body().string();
            }
        }
        """})
    assert android.status is Status.FAIL and "Android app" in android.findings[0].message
    assert [_at(f) for f in android.findings] == [("app/Connect.java", 4, 35)]
    # An Express route named /api/token that calls the app's own code is not Belvo's token endpoint.
    route = _static("BLV101", tmp_path / "route", {"server/app.js": """\
        const express = require('express');
        const app = express();
        app.post('/api/token', (req, res) => res.json(issueBelvoSession(req.user)));
        """})
    assert route.status is Status.SKIP
    # Nor is a login to the app's own JWT endpoint (Django simplejwt serves /api/token/ too).
    login = _static("BLV101", tmp_path / "login", {"app/session.py": """\
        import requests
        from django.conf import settings

        def login(username, password):  # the belvo widget opens after this
            return requests.post(f"{settings.API_URL}/api/token/", json={"username": username, "password": password},
                                 timeout=5)
        """})
    assert login.status is Status.SKIP


@pytest.mark.parametrize("name, text, line", [
    ("token.go", """\
        package widget
        import ("net/http"; "os"; "strings")
        func Token(w http.ResponseWriter, r *http.Request) {
            req, _ := http.NewRequestWithContext(r.Context(), "POST", os.Getenv("BELVO_API_URL")+"/api/token/", strings.NewReader(""))
            _ = req
        }
        """, 4),
    ("widget_tokens_controller.rb", """\
        class WidgetTokensController < ApplicationController
          def create
            belvo = Belvo::Client.new(ENV['BELVO_SECRET_ID'], ENV['BELVO_SECRET_PASSWORD'], ENV['BELVO_API_URL'])
            render json: belvo.widget_token.create
          end
        end
        """, 4),
    ("Token.php", """\
        <?php
        function belvo_token() {
            return Http::timeout(10)->post(env('BELVO_API_URL') . '/api/token/', ['scopes' => 'read_institutions']);
        }
        """, 3),
    ("TokenController.cs", """\
        public class TokenController {
            public async Task<object> Create(HttpClient http, string belvoUrl, object body) {
                return await http.PostAsJsonAsync($"{belvoUrl}/api/token/", body);
            }
        }
        """, 3),
])
def test_blv101_server_languages_mint_server_side(tmp_path, name, text, line):
    result = _static("BLV101", tmp_path, {name: text}, harness=RecordedHarness({"widget": _widget()}))
    assert result.status is Status.PASS and result.decided_by == ("harness", "source")
    source = [f for f in result.findings if f.location and f.location.path.endswith(name)]
    assert source and source[0].location.line == line and "server code" in source[0].message


WIDGET_JS = """\
    export function openWidget(token, user) {{
      window.belvoSDK.createWidget(token, {{
        {options}
      }}).build();
    }}
    """
CALLBACKS = "callback: (link) => save(link), onExit: (data) => log(data), onEvent: (event) => log(event),"


def test_blv102_a_widget_opened_with_an_e_mail_or_without_external_id_fails_despite_the_harness(tmp_path):
    email = _static("BLV102", tmp_path / "email", {"web/connect.js": WIDGET_JS.format(
        options="external_id: user.email, " + CALLBACKS)}, harness=RecordedHarness({"widget": _widget()},
                                                                                   flows=("widget_token",)))
    assert email.status is Status.FAIL and email.decided_by == ("source",)
    [bad] = [f for f in email.findings if f.status is Status.FAIL]
    assert "looks like an e-mail address" in bad.message and _at(bad) == ("web/connect.js", 2, 3)
    bare = _static("BLV102", tmp_path / "bare", {"web/connect.js": WIDGET_JS.format(options=CALLBACKS)})
    assert bare.status is Status.FAIL and "without an external_id" in bare.findings[0].message


def test_blv102_an_opaque_external_id_passes_only_with_the_harness(tmp_path):
    files = {"web/connect.js": WIDGET_JS.format(options="external_id: user.id, " + CALLBACKS)}
    alone = _static("BLV102", tmp_path / "alone", files)
    decided_by_source(alone, "integration")
    both = _static("BLV102", tmp_path / "both", files, harness=RecordedHarness({"widget": _widget()},
                                                                              flows=("widget_token",)))
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")


def test_blv102_reads_options_from_a_variable_and_warns_when_they_come_from_elsewhere(tmp_path):
    built = _static("BLV102", tmp_path / "built", {"web/Connect.vue": """\
        <template><div id="belvo" /></template>
        <script>
        export default {
          mounted() {
            const config = { external_id: this.customerPhone, callback: () => {}, onExit: () => {}, onEvent: () => {} };
            window.belvoSDK.createWidget(this.token, config).build();
          },
        };
        </script>
        """})
    assert built.status is Status.FAIL and "a phone number" in built.findings[0].message
    assert _at(built.findings[0]) == ("web/Connect.vue", 6, 5)
    elsewhere = _static("BLV102", tmp_path / "elsewhere", {"web/open.ts": """\
        export const open = (token: string, options: object) => (window as any).belvoSDK.createWidget(token, options);
        """})
    assert elsewhere.status is Status.WARN and "built elsewhere" in elsewhere.findings[0].message


def test_blv102_a_hosted_widget_url_without_external_id_fails(tmp_path):
    result = _static("BLV102", tmp_path, {"app/widget.py": """\
        def hosted(token):
            return f"https://widget.belvo.io/?access_token={token}&locale=es"
        """})
    assert result.status is Status.FAIL and _at(result.findings[0]) == ("app/widget.py", 2, 12)
    bare_host = _static("BLV102", tmp_path / "host", {"app/hosted.py": 'BELVO_WIDGET = "https://widget.belvo.io/"\n'})
    assert bare_host.status is Status.WARN and "no external_id is set in this file" in bare_host.findings[0].message


FRONT_SINGLE = {"web/connect.js": WIDGET_JS.format(options="external_id: user.id, access_mode: 'single', " + CALLBACKS)}
SERVER_TOKEN = """\
    import os
    import httpx

    def widget_token():
        body = {"id": os.environ["BELVO_SECRET_ID"], "password": os.environ["BELVO_SECRET_PASSWORD"],
                "scopes": "read_institutions,write_links"{extra}}
        answer = httpx.post(os.environ["BELVO_API_URL"] + "/api/token/", json=body, timeout=10)
        answer.raise_for_status()
        return answer.json()["access"]
    """


def test_blv103_single_links_pass_when_the_server_sends_fetch_resources_and_fail_when_none_does(tmp_path):
    good = _static("BLV103", tmp_path / "good", {**FRONT_SINGLE, "api/token.py": SERVER_TOKEN.replace(
        "{extra}", ', "fetch_resources": ["ACCOUNTS", "TRANSACTIONS"]')})
    assert good.status is Status.PASS and good.decided_by == ("source",)
    assert _at(good.findings[0]) == ("web/connect.js", 3, 27)
    bad = _static("BLV103", tmp_path / "bad", {**FRONT_SINGLE, "api/token.py": SERVER_TOKEN.replace("{extra}", "")})
    assert bad.status is Status.FAIL and "no token request or link creation sends fetch_resources" in \
        bad.findings[0].message and _at(bad.findings[0]) == ("web/connect.js", 3, 27)


def test_blv103_warns_without_the_token_request_or_on_a_variable_mode_and_passes_recurrent_links(tmp_path):
    alone = _static("BLV103", tmp_path / "alone", FRONT_SINGLE)
    assert alone.status is Status.WARN and "not in the scanned code" in alone.findings[0].message
    variable = _static("BLV103", tmp_path / "variable", {"web/connect.js": WIDGET_JS.format(
        options="external_id: user.id, access_mode: mode, " + CALLBACKS)})
    assert variable.status is Status.WARN and "comes from mode" in variable.findings[0].message
    recurrent = _static("BLV103", tmp_path / "recurrent", {"web/connect.js": WIDGET_JS.format(
        options="external_id: user.id, access_mode: 'recurrent', " + CALLBACKS)})
    # Only recurrent links are asked for: the item (single links need fetch_resources) is met.
    assert recurrent.status is Status.PASS and "only single links" in recurrent.findings[0].message
    copied = _static("BLV103", tmp_path / "copied", {"app/store.py": """\
        def keep(row, link):  # a Link read back from /api/links/: its access_mode is data, not a request
            row.access_mode = link.access_mode
        """})
    # The access mode read back is data, not a link asked for: no single link is asked anywhere.
    assert copied.status is Status.PASS and "Belvo's default" in copied.findings[0].message
    link = _static("BLV103", tmp_path / "link", {"app/links.py": """\
        from belvo.client import Client
        from belvo.enums import AccessMode

        def connect(client: Client, institution, username, password):
            return client.Links.create(institution, username, password, access_mode=AccessMode.SINGLE)
        """})
    assert link.status is Status.FAIL and _at(link.findings[0]) == ("app/links.py", 5, 77)


@pytest.mark.parametrize("options, status, words", [
    (CALLBACKS, Status.PASS, "success, exit and event"),
    ("callback: (link) => save(link), onExit: (data) => log(data),", Status.FAIL, "without onEvent"),
    ("callback: (link) => save(link), onExit() {}, onEvent: (e) => log(e),", Status.FAIL,
     "onExit (exit) doing nothing"),
    ("...defaults, callback: (link) => save(link),", Status.WARN, "spread another object"),
])
def test_blv104_judges_each_widget_s_callbacks(tmp_path, options, status, words):
    files = {"web/connect.js": WIDGET_JS.format(options="external_id: user.id, " + options)}
    result = _static("BLV104", tmp_path, files)
    assert result.status is status and words in result.findings[0].message
    assert _at(result.findings[0]) == ("web/connect.js", 2, 3)


def test_blv104_hosted_callback_urls_missing_one_fail_and_complete_ones_warn(tmp_path):
    files = {"app/Token.php": """\
        <?php
        function belvo_token() {
            return Http::timeout(10)->post(env('BELVO_API_URL') . '/api/token/', [
                'scopes' => 'read_institutions,write_links',
                'widget' => ['callback_urls' => ['success' => route('ok'), 'exit' => route('exit'){event}]],
            ]);
        }
        """}
    missing = _static("BLV104", tmp_path / "missing", {k: v.replace("{event}", "") for k, v in files.items()})
    assert missing.status is Status.FAIL and "lack event" in missing.findings[0].message
    assert _at(missing.findings[0]) == ("app/Token.php", 5, 22)
    complete = _static("BLV104", tmp_path / "complete",
                       {k: v.replace("{event}", ", 'event' => route('event')") for k, v in files.items()})
    assert complete.status is Status.WARN and "not visible here" in complete.findings[0].message
    variable = _static("BLV104", tmp_path / "variable", {"app/token.py": """\
        import httpx
        def belvo_token(urls):
            return httpx.post("https://api.belvo.com/api/token/", json={"widget": {"callback_urls": urls}}, timeout=5)
        """})
    assert variable.status is Status.WARN and "come from urls" in variable.findings[0].message


def test_a_static_only_run_reports_widget_findings_and_honours_a_reasoned_suppression(tmp_path):
    (tmp_path / "belvo-check.yaml").write_text("version: 1\nenvironment: production\nsource: {root: .}\n")
    (tmp_path / "connect.js").write_text(textwrap.dedent("""\
        export function open(token, user) {
          // belvo-check: ignore[BLV104] the exit and event callbacks are wired by our widget wrapper at runtime
          window.belvoSDK.createWidget(token, { external_id: user.id, callback: (link) => save(link) }).build();
        }
        """))
    done = run_cli("run", "--select", "static", "--format", "json", cwd=tmp_path)
    results = {r["id"]: r for r in json.loads(done.stdout)["results"]}
    callbacks = results["BLV104"]
    assert callbacks["findings"][0]["status"] == "ignored" and "widget wrapper" in \
        callbacks["findings"][0]["suppression"]["why"]
    assert results["BLV102"]["status"] == "pass" and results["BLV102"]["decided_by"] == ["source"]
    assert results["BLV101"]["status"] == "skip"


def test_another_sdk_s_create_widget_is_not_belvo_s(tmp_path):
    result = _static("BLV104", tmp_path, {"web/chat.js": "chatSdk.createWidget(token, { theme: 'dark' }).mount();\n"})
    assert result.status is Status.SKIP


def test_blv103_a_recurrent_mode_in_a_dict_beside_a_variable_value_is_not_a_doubt(tmp_path):
    # The call's strings read "access_mode", "recurrent", "external_id": the key after the mode is
    # not a mode, and the recurrent link asked for needs no fetch_resources.
    tree = scanned(tmp_path / "repo", {"app/belvo.py": """\
        class Belvo:
            def create_link(self, institution, username, password, external_id):
                resp = self.request("POST", "/api/links/", json={
                    "institution": institution, "username": username, "password": password,
                    "access_mode": "recurrent", "external_id": external_id,
                })
                return resp.json()
        """})
    assert [(f.verdict, f.line) for f in tree.findings if f.concept == "widget_fetch_resources"] == [("ok", 5)]
