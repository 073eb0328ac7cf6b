"""Belvo behaviour the simulator reproduces: statuses, pagination, journal, determinism, webhooks."""
import base64
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from belvo_check.sim import Scenario, ScenarioError, Simulator
from simtest import KEYS, make_link


def test_auth_on_every_endpoint(sim):
    for path in ("/api/", "/api/links/", "/api/links", "/api/institutions/1001/", "/api/nowhere/"):
        r = httpx.get(sim.url + path, auth=(KEYS[0], "nope"))
        assert r.status_code == 401 and r.json()[0]["code"] == "authentication_failed"
    assert httpx.get(sim.url + "/api/").status_code == 401
    assert httpx.get(sim.url + "/api/", auth=KEYS).status_code == 200


def test_statuses(client):
    link = make_link(client, "bnk100", "full")
    body = {"link": link["id"], "date_from": "2000-01-01"}
    assert client.post("/api/transactions/", json=body).status_code == 201
    assert client.post("/api/transactions", json={**body, "save_data": False}).status_code == 200
    r = client.post("/api/transactions/", json=body, headers={"X-Belvo-Request-Mode": "async"})
    assert r.status_code == 202 and len(r.json()["request_id"]) == 32
    # Only the statuses the spec documents: a list without `link` lists every link's, an accounts retrieve is
    # never async (no 202 for it in the spec).
    r = client.get("/api/transactions/")
    assert r.status_code == 200 and r.json()["count"] == 600
    assert client.post("/api/accounts/", json={"link": link["id"]}, headers={"X-Belvo-Request-Mode": "async"}).status_code == 201
    assert client.post(f"/api/links/{link['id']}/refresh/").status_code == 202
    assert client.post(f"/api/links/{link['id']}/refresh").json()[0]["code"] == "link_refreshed"
    employment = make_link(client, institution="planet_mx_retail")  # a refresh fetches what the link offers
    assert client.post(f"/api/links/{employment['id']}/refresh/").status_code == 202
    assert client.patch(f"/api/links/{link['id']}/", json={"access_mode": "single"}).json()["refresh_rate"] is None
    assert client.put(f"/api/links/{link['id']}/", json={"password": "new"}).status_code == 200
    assert client.get("/api/links/00000000-0000-4000-8000-000000000000/").status_code == 404
    r = client.delete(f"/api/links/{link['id']}/", headers={"X-Belvo-Request-Mode": "async"})
    assert r.status_code == 202 and "request_id" in r.json()


def test_sixth_delete_within_a_minute_is_429(client):
    link = make_link(client, "bnk100", "full")
    ids = [t["id"] for t in client.get("/api/transactions/", params={"link": link["id"]}).json()["results"]]
    assert [client.delete(f"/api/transactions/{i}/").status_code for i in ids[:6]] == [204] * 5 + [429]
    assert client.get(f"/api/transactions/{ids[0]}/").status_code == 404
    # Each rate-limited resource counts its own deletes; owners have no limit.
    account = client.get("/api/accounts/", params={"link": link["id"]}).json()["results"][0]["id"]
    assert client.delete(f"/api/accounts/{account}/").status_code == 204
    other = make_link(client, "bnk100", "full")
    owners = [client.post("/api/owners/", json={"link": make_link(client)["id"]}).json()[0]["id"] for _ in range(6)]
    assert [client.delete(f"/api/owners/{o}/").status_code for o in owners] == [204] * 6
    assert client.delete(f"/api/links/{other['id']}/").status_code == 204


def test_deleting_an_account_deletes_its_transactions_and_owners(client):
    link = make_link(client, "bnk100", "full")["id"]
    owner = client.get("/api/owners/", params={"link": link}).json()["results"][0]
    account = client.get("/api/accounts/", params={"link": link}).json()["results"][0]["id"]
    before = client.get("/api/transactions/", params={"link": link}).json()["count"]
    assert client.delete(f"/api/accounts/{account}/").status_code == 204
    assert client.get(f"/api/owners/{owner['id']}/").status_code == 404
    assert client.get("/api/owners/", params={"link": link}).json()["count"] == 0
    assert client.get("/api/transactions/", params={"link": link}).json()["count"] == before - before // 3


def test_login_errors_and_mfa_credentials(client):
    bad = client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "user_invalid", "password": "pass_invalid"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == "login_error"
    missing = client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "u"})
    assert missing.json()[0] == {**missing.json()[0], "code": "required", "field": "password"}
    curp_only = client.post("/api/links/", json={"institution": "imss_mx_employment", "username": "BLPM951331IONVGR54"})
    assert curp_only.status_code == 201  # IMSS logs in with the CURP alone: its form asks for no password
    for user, pw in [("mfa_default", "pass_valid"), ("mfa_qr", "qr_code"), ("mfa_numeric", "numeric_code")]:
        r = client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": user, "password": pw})
        assert r.status_code == 428
    nodata = make_link(client, "bnk101", "nodata")
    assert client.get("/api/accounts/", params={"link": nodata["id"]}).json()["count"] == 0


