"""Nothing reaches a production receiver without --live; `webhooks send` refuses the same way."""

from __future__ import annotations

from belvo_check.model import Status

from tests.conftest import run_cli
from tests.probes.helpers import AUTH, receiver_config

PROBE_CHECKS = ("BLV403", "BLV404", "BLV405", "BLV406", "BLV407")


class _Target:
    def __init__(self, url: str, db: str = "/nonexistent.db") -> None:
        self.url, self.db = url, db


def test_probe_url_on_the_production_host_is_skipped_and_sends_nothing(connection_counter, run_webhook_checks):
    production = f"http://127.0.0.1:{connection_counter.port}/hooks/belvo"
    other_path = _Target(f"http://127.0.0.1:{connection_counter.port}/probe-here")
    results = run_webhook_checks(receiver_config(other_path, production=production, store=False))
    for check in PROBE_CHECKS:
        assert results[check].status is Status.SKIP, results[check].findings
        finding = results[check].findings[0]
        assert "production" in finding.message and "--live" in finding.hint
    assert connection_counter.count == 0


def test_a_name_resolving_to_the_production_host_counts_as_production(connection_counter, run_webhook_checks):
    production = f"http://127.0.0.1:{connection_counter.port}/hooks/belvo"
    results = run_webhook_checks(receiver_config(_Target(f"http://localhost:{connection_counter.port}/x"),
                                                 production=production, store=False), selectors=("BLV403",))
    assert results["BLV403"].status is Status.SKIP and "resolves to" in results["BLV403"].findings[0].message
    assert connection_counter.count == 0


def test_with_live_the_production_receiver_is_probed(connection_counter, run_webhook_checks):
    production = f"http://127.0.0.1:{connection_counter.port}/hooks/belvo"
    results = run_webhook_checks(receiver_config(_Target(production), production=production, store=False),
                                 selectors=("BLV404",), live=True)
    assert results["BLV404"].status is Status.FAIL  # the counter hangs up: no acknowledgement
    assert connection_counter.count > 0


def test_send_refuses_a_public_receiver_without_live(connection_counter):
    done = run_cli("webhooks", "send", "--url", "https://acme.example.mx/hooks/belvo")
    assert done.returncode == 2 and "--live" in done.stderr and "acme.example.mx" in done.stderr


def test_send_usage_errors(receiver):
    good = receiver("good", auth=None)
    bad_code = run_cli("webhooks", "send", "--url", good.url, "--type", "TRANSACTIONS", "--code", "nope")
    assert bad_code.returncode == 2 and "new_transactions_available" in bad_code.stderr
    bad_type = run_cli("webhooks", "send", "--url", good.url, "--type", "PAYMENTS")
    assert bad_type.returncode == 2 and "LINK: invalid_credentials" in bad_type.stderr
    literal = run_cli("webhooks", "send", "--url", good.url, "--auth", "Bearer s3cr3t-literal")
    assert literal.returncode == 2 and "s3cr3t-literal" not in literal.stderr + literal.stdout
    unset = run_cli("webhooks", "send", "--url", good.url, "--auth", "${NOT_SET_AUTH_VAR}")
    assert unset.returncode == 2 and "NOT_SET_AUTH_VAR" in unset.stderr


def test_send_delivers_and_reports_each_delivery(receiver):
    good = receiver("good")
    done = run_cli("webhooks", "send", "--url", good.url, "--type", "transactions", "--code",
                   "new_transactions_available", "--auth", "RECEIVER_AUTH", "--duplicate", "--count", "2",
                   env={"RECEIVER_AUTH": AUTH})
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if "new_transactions_available" in line]
    assert len(rows) == 4 and all(" 200 " in row and " ms" in row for row in rows)
    assert rows[0].split()[1] == rows[1].split()[1] != rows[2].split()[1]  # --duplicate: same webhook_id twice
    assert AUTH not in done.stdout + done.stderr


def test_send_exit_1_when_not_acknowledged(receiver):
    good = receiver("good")  # expects an Authorization value; none is sent
    done = run_cli("webhooks", "send", "--url", good.url, "--type", "LINK", "--code", "token_required")
    assert done.returncode == 1 and "401" in done.stdout
