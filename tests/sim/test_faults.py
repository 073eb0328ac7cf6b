"""Each action of the fault menu, switched on from a scenario file, does exactly what it says."""
import json
import re
import socket

import httpx
import pytest
import yaml

from belvo_check.sim import Scenario, Simulator
from simtest import KEYS, make_link

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def run(tmp_path, rules, settings=None, seed=5):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump({"name": "t", "settings": settings or {}, "rules": rules}))
    return Simulator(seed=seed, secret_id=KEYS[0], secret_password=KEYS[1], scenario=Scenario.from_file(path))


@pytest.mark.parametrize("status,code", [(400, "login_error"), (400, "invalid_link"), (400, "too_many_sessions"),
                                         (400, "institution_down"), (401, "authentication_failed"),
                                         (403, "access_to_resource_denied"), (404, "not_found"),
                                         (408, "request_timeout"), (409, "link_refreshed"),
                                         (500, "unexpected_error")])
def test_error_bodies(tmp_path, status, code):
    with run(tmp_path, [{"match": {"path": "/api/accounts/*"}, "do": {"error": {"status": status, "code": code}}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        r = c.get("/api/accounts/")
        assert r.status_code == status and r.headers["content-type"] == "application/json"
        (err,) = r.json()
        assert err["code"] == code and err["message"] and HEX32.match(err["request_id"])
        assert sim.minted_request_ids(rule="rule-0") == [err["request_id"]]


def test_428_error_carries_session(tmp_path):
    with run(tmp_path, [{"match": {"path": "/api/owners/"}, "do": {"error": 428}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        (err,) = c.get("/api/owners/").json()
        assert err["code"] == "token_required" and HEX32.match(err["session"]) and err["expiry"] == 9600
        assert set(err["token_generation_data"]) == {"instructions", "type", "value", "expects_user_input"}


def test_429_with_and_without_retry_after(tmp_path):
    rules = [{"match": {"path": "/api/links/"}, "when": {"first": 1}, "do": {"error": {"status": 429, "retry_after": 7}}},
             {"match": {"path": "/api/links/"}, "do": {"error": 429}}]
    with run(tmp_path, rules) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        first, second = c.get("/api/links/"), c.get("/api/links/")
        assert first.status_code == second.status_code == 429
        assert first.headers["retry-after"] == "7" and "retry-after" not in second.headers
        assert second.json()[0]["code"] == "too_many_requests"


@pytest.mark.parametrize("status", [502, 503])
def test_gateway_errors_are_html(tmp_path, status):
    with run(tmp_path, [{"do": {"error": status}, "match": {"method": "GET", "path": "/api/institutions/"}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        r = c.get("/api/institutions/")
        assert r.status_code == status and r.headers["content-type"].startswith("text/html")
        assert r.text.startswith("<html>") and str(status) in r.text
        with pytest.raises(json.JSONDecodeError):
            r.json()


def test_when_first_every_probability(tmp_path):
    rules = [{"name": "first", "match": {"path": "/api/institutions/"}, "when": {"first": 2}, "do": {"error": 500}},
             {"name": "every", "match": {"path": "/api/links/"}, "when": {"every": 3}, "do": {"error": 500}},
             {"name": "dice", "match": {"path": "/api/owners/"}, "when": {"probability": 0.5}, "do": {"error": 500}}]
    outcomes = []
    for _ in range(2):
        with run(tmp_path, rules) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
            assert [c.get("/api/institutions/").status_code for _ in range(4)] == [500, 500, 200, 200]
            assert [c.get("/api/links/").status_code for _ in range(6)] == [200, 200, 500, 200, 200, 500]
            outcomes.append([c.get("/api/owners/").status_code for _ in range(40)])
    assert outcomes[0] == outcomes[1] and 5 < outcomes[0].count(500) < 35  # seeded, so reproducible


def test_stall_outlasts_client_timeout(tmp_path):
    with run(tmp_path, [{"match": {"path": "/api/institutions/"}, "do": {"stall": 30}}]) as sim:
        with httpx.Client(base_url=sim.url, auth=KEYS, timeout=0.5) as c, pytest.raises(httpx.ReadTimeout):
            c.get("/api/institutions/")
        with httpx.Client(base_url=sim.url, auth=KEYS) as c:
            assert c.get("/api/links/").status_code == 200  # the server is not blocked by the stall
    (entry,) = sim.journal.find(path="/api/institutions/")
    assert entry.status is None and "disconnected" in entry.error


def test_short_stall_then_answer(tmp_path):
    with run(tmp_path, [{"match": {"path": "/api/links/"}, "do": {"stall": 0.3, "error": 408}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        r = c.get("/api/links/")
        assert r.status_code == 408 and r.json()[0]["code"] == "request_timeout"


def test_reset_sends_no_response(tmp_path):
    with run(tmp_path, [{"match": {"path": "/api/links/"}, "do": {"reset": True}}]) as sim:
        with httpx.Client(base_url=sim.url, auth=KEYS) as c, pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.get("/api/links/")
        raw = socket.create_connection(("127.0.0.1", sim.port))
        raw.sendall(b"GET /api/links/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic dGVzdC1pZDp0ZXN0LXBhc3N3b3Jk\r\n\r\n")
        try:
            assert raw.recv(100) == b""
        except ConnectionResetError:
            pass  # the RST arrived first: also no response
        raw.close()
        assert sim.journal.find(path="/api/links/")[0].error == "connection reset"


def test_truncated_and_garbage_bodies(tmp_path):
    rules = [{"match": {"path": "/api/institutions/"}, "do": {"body": "truncated"}},
             {"match": {"path": "/api/links/"}, "do": {"body": "garbage"}}]
    with run(tmp_path, rules) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        with pytest.raises(httpx.RemoteProtocolError):
            c.get("/api/institutions/")
        r = c.get("/api/links/")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
            json.loads(r.content)


def test_mutations_on_the_wire(tmp_path):
    rules = [{"match": {"path": "/api/accounts/*"}, "do": {"add_fields": True, "unknown_enums": True, "timestamps": "0+00:00"}}]
    with run(tmp_path, rules) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c, "bnk100", "full")
        page = c.get("/api/accounts/", params={"link": link["id"]}).json()
        account = page["results"][0]
        assert page["belvo_new_field"] and account["belvo_new_field"] and account["institution"]["belvo_new_field"]
        assert account["category"].endswith("_NEW")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", account["collected_at"])


@pytest.mark.parametrize("variant,pattern", [("0Z", r"Z"), ("3Z", r"\.\d{3}Z"), ("6Z", r"\.\d{6}Z"),
                                             ("3+00:00", r"\.\d{3}\+00:00"), ("6+00:00", r"\.\d{6}\+00:00")])
def test_timestamp_variants(tmp_path, variant, pattern):
    with run(tmp_path, [{"do": {"timestamps": variant}}]) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" + pattern, link["created_at"])


def test_shuffled_keys_differ_in_order_only(tmp_path):
    with run(tmp_path, [{"match": {"method": "GET"}, "do": {"shuffle_keys": True}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c)
        shuffled = c.get(f"/api/links/{link['id']}/").json()
        assert shuffled == link and list(shuffled) != list(link)


@pytest.mark.parametrize("mutation", ["longer_strings", "shorter_strings"])
def test_string_length_mutations_keep_ids_usable(tmp_path, mutation):
    with run(tmp_path, [{"do": {mutation: True}}]) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c, "bnk100", "full")
        real = next(iter(sim.state.links))
        assert (len(link["id"]) > 36) if mutation == "longer_strings" else (len(link["id"]) < 36)
        assert len(link["institution_user_id"]) > 44 if mutation == "longer_strings" else len(link["institution_user_id"]) == 44
        accounts = c.post("/api/accounts/", json={"link": link["id"]}).json()
        assert {a["link"] for a in accounts} == {link["id"]} != {real}  # the same id mutates the same way
        tx = c.get("/api/transactions/", params={"link": link["id"], "account": accounts[0]["id"]}).json()
        assert tx["count"] == 200 and {t["account"]["id"] for t in tx["results"]} == {accounts[0]["id"]}
        assert c.get(f"/api/accounts/{accounts[0]['id']}/").json()["id"] == accounts[0]["id"]


def test_repeat_across_pages(tmp_path):
    with run(tmp_path, [{"match": {"path": "/api/transactions/"}, "do": {"repeat_across_pages": 2}}]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c)
        p1 = c.get("/api/transactions/", params={"link": link["id"]}).json()
        p2 = c.get(p1["next"]).json()
        assert [t["id"] for t in p2["results"][:2]] == [t["id"] for t in p1["results"][-2:]]
        assert p2["count"] == p1["count"]


@pytest.mark.parametrize("status,code", [("invalid", "invalid_link"), ("token_required", "token_required")])
def test_link_status_turns(tmp_path, status, code):
    rules = [{"match": {"method": "POST", "path": "/api/transactions/"}, "when": {"first": 1}, "do": {"link_status": status}}]
    with run(tmp_path, rules) as sim, httpx.Client(base_url=sim.url, auth=KEYS) as c:
        link = make_link(c)
        body = {"link": link["id"], "date_from": "2000-01-01"}
        first, second = c.post("/api/transactions/", json=body), c.post("/api/transactions/", json=body)
        assert first.json()[0]["code"] == second.json()[0]["code"] == code
        assert c.get(f"/api/links/{link['id']}/").json()["status"] == status
        assert c.post(f"/api/links/{link['id']}/refresh/").json()[0]["code"] == code  # nor can it be refreshed
        if status == "token_required":
            resumed = c.patch("/api/transactions/", json={"session": second.json()[0]["session"], "token": "111111",
                                                          "link": link["id"]})
            assert resumed.status_code == 201 and len(resumed.json()) == 60
