"""Nothing reaches a production receiver without --live; `webhooks send` refuses the same way."""

from __future__ import annotations

import socket

import pytest

from belvo_check import bounded_http, urls
from belvo_check.model import Status
from belvo_check.probes import http
from belvo_check.probes.safety import addresses, not_local, production_match, refusal, url_problem

from tests.conftest import run_cli
from tests.hostile.hostile_receivers import HostileReceiver
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


# -- the production guard decides by address, not spelling -------------------------------------------

LOOPBACK_SPELLINGS = ("127.0.0.1", "127.1", "127.0.1", "0x7f000001", "0X7F.0.0.1", "0x7f.1", "2130706433",
                      "0177.0.0.1", "017700000001", "127.0.0.1.", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                      "[::127.0.0.1]", "１２７.０.０.１", "127。0。0。1")


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_every_spelling_of_127_0_0_1_is_that_address(spelling):
    assert str(urls.ip_of(spelling)) == "127.0.0.1"
    assert urls.canonical_host(spelling) == "127.0.0.1"
    assert urls.is_loopback_or_private(spelling) == "a loopback address"
    assert urls.same_host(f"http://{spelling}:8080/a", "https://127.0.0.1/b")


@pytest.mark.parametrize("spelling, address", [
    ("0x08080808", "8.8.8.8"), ("134744072", "8.8.8.8"), ("010.010.010.010", "8.8.8.8"), ("8.0x80808", "8.8.8.8"),
    ("[::ffff:8.8.8.8]", "8.8.8.8"), ("[::8.8.8.8]", "8.8.8.8"), ("0xc0.0xa8.1", "192.168.0.1"), ("0", "0.0.0.0"),
    ("[0:0:0:0:0:0:0:1]", "::1"),
])
def test_odd_spellings_canonicalise_to_their_address(spelling, address):
    assert str(urls.ip_of(spelling)) == address


@pytest.mark.parametrize("spelling", ["0x08080808", "134744072", "[::ffff:8.8.8.8]", "[::8.8.8.8]", "8.0x80808"])
def test_a_public_address_spelled_oddly_is_not_local(spelling):
    assert urls.is_loopback_or_private(spelling) is None
    assert "may be a production receiver" in not_local(f"http://{spelling}/hooks")


@pytest.mark.parametrize("name", ["1.2.3.09", "256.1.1.1", "1.2.3.4.5", "4294967296", "0x100000000", "1..2", "+1",
                                  "1_0", "127.0.0.1.example.com", "0x7f000001.example.com", "localhost.example.com"])
def test_names_that_only_look_numeric_are_names(name):
    assert urls.ip_of(name) is None
    assert urls.is_loopback_or_private(name) is None


def test_names_are_compared_in_one_spelling():
    assert urls.canonical_host("LOCALHOST.") == "localhost" and urls.is_loopback_or_private("LOCALHOST.")
    assert urls.canonical_host("Bücher.Example.") == "xn--bcher-kva.example"
    assert urls.canonical_host("ｌｏｃａｌｈｏｓｔ") == "localhost"
    assert urls.host_of("http://[not-an-address]/x") == ""  # malformed: no host, no traceback


@pytest.mark.parametrize("production", ["127.1", "0x7f000001", "2130706433", "0177.0.0.1", "[::ffff:127.0.0.1]",
                                        "LOCALHOST.", "localhost", "127.0.0.1.", "0"])
def test_a_probe_on_127_0_0_1_matches_every_spelling_of_a_production_url_there(production):
    why = production_match("http://127.0.0.1:8099/probe", f"https://{production}:443/hooks/belvo")
    assert why and "webhooks.urls.production" in why and "127.0.0.1" in why


