"""Receivers that never answer, drip, redirect, flood, reset or speak garbage: every delivery ends
within its limit (plus a fixed grace), the outcome says what happened, and nothing hangs or
prints a traceback. Every receiver is a thread on 127.0.0.1 (or 127.0.0.2)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import run_cli
from tests.hostile.hostile_receivers import HostileReceiver

AUTH = "Bearer hostile-receiver-auth-93b7"
# Generous bounds on whole commands: they end in seconds, but without a deadline they would never end.
SEND_BOUND, RUN_BOUND = 120, 120


def _send(receiver: HostileReceiver, *extra: str):
    done = run_cli("webhooks", "send", "--url", receiver.url, *extra, timeout=SEND_BOUND)
    assert "Traceback" not in done.stderr, done.stderr
    assert "\x1b" not in done.stdout + done.stderr  # nothing the receiver sent reaches the terminal raw
    rows = [line for line in done.stdout.splitlines() if "new_transactions_available" in line]
    return done, rows


def test_webhooks_send_against_hostile_receivers():
    with HostileReceiver("ok", host="127.0.0.2") as elsewhere:
        receivers = {name: HostileReceiver(name, location=elsewhere.url)
                     for name in ("silent", "slow_headers", "drip_body", "redirect", "huge", "endless", "reset",
                                  "garbage")}
        try:
            extra = {"silent": ("--count", "4")}
            with ThreadPoolExecutor(len(receivers)) as pool:
                sent = dict(zip(receivers, pool.map(lambda name: _send(receivers[name], *extra.get(name, ())),
                                                     receivers)))
        finally:
            for receiver in receivers.values():
                receiver.close()
        assert elsewhere.connections == 0  # the redirect was reported, never followed

    done, rows = sent["silent"]
    assert done.returncode == 1 and len(rows) == 3 and all("timed out" in row for row in rows), done.stdout
    assert "stopped: 3 deliveries in a row timed out; the other 1 were not sent" in done.stderr
    assert receivers["silent"].connections == 3
    for name in ("slow_headers", "drip_body"):  # an answer dripped a byte at a time is cut off too
        done, rows = sent[name]
        assert done.returncode == 1 and len(rows) == 1 and "timed out" in rows[0], (name, done.stdout)

    done, rows = sent["redirect"]
    assert done.returncode == 1 and "302 redirect to 127.0.0.2 (not followed)" in rows[0], done.stdout
    for name in ("huge", "endless"):  # a 2xx is an acknowledgement; the body is read up to a cap, then dropped
        done, rows = sent[name]
        assert done.returncode == 0 and " 200 " in rows[0], (name, done.stdout)
    done, rows = sent["reset"]
    assert done.returncode == 1 and "connection closed without an answer" in rows[0], done.stdout
    done, rows = sent["garbage"]
    assert done.returncode == 1 and "not a valid HTTP answer" in rows[0], done.stdout


def _probe_run(write_config, receiver: HostileReceiver) -> dict:
    config = write_config(
        "version: 1\nenvironment: production\nwebhooks:\n"
        "  urls: {sandbox: 'https://staging.acme.example.mx/hooks', production: 'https://acme.example.mx/hooks'}\n"
        f"  probe_url: {receiver.url}\n  authorization: ${{HOSTILE_AUTH}}\n  ack_within: 1\n",
        name=f"{receiver.behaviour}.yaml")
    done = run_cli("run", "-c", str(config), "--select", "BLV406", "--format", "json",
                   env={"HOSTILE_AUTH": AUTH}, timeout=RUN_BOUND)
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)["results"][0]


def test_probe_deliveries_end_at_their_deadline_whatever_the_receiver_does(write_config):
    """ack_within 1: each delivery, answer included, is cut off and reported as a time-out."""
    receivers = [HostileReceiver(name) for name in ("silent", "slow_headers", "drip_body")]
    try:
        with ThreadPoolExecutor(len(receivers)) as pool:
            results = list(pool.map(lambda r: _probe_run(write_config, r), receivers))
    finally:
        for receiver in receivers:
            receiver.close()
    for receiver, result in zip(receivers, results):
        finding = result["findings"][0]
        assert result["status"] == "warn", (receiver.behaviour, finding)
        assert "timed out" in finding["message"] and "within the 3 s timeout" in finding["evidence"], finding
        # Both authorization probes were delivered, once each (the other connections are the plain,
        # rightly authorized deliveries belvo-check sends to see whether the receiver answers again).
        forged = [r for r in receiver.requests if f"Authorization: {AUTH}".encode() not in r]
        assert len(forged) == 2, forged
