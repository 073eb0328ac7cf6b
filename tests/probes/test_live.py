"""BLV703, the --live key check, against the simulator and loopback tricks (nothing leaves loopback)."""

from __future__ import annotations

import socket

import pytest

from belvo_check.model import Status
from belvo_check.probes import live
from belvo_check.sim import Simulator
from tests.conftest import run_cli

KEY_ID, KEY_PASSWORD = "live-test-key-id-7c1e", "live-test-key-password-93ab"
KEYS = {"SID": KEY_ID, "SPW": KEY_PASSWORD}


def config(base_url: str) -> str:
    return (f"version: 1\nenvironment: production\nbelvo:\n  base_url: {base_url}\n"
            "  secret_id: ${SID}\n  secret_password: ${SPW}\n")


@pytest.fixture(scope="module")
def sim():
    with Simulator(seed=3, secret_id=KEY_ID, secret_password=KEY_PASSWORD) as running:
        yield running


def blv703(run_webhook_checks, base_url: str, env=KEYS, live_flag: bool = True):
    return run_webhook_checks(config(base_url), selectors=("BLV703",), live=live_flag, env=env)["BLV703"]


def test_right_keys_pass_with_host_status_latency_and_fingerprints_only(sim, run_webhook_checks):
    result = blv703(run_webhook_checks, sim.url)
    assert result.status is Status.PASS, result.findings
    evidence = result.findings[0].evidence
    assert "127.0.0.1" in evidence and "-> 200" in evidence and " ms" in evidence and "sha256:" in evidence
    assert f"GET {sim.url}/api/institutions/?page_size=1" in evidence
    assert KEY_ID not in repr(result) and KEY_PASSWORD not in repr(result)
    calls = [(e.method, e.path, e.query) for e in sim.journal.entries if e.direction == "in"]
    assert ("GET", "/api/", {}) in calls and ("GET", "/api/institutions/", {"page_size": "1"}) in calls
    assert {method for method, _, _ in calls} == {"GET"}  # read-only


def test_keys_of_another_environment_fail_with_401(sim, run_webhook_checks):
    result = blv703(run_webhook_checks, sim.url, env={"SID": "sandbox-key-id", "SPW": "sandbox-key-pw"})
    assert result.status is Status.FAIL
    message = result.findings[0].message
    assert "401" in message and "sandbox keys against production, or the reverse" in message
    assert "not a Belvo host" in message


def test_unset_keys_skip_naming_the_variables(sim, run_webhook_checks):
    result = blv703(run_webhook_checks, sim.url, env={})
    assert result.status is Status.SKIP
    assert "SID" in result.findings[0].message and "SPW" in result.findings[0].message


def test_without_live_nothing_is_contacted(connection_counter, run_webhook_checks):
    result = blv703(run_webhook_checks, f"http://127.0.0.1:{connection_counter.port}", live_flag=False)
    assert result.status is Status.SKIP and "--live" in result.findings[0].hint
    assert connection_counter.count == 0


def test_tls_error_is_named(sim, run_webhook_checks):
    result = blv703(run_webhook_checks, f"https://127.0.0.1:{sim.port}")  # https to a plain-HTTP port
    assert result.status is Status.FAIL and "TLS error" in result.findings[0].message


def test_dns_error_is_named(run_webhook_checks):
    result = blv703(run_webhook_checks, "https://api.belvo-check.invalid")
    assert result.status is Status.FAIL and "DNS error" in result.findings[0].message


def test_connection_refused_is_named(run_webhook_checks):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the check runs: nothing listens there
    result = blv703(run_webhook_checks, f"http://127.0.0.1:{port}")
    assert result.status is Status.FAIL and "connection failed" in result.findings[0].message


def test_timeout_is_named(run_webhook_checks, monkeypatch):
    monkeypatch.setattr(live, "TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        result = blv703(run_webhook_checks, f"http://127.0.0.1:{silent.getsockname()[1]}")
    assert result.status is Status.FAIL and "timeout" in result.findings[0].message


def test_cli_announces_hosts_before_contacting_and_prints_no_key(sim, write_config):
    path = write_config(config(sim.url))
    done = run_cli("run", "-c", str(path), "--live", "--select", "BLV703", env=KEYS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"contacting 127.0.0.1 only, read-only: GET {sim.url}/api/" in done.stderr
    assert KEY_ID not in done.stdout + done.stderr and KEY_PASSWORD not in done.stdout + done.stderr


def test_environment_is_named_for_belvo_hosts():
    assert live.LiveResult("https://api.belvo.com", "api.belvo.com", "").environment == "Belvo production"
    assert live.LiveResult("https://sandbox.belvo.com", "sandbox.belvo.com", "").environment == "Belvo sandbox"