@pytest.mark.parametrize("target, production", [
    ("127.0.0.2", "127.0.0.1"), ("127.0.0.1", "0x7f000002"), ("[::1]", "127.0.0.1"),
    ("127.0.0.1", "0x08080808"),  # a public production address: certain without DNS
    ("127.0.0.1", "hooks.acme.example.mx"),  # loopback against a public name: no DNS needed
    ("127.1", "hooks.acme.example.mx"),
])
def test_different_addresses_do_not_match(target, production):
    assert production_match(f"http://{target}:8099/probe", f"https://{production}/hooks") is None


def test_when_the_production_host_cannot_be_resolved_only_loopback_is_told_apart():
    unresolvable = "x" * 64 + ".acme.test"  # a label too long to ask DNS about: fails here, offline
    production = f"https://{unresolvable}/hooks"
    why = production_match("http://10.1.2.3:8099/probe", production)
    assert why and "could not be resolved" in why and "cannot be told apart" in why
    assert production_match(f"http://{unresolvable}:8099/probe", "https://127.0.0.1/hooks")
    assert production_match("http://127.0.0.1:8099/probe", "https://127.0.0.2/hooks") is None


def test_url_problems_are_one_line_not_exceptions():
    assert "not a valid URL" in url_problem("http://[zzz]/hooks")
    assert "not a valid URL" in url_problem("http://127.0.0.1:99999/hooks")
    assert url_problem("http://127.1:8099/hooks") is None


# -- a delivery is judged by where it lands: loopback is not production unless production lands there --

PUBLIC = "93.184.216.34"


def _resolver(table: dict[str, str]):
    """A fake resolver: each host to its listed address, literals to themselves, any other name to nothing."""
    from ipaddress import ip_address

    def resolve(host: str):
        if urls.ip_of(host) is not None:
            return addresses(host)  # a literal needs no DNS (and 0 lands on loopback)
        return {ip_address(table[host])} if host in table else set()
    return resolve


@pytest.mark.parametrize("production", ["https://prod-hooks.acme.invalid/belvo", "https://hooks.acme-bank.com/belvo",
                                        "https://127.0.0.2/belvo", f"https://{PUBLIC}/belvo"])
@pytest.mark.parametrize("target", ["127.0.0.1", "127.1", "0x7f000001", "[::ffff:127.0.0.1]", "[::1]", "0",
                                    "receiver.dev.localhost"])
def test_a_loopback_target_is_allowed_whatever_the_production_host_resolves_to_or_fails_to(target, production):
    resolve = _resolver({"hooks.acme-bank.com": PUBLIC, "receiver.dev.localhost": "127.0.0.1"})
    assert refusal(f"http://{target}:8099/hooks", production, live=False, resolve=resolve) is None


@pytest.mark.parametrize("production", ["http://localhost:8099/hooks", "https://hooks.acme-bank.com/belvo",
                                        "https://0x7f000001/belvo"])
def test_a_loopback_target_is_refused_when_the_production_host_lands_on_the_same_address(production):
    resolve = _resolver({"localhost": "127.0.0.1", "hooks.acme-bank.com": "127.0.0.1"})
    why = refusal("http://127.0.0.1:8099/probe", production, live=False, resolve=resolve)
    assert why and "may be the production receiver" in why and "127.0.0.1" in why and "--live" in why
    assert refusal("http://127.0.0.1:8099/probe", production, live=True, resolve=resolve) is None


@pytest.mark.parametrize("target, why", [
    ("10.1.2.3", "10.1.2.3"), (PUBLIC, PUBLIC), ("receiver.internal", "could not be resolved"),
    ("hooks.partner.com", PUBLIC),
])
def test_a_target_off_loopback_needs_live_even_with_no_production_url(target, why):
    resolve = _resolver({"hooks.partner.com": PUBLIC})
    for production in (None, "https://prod-hooks.acme.invalid/belvo"):
        refused = refusal(f"http://{target}:8099/hooks", production, live=False, resolve=resolve)
        assert refused and "--live" in refused
        assert production or ("not on this machine's loopback" in refused and why in refused)
        assert refusal(f"http://{target}:8099/hooks", production, live=True, resolve=resolve) is None