def test_widget_token_checks_body_keys(client):
    assert client.post("/api/token/", json={"id": KEYS[0], "password": KEYS[1], "scopes": "read_institutions"}).status_code == 200
    wrong = client.post("/api/token/", json={"id": KEYS[0], "password": "x", "scopes": "a"})
    assert wrong.status_code == 400 and wrong.json()[0]["code"] == "authentication_failed"  # the spec: 200, 400, 500
    assert httpx.post(client.base_url.join("/api/token/"), json={"id": KEYS[0], "password": KEYS[1], "scopes": "a"}).status_code == 200
    assert client.post("/api/token/", json={"id": KEYS[0], "password": KEYS[1]}).json()[0]["field"] == "scopes"


def test_pagination(client, sim):
    link = make_link(client, "bnk100", "full")
    params = {"link": link["id"], "type": "OUTFLOW", "page_size": "5000"}
    first = client.get("/api/transactions/", params=params).json()
    assert len(first["results"]) == 10 and first["previous"] is None  # sandbox cap of 10
    nxt = urlsplit(first["next"])
    assert f"{nxt.scheme}://{nxt.netloc}" == sim.url
    q = parse_qs(nxt.query)
    assert q["page"] == ["2"] and q["link"] == [link["id"]] and q["type"] == ["OUTFLOW"] and q["page_size"] == ["5000"]
    second = client.get(first["next"]).json()
    assert parse_qs(urlsplit(second["previous"]).query).get("page") is None
    assert all(t["type"] == "OUTFLOW" for t in first["results"] + second["results"])
    assert client.get("/api/transactions/", params={**params, "page": "999"}).status_code == 404


def test_page_size_clamped_to_1000_without_cap():
    with Simulator(seed=1, secret_id=KEYS[0], secret_password=KEYS[1], page_size_cap=None,
                   scenario=Scenario.from_dict({"name": "big", "settings": {"transactions_per_link": 2500}})) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c)
        assert len(c.get("/api/transactions/", params={"link": link["id"]}).json()["results"]) == 100
        page = c.get("/api/transactions/", params={"link": link["id"], "page_size": 99999}).json()
        assert len(page["results"]) == 1000 and page["count"] == 2500


def test_determinism():
    def transcript(seed):
        with Simulator(seed=seed, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
                httpx.Client(base_url=sim.url, auth=KEYS) as c:
            link = make_link(c, "bnk100", "full")
            out = [c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "user_invalid",
                                               "password": "pass_invalid"}).content]
            out.append(c.get("/api/transactions/", params={"link": link["id"], "page": 3}).content)
            out.append(c.post("/api/owners/", json={"link": link["id"]}).content)
            # the port differs per run, and so do request ids (tests/sim/test_request_ids.py)
            return [re.sub(rb'"request_id":"[0-9a-f]{32}"', b'"request_id":"RID"', x.replace(sim.url.encode(), b"BASE"))
                    for x in out]
    a, b, c = transcript(3), transcript(3), transcript(4)
    assert a == b and a != c and all(x != y for x, y in zip(a[1:], c[1:]))  # [0] is an error: no data


def test_journal_accounts_for_everything_and_keeps_no_secrets(client, sim, tmp_path):
    client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "mfa_numeric", "password": "numeric_code"})
    session = next(iter(sim.state.sessions))
    client.patch("/api/links/", json={"session": session, "token": "111111", "link": next(iter(sim.state.links))})
    client.post("/api/token/", json={"id": KEYS[0], "password": KEYS[1], "scopes": "read_institutions"})
    httpx.get(sim.url + "/api/links/", auth=("someone", "bad-secret"))
    assert [e.seq for e in sim.journal.entries] == [1, 2, 3, 4]
    assert [e.status for e in sim.journal.entries] == [428, 200, 200, 401]
    assert sim.journal.find(method="POST", path="/api/links")[0].body == {"institution": "erebor_mx_retail",
                                                                        "username": "mfa_numeric"}
    out = tmp_path / "journal.jsonl"
    sim.journal.to_jsonl(out)
    text = out.read_text()
    assert len(text.splitlines()) == 4
    auth = base64.b64encode(f"{KEYS[0]}:{KEYS[1]}".encode()).decode()
    for secret in (KEYS[1], "numeric_code", "111111", session, auth, "bad-secret", "Authorization"):
        assert secret not in text


