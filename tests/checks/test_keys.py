"""Section 7 checks (BLV701-BLV704): the config, recorded live calls, and recorded drill output."""

from __future__ import annotations

import base64

from belvo_check.harness.drills import ERRORS_401, PLAIN, WIDGET
from belvo_check.model import Status
from tests.checks.recorded import Keys, RecordedHarness, call, flow, live_calls, outcome, run_check

KEYS = "belvo:\n  base_url: %s\n  secret_id: ${T_BELVO_ID}\n  secret_password: ${T_BELVO_PASSWORD}\n"


def test_blv701_passes_the_production_api_and_fails_sandbox_or_a_look_alike(tmp_path):
    assert run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://api.belvo.com}\n").status \
        is Status.PASS
    sandbox = run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://sandbox.belvo.com}\n")
    assert sandbox.status is Status.FAIL and "pointed at Belvo sandbox" in sandbox.findings[0].message
    look_alike = run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://api.belvo.co}\n")
    assert look_alike.status is Status.FAIL


def test_blv702_skips_unset_keys_and_passes_two_variables(tmp_path, monkeypatch):
    body = KEYS % "https://api.belvo.com"
    result = run_check("BLV702", tmp_path, config_body=body)
    assert result.status is Status.SKIP and "T_BELVO_ID" in result.findings[0].message
    monkeypatch.setenv("T_BELVO_ID", "sid-4f1c9a7e2b")
    monkeypatch.setenv("T_BELVO_PASSWORD", "spw-9d3e7b1a6c5f")
    assert run_check("BLV702", tmp_path, config_body=body).status is Status.PASS


def test_blv703_judges_the_live_answers_and_skips_without_live(tmp_path):
    assert run_check("BLV703", tmp_path, with_live=True, live=live_calls(200, 200)).status is Status.PASS
    rejected = run_check("BLV703", tmp_path, with_live=True, live=live_calls(401, 200))
    assert rejected.status is Status.FAIL and "rejected the keys with 401" in rejected.findings[0].message
    unreachable = run_check("BLV703", tmp_path, with_live=True, live=live_calls(None))
    assert unreachable.status is Status.FAIL and "could not be reached" in unreachable.findings[0].message
    offline = run_check("BLV703", tmp_path, live=live_calls(200, 200))
    assert offline.status is Status.SKIP and "--live" in offline.findings[0].hint


def _output(drill, stdout: str) -> object:
    flows = [flow(f, i, started=i, ended=i + 0.5, stdout=stdout if i == 0 else "") for i, f in enumerate(drill.flows)]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=0.2)])


def _blv704(leak: str = "") -> RecordedHarness:
    return RecordedHarness({"plain": _output(PLAIN, leak or "synced 3 transactions"),
                            "errors-401": _output(ERRORS_401, "belvo 401 request_id=abc"),
                            "widget": _output(WIDGET, "token issued")})


def test_blv704_passes_clean_output_naming_what_was_searched(tmp_path):
    result = run_check("BLV704", tmp_path, harness=_blv704())
    assert result.status is Status.PASS
    assert "plain (" in result.findings[0].evidence and "errors-401 (" in result.findings[0].evidence


def test_blv704_finds_a_key_in_any_encoding_and_never_shows_it(tmp_path):
    keys = Keys()
    basic = base64.b64encode(f"{keys.secret_id}:{keys.secret_password}".encode()).decode()
    result = run_check("BLV704", tmp_path, harness=_blv704(f"DEBUG headers: Authorization: Basic {basic}"))
    assert result.status is Status.FAIL and "stdout of create_link (step 1) (drill plain)" in result.findings[0].message
    shown = f"{result.findings[0].message}\n{result.findings[0].evidence}"
    assert keys.secret_password not in shown and basic not in shown


def test_blv704_judges_only_drills_whose_flows_exist(tmp_path):
    harness = _blv704()
    harness.flows = ("widget_token",)
    assert run_check("BLV704", tmp_path, harness=harness).status is Status.PASS and harness.asked == ["widget"]
