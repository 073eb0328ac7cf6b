"""Every operation of Belvo's OpenAPI v1.223.0 answers, with a status the spec documents for it and a body that
validates against the spec's schema for that status: the success answers (also under every mutation that stays
within the contract), and the error answers (bad keys, an unknown id, a body missing what the spec requires)."""
import httpx
import pytest

from belvo_check.sim import Scenario, Simulator
from belvo_check.sim.openapi import operations, spec
from simtest import KEYS
from spec_exercise import Driver, contract

# The mutations that stay within the contract everywhere. longer_strings and shorter_strings change ids and texts
# whose pattern or length the spec pins on many of these operations (uuids, CPFs, dates): test_openapi.py checks
# them where the spec leaves the strings free.
MUTATIONS = {
    "none": {},
    "add_fields": {"add_fields": True},
    "shuffled_retimed_repeated": {"shuffle_keys": True, "timestamps": "mixed", "repeat_across_pages": 1},
}
BAD_KEYS = {"/api/token/": None, "/payments/br/token/": 400}  # the keys in the body; no 401 documented


@pytest.fixture(scope="module")
def validator():
    return contract(spec())


def forbids_extra_fields(node, seen=None) -> bool:
    """Whether a schema, or any schema it refers to, closes its objects (``additionalProperties: false``)."""
    seen = set() if seen is None else seen
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            if ref in seen:
                return False
            seen.add(ref)
            return forbids_extra_fields(spec()["components"]["schemas"][ref.rsplit("/", 1)[1]], seen)
        return node.get("additionalProperties") is False or any(forbids_extra_fields(v, seen) for v in node.values())
    if isinstance(node, list):
        return any(forbids_extra_fields(v, seen) for v in node)
    return False


def problems(validator, op, response) -> list[str]:
    if response.status_code not in op.statuses:
        return [f"{op.method} {op.template}: {response.status_code} is not a status the spec documents "
                f"({sorted(op.statuses)}): {response.text[:200]}"]
    schema = op.schema(response.status_code)
    if response.status_code == 204 or schema is None:
        return [] if not response.content else [f"{op.method} {op.template}: a body where the spec has none"]
    return [f"{op.method} {op.template} {response.status_code}: {'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
            for e in list(validator(schema).iter_errors(response.json()))[:2]]


def test_the_spec_has_148_operations_and_each_has_a_role():
    assert len(operations()) == 148
    assert all(op.role and op.success for op in operations())


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_every_operation_succeeds_within_the_contract(validator, mutation):
    """One of the runs calls every path without its trailing slash."""
    rules = [{"do": MUTATIONS[mutation]}] if MUTATIONS[mutation] else []
    failures, served = [], set()
    with Simulator(seed=9, secret_id=KEYS[0], secret_password=KEYS[1],
                   scenario=Scenario.from_dict({"name": mutation, "rules": rules})) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        for op, response in Driver(c, sim, trailing_slash=mutation != "shuffled_retimed_repeated").exercise():
            served.add((op.method, op.template))
            if response.status_code not in op.success:
                failures.append(f"{op.method} {op.template}: {response.status_code} {response.text[:200]}")
            elif not (mutation == "add_fields" and forbids_extra_fields(op.schema(response.status_code) or {})):
                failures += problems(validator, op, response)
    assert len(served) == 148
    assert not failures, "\n".join(failures[:25])


def test_every_error_answer_is_documented_and_validates(validator):
    failures = []
    with Simulator(seed=4, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        driver = Driver(c, sim)
        for op in operations():
            expected = BAD_KEYS.get(op.template, 401)
            if expected:
                r = driver.call(op, path=op.template.replace("{", "x").replace("}", ""), auth=("nobody", "nothing"))
                assert r.status_code == expected, (op.template, r.status_code)
                failures += problems(validator, op, r)
            if op.params and op.role != "list":
                r = driver.call(op, path=driver.path(op, unknown_item=True),
                                body={} if op.method in ("POST", "PATCH", "PUT") else None)
                assert r.status_code in (404, 400), (op.template, r.status_code, r.text)
                failures += problems(validator, op, r)
            if op.role in ("retrieve", "create") and (op.body_required or op.role == "retrieve"):
                r = driver.call(op, body={})
                assert r.status_code == 400, (op.template, r.status_code, r.text)
                failures += problems(validator, op, r)
    assert not failures, "\n".join(failures[:25])


def test_with_and_without_the_trailing_slash_and_405_for_other_methods():
    with Simulator(seed=4, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        for path in ("/api/incomes/", "/api/br/balances/", "/payments/br/customers/", "/api/cl/debt-reports/"):
            assert c.get(path).status_code == 200 and c.get(path.rstrip("/")).status_code == 200
            r = c.put(path, json={})
            assert r.status_code == 405 and r.json()[0]["code"] == "method_not_allowed"
        assert c.get("/api/no-such-thing/").status_code == 404


def test_the_fault_menu_applies_to_spec_served_operations(tmp_path):
    rules = [{"name": "pay-down", "match": {"path": "/payments/br/*"}, "when": {"first": 1},
              "do": {"error": {"status": 503, "code": "unexpected_error", "format": "json"}}},
             {"name": "turn", "match": {"method": "POST", "path": "/api/recurring-expenses/*"},
              "do": {"link_status": "token_required"}},
             {"name": "cut", "match": {"path": "/api/br/exchanges/*"}, "do": {"body": "garbage"}}]
    with Simulator(seed=4, secret_id=KEYS[0], secret_password=KEYS[1],
                   scenario=Scenario.from_dict({"name": "x", "rules": rules})) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        first, second = c.get("/payments/br/customers/"), c.get("/payments/br/customers/")
        assert first.status_code == 503 and first.json()[0]["code"] == "unexpected_error" and second.status_code == 200
        link = c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "u", "password": "p"}).json()
        asked = c.post("/api/recurring-expenses/", json={"link": link["id"]})
        assert asked.status_code == 428 and asked.json()[0]["code"] == "token_required"
        assert c.get("/api/br/exchanges/").content[:1] == b"\xff"
        assert [e.rules for e in sim.journal.find(path="/payments/br/customers/")] == [["pay-down"], []]


def test_spec_served_lists_paginate_and_filter():
    with Simulator(seed=4, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        links = [c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": f"u{i}", "password": "p"}).json()["id"]
                 for i in range(6)]
        first = c.get("/api/incomes/").json()
        assert first["count"] == 12 and len(first["results"]) == 10 and first["previous"] is None
        second = httpx.get(first["next"], auth=KEYS).json()
        ids = [i["id"] for i in first["results"] + second["results"]]
        assert len(set(ids)) == 12 and second["next"] is None
        two = c.get("/api/incomes/", params={"link__in": ",".join(links[:2])}).json()
        assert two["count"] == 4 and {i["link"] for i in two["results"]} == set(links[:2])
        assert c.get("/api/incomes/", params={"page": 9}).status_code == 404
        c.post("/payments/br/token/", json={"id": KEYS[0], "password": KEYS[1], "use_cases": ["x"], "widget": {}})
        assert "id" not in (sim.journal.find(path="/payments/br/token/")[0].body or {})
