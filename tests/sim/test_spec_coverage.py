"""Every operation of Belvo's OpenAPI v1.223.0, walked from the spec itself (spec_walk.py: ids from the same
resource's create or list, required parameters and bodies from the spec's examples), answers a status the spec
documents for it with a body that validates against the spec's schema for that status: the success answers
(required-field and every-field bodies, with and without the trailing slash, under the mutations that stay
within the contract, with the async header where the spec documents it), the error answers (bad keys, an
unknown id, a body missing what the spec requires) and the faults a scenario injects."""
import httpx
import pytest

from belvo_check.sim import Scenario, Simulator
from belvo_check.sim.openapi import operations, spec
from simtest import KEYS
from spec_walk import Walker, contract, walk_scenario

# (bodies, trailing slash, mutation). longer_strings and shorter_strings change ids and texts whose pattern or
# length the spec pins on many of these operations (uuids, CPFs, dates): test_openapi.py checks them where the
# spec leaves the strings free.
RUNS = {
    "required": ("required", True, {}),
    "documented-no-slash": ("documented", False, {}),
    "required-add-fields": ("required", True, {"add_fields": True}),
    "documented-shuffled-retimed-repeated": ("documented", True,
                                             {"shuffle_keys": True, "timestamps": "mixed", "repeat_across_pages": 1}),
}
BAD_KEYS = {"/api/token/": None, "/payments/br/token/": 400}  # the keys in the body; no 401 documented
EVERY_OPERATION = {(op.method, op.template) for op in operations()}


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


def problems(validator, op, response, success: bool = False) -> list[str]:
    where = f"{op.method} {op.template} ({response.request.method} {response.request.url.path})"
    if response.status_code not in (op.success if success else op.statuses):
        return [f"{where}: {response.status_code} is not a {'success ' if success else ''}status the spec documents "
                f"({sorted(op.statuses)}): {response.text[:200]}"]
    schema = op.schema(response.status_code)
    if response.status_code == 204 or schema is None:
        return [] if not response.content else [f"{where}: a body where the spec has none"]
    return [f"{where} {response.status_code}: {'/'.join(map(str, e.absolute_path))}: {e.message[:160]}"
            for e in list(validator(schema).iter_errors(response.json()))[:2]]


def simulator(name: str, rules: list | None = None, seed: int = 9):
    return Simulator(seed=seed, secret_id=KEYS[0], secret_password=KEYS[1],
                     scenario=Scenario.from_dict(walk_scenario(name, rules)))


def test_the_spec_has_148_operations_and_each_has_a_role():
    assert len(operations()) == 148
    assert all(op.role and op.success for op in operations())


@pytest.mark.parametrize("run", list(RUNS))
def test_every_operation_answers_as_its_spec_documents(validator, run):
    bodies, slash, mutation = RUNS[run]
    failures, served = [], set()
    with simulator(run, [{"do": mutation}] if mutation else []) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        walker = Walker(c, sim, bodies=bodies, trailing_slash=slash)
        for op, response in walker.walk():
            served.add((op.method, op.template))
            if not (mutation.get("add_fields") and forbids_extra_fields(op.schema(response.status_code) or {})):
                failures += problems(validator, op, response, success=True)
            asynchronous = walker.async_mode(op)
            if asynchronous is not None:
                failures += problems(validator, op, asynchronous, success=True)
    assert served == EVERY_OPERATION
    assert not failures, "\n".join(failures[:25])


def test_every_documented_query_parameter_answers_as_documented(validator):
    """Each list and detail, with each query parameter its spec documents (filters, paging), set to its example."""
    failures, asked = [], 0
    with simulator("queries") as sim, httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        walker = Walker(c, sim)
        for op in walker.ordered():
            if op.method == "GET":
                for params in walker.documented_queries(op):
                    asked += 1
                    failures += problems(validator, op, walker.call(op, params=params), success=True)
    assert asked > 500 and not failures, "\n".join(failures[:25])


