"""Probe payloads are shaped as Belvo sends them, and probe HTTP is bounded."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from belvo_check.probes import http, payloads

HEX32 = re.compile(r"^[0-9a-f]{32}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_every_documented_kind_for_single_and_recurrent_links():
    links = {payloads.SINGLE: payloads.probe_link_id(), payloads.RECURRENT: payloads.probe_link_id()}
    probes = payloads.documented(links)
    pairs = {(p.body["webhook_type"], p.body["webhook_code"], p.mode) for p in probes}
    for wtype, code in [("ACCOUNTS", "historical_update"), ("TRANSACTIONS", "historical_update"),
                        ("OWNERS", "historical_update"), ("ACCOUNTS", "new_accounts_available"),
                        ("TRANSACTIONS", "new_transactions_available"), ("LINK", "invalid_credentials"),
                        ("LINK", "token_required")]:
        assert (wtype, code, "single") in pairs and (wtype, code, "recurrent") in pairs
    for probe in probes:
        body = probe.body
        assert list(body) == ["webhook_id", "webhook_type", "process_type", "webhook_code", "link_id",
                              "request_id", "external_id", "data"]
        assert HEX32.match(body["webhook_id"]) and UUID.match(body["request_id"])
        assert body["link_id"] == links[probe.mode] and body["external_id"] == payloads.PROBE_EXTERNAL_ID
        assert isinstance(body["data"], dict)
    assert len({p.webhook_id for p in probes}) == len(probes)


def test_documented_data_keys():
    th = payloads.find("TRANSACTIONS", "historical_update").data()
    assert set(th) == {"total_transactions", "total_inflow_transactions", "total_outflow_transactions",
                       "first_transaction_date", "last_transaction_date"}
    assert payloads.find("LINK", "invalid_credentials").data() == {
        "error_code": "login_error", "error_message": "Invalid credentials provided to login to the institution",
        "status": 400}
    assert payloads.find("ACCOUNTS", None).code == "historical_update"
    assert payloads.find("transactions", None).code == "new_transactions_available"
    assert payloads.find("LINKS", "token_required") is None  # Belvo says LINK, singular


def test_tolerance_probes_are_new_or_lack_optional_keys():
    probes = payloads.tolerance(payloads.probe_link_id())
    codes = {p.body.get("webhook_code") for p in probes}
    assert payloads.FUTURE_CODE in codes
    assert any(p.body["webhook_type"] == payloads.FUTURE_TYPE for p in probes)
    assert any(not set(payloads.OPTIONAL_KEYS) & set(p.body) for p in probes)
    assert any("belvo_check_future_field" in p.body for p in probes)


class _Odd(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "http://elsewhere.invalid/hooks")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b"x" * (1024 * 1024)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_redirects_are_reported_not_followed_and_bodies_are_capped(odd_server):
    probe = payloads.payload("TRANSACTIONS", "new_transactions_available", link_id=payloads.probe_link_id())
    with http.client(5) as client:
        redirected = http.deliver(client, odd_server + "/redirect", probe, None)
        big = http.deliver(client, odd_server + "/big", probe, None)
    assert redirected.status == 302 and not redirected.ok
    assert redirected.describe() == "302 redirect to elsewhere.invalid (not followed)"
    assert big.ok and len(big.body) == http.MAX_BODY
