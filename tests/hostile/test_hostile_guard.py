"""A production webhook URL spelled oddly is still the production receiver: no probe reaches it
without --live, and the checks say which production address they matched."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import enable_lines, run_cli
from tests.hostile.hostile_receivers import HostileReceiver

AUTH = "Bearer hostile-guard-auth-5d1e"
PROBE_CHECKS = "BLV403,BLV404,BLV405,BLV406,BLV407"
# Every way the issue found of writing 127.0.0.1 (plus the unspecified address, which lands there).
SPELLINGS = ("127.1", "0x7f000001", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]", "LOCALHOST.",
             "0x7f.0.0.1", "127.0.0.1.", "0")


@pytest.fixture
def recorder():
    with HostileReceiver("ok") as receiver:
        yield receiver


def _config(write_config, name: str, production: str, probe_url: str) -> str:
    return str(write_config(
        "version: 1\nenvironment: production\nwebhooks:\n"
        f"  urls: {{sandbox: 'https://staging.acme.example.mx/hooks', production: '{production}'}}\n"
        f"  probe_url: {probe_url}\n  authorization: ${{GUARD_AUTH}}\n  burst: 3\n  ack_within: 1\n",
        name=f"{name}.yaml"))


def _report(config: str, *extra: str) -> dict:
    done = run_cli("run", "-c", config, "--select", PROBE_CHECKS, "--format", "json", *extra,
                   env={"GUARD_AUTH": AUTH}, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _run(config: str, *extra: str) -> dict:
    return {r["id"]: r for r in _report(config, *extra)["results"]}


def test_no_probe_reaches_a_production_url_spelled_another_way(recorder, write_config):
    configs = [_config(write_config, f"spelling-{i}", f"http://{spelling}:{recorder.port}/hooks/belvo", recorder.url)
               for i, spelling in enumerate(SPELLINGS)]
    with ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(_report, configs))
    assert recorder.connections == 0, recorder.requests[:1]
    for spelling, report in zip(SPELLINGS, reports):
        results = {r["id"]: r for r in report["results"]}
        shown = spelling.strip("[]").lower().rstrip(".")
        named = (f"production webhook host {shown} " if shown != "127.0.0.1"
                 else "127.0.0.1 is the host of the production webhook URL")
        for check in PROBE_CHECKS.split(","):
            finding = results[check]["findings"][0]
            assert results[check]["status"] == "skip", (spelling, check, finding)
            assert "may be the production receiver" in finding["message"], finding
            assert named in finding["message"], finding  # names the production match
            assert "--live" in enable_lines(report, check)


def test_with_live_the_same_config_does_deliver(recorder, write_config):
    """The guard, not a broken receiver, is what kept the deliveries away above."""
    config = _config(write_config, "live", f"http://0x7f000001:{recorder.port}/hooks/belvo", recorder.url)
    results = _run(config, "--live")
    assert results["BLV406"]["status"] != "skip"
    assert recorder.connections > 0
    assert all(b"\"webhook_id\"" in request for request in recorder.requests)


def test_a_probe_elsewhere_on_loopback_is_not_refused(recorder, write_config):
    """127.0.0.2 is not 127.0.0.1: a different address is a different receiver."""
    with HostileReceiver("ok", host="127.0.0.2") as elsewhere:
        config = _config(write_config, "elsewhere", f"http://127.1:{recorder.port}/hooks/belvo", elsewhere.url)
        results = _run(config)
        assert elsewhere.connections > 0 and results["BLV406"]["status"] != "skip"
    assert recorder.connections == 0


def test_send_delivers_to_an_odd_loopback_spelling_and_refuses_a_malformed_url(recorder):
    done = run_cli("webhooks", "send", "--url", f"http://0x7f.1:{recorder.port}/hooks/belvo", timeout=60)
    assert done.returncode == 0 and recorder.connections == 1, done.stdout + done.stderr
    bad = run_cli("webhooks", "send", "--url", "http://[zzz]/hooks", timeout=60)
    assert bad.returncode == 2 and "not a valid URL" in bad.stderr and "Traceback" not in bad.stderr


def test_the_harness_receiver_is_not_even_started_for_a_production_address(write_config, tmp_path):
    """Its simulator would send webhooks, with the real Authorization value, to the receiver URL."""
    marker = tmp_path / "receiver-started"
    config = write_config(
        "version: 1\nenvironment: production\nwebhooks:\n"
        "  urls: {sandbox: 'https://staging.acme.example.mx/hooks', production: 'http://[::ffff:7f00:1]/hooks'}\n"
        f"integration:\n  start: python3 -c \"open('{marker}', 'w')\"\n  ready: http://127.0.0.1:1/health\n",
        name="harness.yaml")
    results = _run(str(config))
    assert not marker.exists()
    for check in ("BLV403", "BLV404", "BLV406"):
        message = results[check]["findings"][0]["message"]
        assert results[check]["status"] == "skip" and "production webhook host ::ffff:7f00:1 " in message, message


def test_a_redirect_to_the_production_receiver_spelled_another_way_is_not_followed(recorder, write_config):
    """The receiver points every delivery at production: the redirect is reported, never followed."""
    hop = f"http://2130706433:{recorder.port}/hooks/belvo"
    with HostileReceiver("redirect", host="127.0.0.2", location=hop) as redirecting:
        config = _config(write_config, "redirect", f"http://127.1:{recorder.port}/hooks/belvo", redirecting.url)
        results = _run(config)
        assert redirecting.connections > 0
    assert recorder.connections == 0
    assert results["BLV403"]["status"] == "fail"
    assert "302 redirect to 2130706433 (not followed)" in results["BLV403"]["findings"][0]["message"]
