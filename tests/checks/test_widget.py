"""Section 1 checks (BLV101-BLV102) judged on recorded drill outcomes."""

from __future__ import annotations

from belvo_check.harness.drills import PLAIN, WIDGET
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, call, flow, outcome, run_check


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