def test_several_simulators_at_once():
    with Simulator(seed=1, secret_id="a", secret_password="1") as one, \
            Simulator(seed=1, secret_id="b", secret_password="2") as two:
        assert one.port != two.port
        make_link(httpx.Client(base_url=one.url, auth=("a", "1")))
        assert len(one.state.links) == 1 and len(two.state.links) == 0


def test_scenario_validation_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nrules:\n  - match: {path: /api/*}\n    do: {stal: 3}\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml: rules\[0\].do: unknown key 'stal' \(did you mean 'stall'\?\)"):
        Scenario.from_file(bad)
    cases = [({"rules": []}, "'name' is required"),
             ({"name": "x", "rulez": []}, "unknown key 'rulez'"),
             ({"name": "x", "rules": [{"do": {"error": 200}}]}, "error.status"),
             ({"name": "x", "rules": [{"do": {"timestamps": "9Z"}}]}, "timestamps: invalid value"),
             ({"name": "x", "rules": [{"when": {"first": 0}, "do": {"reset": True}}]}, "when.first"),
             ({"name": "x", "rules": [{"do": {"reset": True, "body": "garbage"}}]}, "cannot be combined"),
             ({"name": "x", "settings": {"page_size_cap": "ten"}}, "settings.page_size_cap")]
    for raw, message in cases:
        with pytest.raises(ScenarioError, match=message):
            Scenario.from_dict(raw)
    with pytest.raises(ScenarioError, match="did you mean 'errors-500'"):
        Scenario.load("errors-50")


def test_every_builtin_loads():
    names = Scenario.builtin_names()
    assert {"happy-path", "errors-500", "timeouts", "connection-reset", "contract-drift", "invalid-link"} <= set(names)
    for name in names:
        assert Scenario.load(name).name == name


class Receiver:
    """A tiny webhook receiver on 127.0.0.1 recording what arrives."""

    def __init__(self):
        self.calls = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((self.headers.get("Authorization"), json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/belvo"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_webhooks_out(receiver):
    with Simulator(seed=2, secret_id=KEYS[0], secret_password=KEYS[1], webhook_url=receiver.url,
                   webhook_authorization="Bearer hook-secret", scenario="invalid-link") as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c, "bnk100", "full", external_id="cust-1")
        c.post(f"/api/links/{link['id']}/refresh/")
        c.post("/api/transactions/", json={"link": link["id"], "date_from": "2000-01-01"})
        assert sim.webhooks.wait_idle(10)
        got = [(p["webhook_type"], p["webhook_code"]) for _, p in receiver.calls]
        assert got == [("ACCOUNTS", "historical_update"), ("TRANSACTIONS", "historical_update"),
                       ("OWNERS", "historical_update"), ("TRANSACTIONS", "new_transactions_available"),
                       ("LINK", "invalid_credentials")]
        assert all(auth == "Bearer hook-secret" for auth, _ in receiver.calls)
        tx = receiver.calls[1][1]
        assert tx["link_id"] == link["id"] and tx["external_id"] == "cust-1" and len(tx["webhook_id"]) == 32
        assert tx["data"]["total_transactions"] == 600 == tx["data"]["total_inflow_transactions"] + tx["data"]["total_outflow_transactions"]
        result = sim.send_webhook(webhook_type="LINK", webhook_code="token_required", link_id=link["id"])
        assert result.status == 200 and result.error is None
        out = sim.journal.find(direction="out")
        assert len(out) == 6 and all(e.status == 200 for e in out)
        assert "hook-secret" not in json.dumps([e.to_dict() for e in sim.journal.entries])


def test_webhook_duplicates_and_order(receiver):
    with Simulator(seed=2, secret_id=KEYS[0], secret_password=KEYS[1], webhook_url=receiver.url,
                   scenario="webhook-chaos") as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        make_link(c)
        assert sim.webhooks.wait_idle(10)
        ids = [p["webhook_id"] for _, p in receiver.calls]
        assert len(ids) == 6 and len(set(ids)) == 3
        types = [p["webhook_type"] for _, p in receiver.calls]
        assert types != sorted(types, key=["ACCOUNTS", "TRANSACTIONS", "OWNERS"].index)


def test_failed_delivery_is_journaled():
    with Simulator(seed=2, secret_id=KEYS[0], secret_password=KEYS[1]) as sim:
        result = sim.send_webhook(url="http://127.0.0.1:9/nothing-here", webhook_type="ACCOUNTS")
        assert result.status is None and result.error
        assert sim.journal.find(direction="out")[0].error == result.error
