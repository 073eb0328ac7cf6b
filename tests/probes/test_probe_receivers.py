"""`belvo-check run` on receivers of our own, Python and Node, each started from integration.start,
whose production webhook host (prod-hooks.acme.invalid) does not resolve: the probes still run, on
loopback only, and decide from deliveries. The same config with a production URL that lands on the
receiver's own address is refused before the receiver starts."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT, enable_lines, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "probe-receivers"
PROBE_CHECKS = ("BLV403", "BLV404", "BLV405", "BLV406", "BLV407", "BLV408")
# The flawed receivers fetch after a TRANSACTIONS webhook (before answering, which BLV407 catches).
FLAWED = {"BLV403": "fail", "BLV404": "fail", "BLV405": "fail", "BLV406": "fail", "BLV407": "fail", "BLV408": "pass"}
EXPECTED = {"py-threaded": dict.fromkeys(PROBE_CHECKS, "pass"), "node-concurrent": dict.fromkeys(PROBE_CHECKS, "pass"),
            "py-serial": FLAWED, "node-blocking": FLAWED}


def _report(config) -> dict:
    done = run_cli("run", "-c", str(config), "--select", ",".join(PROBE_CHECKS), "--format", "json", timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def _run(config) -> dict:
    return {result["id"]: result for result in _report(config)["results"]}


@pytest.fixture(scope="module")
def runs() -> dict:
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(EXPECTED, pool.map(_run, [FIXTURES / name / "belvo-check.yaml" for name in EXPECTED])))


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_probe_checks_decide_from_deliveries(runs, fixture):
    results = runs[fixture]
    got = {check: results[check]["status"] for check in PROBE_CHECKS}
    assert got == EXPECTED[fixture], {c: results[c]["findings"][0]["message"] for c in PROBE_CHECKS}
    for check in PROBE_CHECKS:
        finding = results[check]["findings"][0]
        assert "no probe sent" not in finding["message"] and "integration.start" in finding["evidence"], finding


@pytest.mark.parametrize("fixture", ["py-threaded", "node-concurrent"])
def test_the_good_receivers_earn_their_pass_from_what_they_did(runs, fixture):
    results = runs[fixture]
    duplicate = results["BLV405"]["findings"][0]["evidence"]
    assert "5 new transactions made available" in duplicate and "0 after the duplicate" in duplicate
    assert "401" in results["BLV406"]["findings"][0]["evidence"]
    assert "GET /api/transactions/?link=" in results["BLV408"]["findings"][0]["evidence"]


@pytest.mark.parametrize("fixture", ["py-serial", "node-blocking"])
def test_the_flawed_receivers_fail_for_their_flaws(runs, fixture):
    message = {check: results["findings"][0]["message"] for check, results in runs[fixture].items()}
    assert "BILLS historical_update (single): answered 500" in message["BLV403"]
    assert "belvo_check_future_code" in message["BLV404"] and "answered 500" in message["BLV404"]
    assert "acted on again" in message["BLV405"]
    assert "a wrong Authorization value" in message["BLV406"]
    assert "concurrent deliveries not acknowledged" in message["BLV407"]


@pytest.mark.parametrize("production", ["http://localhost:8443/hooks", "https://[::ffff:127.0.0.1]/belvo"])
def test_a_production_url_on_the_receivers_address_is_refused_before_it_starts(tmp_path, production):
    source = FIXTURES / "py-threaded"
    text = (source / "belvo-check.yaml").read_text().replace("https://prod-hooks.acme.invalid/belvo", production)
    marker = tmp_path / "started"
    text = text.replace('start: "{python} hooks.py {receiver_port}"',
                        f'start: "{{python}} -c \\"open(\'{marker}\', \'w\')\\""\n  cwd: "{source}"')
    config = tmp_path / "belvo-check.yaml"
    config.write_text(text)
    report = _report(config)
    results = {result["id"]: result for result in report["results"]}
    assert not marker.exists()
    for check in PROBE_CHECKS:
        finding = results[check]["findings"][0]
        assert results[check]["status"] == "skip", finding
        assert "no probe sent" in finding["message"] and "may be the production receiver" in finding["message"]
        assert "127.0.0.1" in finding["message"] and "--live" in enable_lines(report, check)