def test_the_production_host_itself_is_refused_even_when_it_does_not_resolve():
    resolve = _resolver({})
    why = refusal("https://prod-hooks.acme.invalid/other", "https://prod-hooks.acme.invalid/belvo", False, resolve)
    assert why and "is the host of the production webhook URL" in why


def _fake_dns(monkeypatch, table: dict[str, str]) -> None:
    """Answer getaddrinfo from `table` in this process (no real DNS): other names do not resolve."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host in table:
            return real(table[host], *args, **kwargs)
        if urls.ip_of(str(host)) is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_probes_run_when_the_production_host_does_not_resolve(receiver, run_webhook_checks, monkeypatch):
    _fake_dns(monkeypatch, {})
    good = receiver("good")
    results = run_webhook_checks(receiver_config(good, production="https://prod-hooks.acme.invalid/belvo"),
                                 selectors=("BLV403", "BLV406"))
    for check in ("BLV403", "BLV406"):
        assert results[check].status is Status.PASS, results[check].findings


def test_probes_run_when_the_production_host_resolves_to_another_public_address(receiver, run_webhook_checks,
                                                                                monkeypatch):
    _fake_dns(monkeypatch, {"hooks.acme-bank.com": PUBLIC})
    good = receiver("good")
    results = run_webhook_checks(receiver_config(good, production="https://hooks.acme-bank.com/belvo"),
                                 selectors=("BLV403",))
    assert results["BLV403"].status is Status.PASS, results["BLV403"].findings


def test_a_production_name_resolving_to_the_targets_loopback_address_is_refused(connection_counter, run_webhook_checks,
                                                                               monkeypatch):
    _fake_dns(monkeypatch, {"hooks.acme-bank.com": "127.0.0.1"})
    config = receiver_config(_Target(f"http://127.0.0.1:{connection_counter.port}/hooks"),
                             production="https://hooks.acme-bank.com/belvo", store=False)
    results = run_webhook_checks(config, selectors=("BLV403", "BLV407"))
    for check in ("BLV403", "BLV407"):
        message = results[check].findings[0].message
        assert results[check].status is Status.SKIP, results[check].findings
        assert "127.0.0.1, an address of the production webhook host hooks.acme-bank.com" in message, message
    assert connection_counter.count == 0


def test_a_redirect_to_the_production_host_is_not_followed(connection_counter, run_webhook_checks):
    production = f"http://127.0.0.1:{connection_counter.port}/hooks/belvo"
    with HostileReceiver("redirect", host="127.0.0.2", location=production) as redirecting:
        results = run_webhook_checks(receiver_config(_Target(redirecting.url), production=production, store=False),
                                     selectors=("BLV403",))
        assert redirecting.connections > 0
    assert results["BLV403"].status is Status.FAIL
    assert "302 redirect to 127.0.0.1 (not followed)" in results["BLV403"].findings[0].message
    assert connection_counter.count == 0


def test_every_redirect_hop_goes_through_the_same_guard(connection_counter):
    """Even a request told to follow redirects gets no further than the guard lets the first hop go."""
    production = f"http://127.0.0.1:{connection_counter.port}/hooks/belvo"
    judge = lambda url: refusal(url, production, live=False)  # noqa: E731
    with HostileReceiver("ok", host="127.0.0.3") as elsewhere, \
            HostileReceiver("redirect", host="127.0.0.2", location=production) as to_production, \
            HostileReceiver("redirect", host="127.0.0.2", location=elsewhere.url) as to_elsewhere, \
            http.client(5, guard=judge) as client:
        refused = bounded_http.request(client, "POST", to_production.url, json={}, follow_redirects=True)
        followed = bounded_http.request(client, "POST", to_elsewhere.url, json={}, follow_redirects=True)
        direct = bounded_http.request(client, "POST", production, json={})
        assert elsewhere.connections == 1 and followed.status == 200
    assert refused.status is None and "may be the production receiver" in refused.error
    assert direct.status is None and "may be the production receiver" in direct.error
    assert connection_counter.count == 0