def test_every_error_answer_is_documented_and_validates(validator):
    failures = []
    with simulator("errors", seed=4) as sim, httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        walker = Walker(c, sim)
        for op in walker.ordered():
            expected = BAD_KEYS.get(op.template, 401)
            if expected:
                r = walker.call(op, path=op.template.replace("{", "x").replace("}", ""), auth=("nobody", "nothing"))
                assert r.status_code == expected, (op.template, r.status_code)
                failures += problems(validator, op, r)
            if op.params and op.role != "list":
                r = walker.call(op, path=walker.path(op, unknown_item=True),
                                body={} if op.method in ("POST", "PATCH", "PUT") else None)
                assert r.status_code in (404, 400), (op.template, r.status_code, r.text)
                failures += problems(validator, op, r)
            if op.role in ("retrieve", "create") and (op.body_required or op.role == "retrieve"):
                r = walker.call(op, body={})
                assert r.status_code == 400, (op.template, r.status_code, r.text)
                failures += problems(validator, op, r)
    assert not failures, "\n".join(failures[:25])


def test_a_scenario_fault_reaches_every_operation(validator):
    """A rule matching every path answers each operation with its error, journaled under the rule's name."""
    rule = {"name": "all-down", "match": {"path": "/*", "query": {"fault": "*"}},
            "do": {"error": {"status": 500, "code": "unexpected_error", "format": "json"}}}
    failures = []
    with simulator("faults", [rule], seed=4) as sim, httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        walker = Walker(c, sim)
        for op in walker.ordered():
            r = walker.call(op, path=walker.path(op, unknown_item=True), params={"fault": "1"})
            if r.status_code != 500 or r.json()[0]["code"] != "unexpected_error":
                failures.append(f"{op.method} {op.template}: {r.status_code} {r.text[:120]}")
            elif 500 in op.statuses:
                failures += problems(validator, op, r)
        assert len(sim.journal.find(rule="all-down")) == len(operations())
    assert not failures, "\n".join(failures[:25])


def test_an_owner_shape_the_spec_cannot_tell_apart():
    """The one `oneOf` read as `anyOf` (docs/belvo-api.md): an OFDA individual owner is also a multi-region
    Owner (Owner requires nothing it lacks and constrains nothing it sends), so none matches exactly one."""
    from openapi_schema_validator import OAS30Validator

    components = spec()["components"]
    owner = OAS30Validator({"$ref": "#/components/schemas/Owner", "components": components})
    with simulator("owners") as sim, httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        link = c.post("/api/links/", json={"institution": "ofmockbank_br_retail", "username": "u", "password": "p"})
        owners = c.get("/api/owners/", params={"link": link.json()["id"]}).json()["results"]
    assert owners and all(owner.is_valid(o) and "social_name" in o for o in owners)


def test_with_and_without_the_trailing_slash_and_405_for_other_methods():
    with simulator("slash", seed=4) as sim, httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        for path in ("/api/incomes/", "/api/br/balances/", "/payments/br/customers/", "/api/cl/debt-reports/"):
            assert c.get(path).status_code == 200 and c.get(path.rstrip("/")).status_code == 200
            r = c.put(path, json={})
            assert r.status_code == 405 and r.json()[0]["code"] == "method_not_allowed"
        assert c.get("/api/no-such-thing/").status_code == 404


def test_the_fault_menu_applies_to_spec_served_operations():
    rules = [{"name": "pay-down", "match": {"path": "/payments/br/*"}, "when": {"first": 1},
              "do": {"error": {"status": 503, "code": "unexpected_error", "format": "json"}}},
             {"name": "turn", "match": {"method": "POST", "path": "/api/recurring-expenses/*"},
              "do": {"link_status": "token_required"}},
             {"name": "turn-fiscal", "match": {"method": "POST", "path": "/api/tax-compliance-status/*"},
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
        fiscal = c.post("/api/links/", json={"institution": "tatooine_mx_fiscal", "username": "u", "password": "p"}).json()
        asked = c.post("/api/tax-compliance-status/", json={"link": fiscal["id"]})
        assert asked.status_code == 428 and asked.json()[0]["code"] == "token_required"
        resumed = c.post("/api/tax-compliance-status/", json={"link": fiscal["id"], "token": "111111"})
        assert resumed.status_code == 201
        assert c.get(f"/api/tax-compliance-status/{resumed.json()['id']}/").status_code == 200
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
