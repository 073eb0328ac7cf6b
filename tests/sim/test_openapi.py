"""The classic endpoints' answers (links, MFA, accounts, transactions, owners, the token, refresh, deletes)
validate against Belvo's OpenAPI v1.223.0 under every mutation, the string-length ones included: on these
operations the spec leaves ids and texts free in length. test_spec_coverage.py covers all 148 operations.

The spec describes accounts and transactions in their Open Finance Brazil shape; the simulator sends the
multi-region shape with the Open Finance keys present (null where they do not apply), so those validate too.
"""
import httpx
import pytest
from openapi_schema_validator import OAS30Validator

from belvo_check.sim import Scenario, Simulator
from belvo_check.sim.openapi import spec as bundled_spec
from simtest import KEYS, make_link

MUTATIONS = {
    "none": {},
    "shuffle_keys": {"shuffle_keys": True},
    "add_fields": {"add_fields": True},
    "longer_strings": {"longer_strings": True},
    "shorter_strings": {"shorter_strings": True},
    **{f"timestamps_{v}": {"timestamps": v} for v in ("0Z", "3Z", "6Z", "0+00:00", "3+00:00", "6+00:00", "mixed")},
}


@pytest.fixture(scope="module")
def spec():
    return bundled_spec()


def response_schema(spec, method, path, status):
    response = spec["paths"][path][method.lower()]["responses"][str(status)]
    while "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def forbids_extra_fields(node) -> bool:
    if isinstance(node, dict):
        return node.get("additionalProperties") is False or any(forbids_extra_fields(v) for v in node.values())
    if isinstance(node, list):
        return any(forbids_extra_fields(v) for v in node)
    return False


def exchanges(c):
    """(method, spec path, status, response) for every endpoint the simulator and [S223] share."""
    link = make_link(c, external_id="cust-77")
    lid = link["id"]
    out = [("GET", "/api/institutions/", 200, c.get("/api/institutions/")),
           ("GET", "/api/institutions/{id}/", 200, c.get("/api/institutions/1001/")),
           ("GET", "/api/links/", 200, c.get("/api/links/")),
           ("GET", "/api/links/{id}/", 200, c.get(f"/api/links/{lid}/")),
           ("PATCH", "/api/links/{id}/", 200, c.patch(f"/api/links/{lid}/", json={"access_mode": "recurrent"})),
           ("PUT", "/api/links/{id}/", 200, c.put(f"/api/links/{lid}/", json={"password": "x"})),
           ("POST", "/api/links/", 400, c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "user_invalid", "password": "pass_invalid"})),
           ("POST", "/api/links/", 428, c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "mfa_qr", "password": "qr_code"})),
           ("POST", "/api/accounts/", 201, c.post("/api/accounts/", json={"link": lid})),
           ("POST", "/api/accounts/", 200, c.post("/api/accounts/", json={"link": lid, "save_data": False})),
           ("GET", "/api/accounts/", 200, c.get("/api/accounts/", params={"link": lid})),
           ("POST", "/api/transactions/", 201, c.post("/api/transactions/", json={"link": lid, "date_from": "2000-01-01"})),
           ("GET", "/api/transactions/", 200, c.get("/api/transactions/", params={"link": lid})),
           ("POST", "/api/owners/", 201, c.post("/api/owners/", json={"link": lid})),
           ("GET", "/api/owners/", 200, c.get("/api/owners/", params={"link": lid})),
           ("POST", "/api/token/", 200, c.post("/api/token/", json={"id": KEYS[0], "password": KEYS[1], "scopes": "read_institutions,write_links"})),
           ("POST", "/api/links/{id}/refresh/", 202, c.post(f"/api/links/{lid}/refresh/")),
           ("POST", "/api/links/{id}/refresh/", 409, c.post(f"/api/links/{lid}/refresh/")),
           ("GET", "/api/links/", 401, c.get("/api/links/", auth=("x", "y")))]
    tx = out[12][3].json()["results"][0]["id"]
    out += [("GET", "/api/transactions/{id}/", 200, c.get(f"/api/transactions/{tx}/")),
            ("GET", "/api/links/{id}/", 404, c.get("/api/links/00000000-0000-4000-8000-000000000000/")),
            ("POST", "/api/transactions/", 202, c.post("/api/transactions/", json={"link": lid, "date_from": "2000-01-01"},
                                                      headers={"X-Belvo-Request-Mode": "async"})),
            ("DELETE", "/api/links/{id}/", 202, c.delete(f"/api/links/{lid}/", headers={"X-Belvo-Request-Mode": "async"}))]
    return out


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_responses_match_the_spec(spec, mutation):
    scenario = Scenario.from_dict({"name": mutation, "rules": [{"do": MUTATIONS[mutation]}] if MUTATIONS[mutation] else []})
    failures = []
    with Simulator(seed=9, secret_id=KEYS[0], secret_password=KEYS[1], scenario=scenario) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS) as c:
        for method, path, status, response in exchanges(c):
            assert response.status_code == status, (method, path, response.text)
            schema = response_schema(spec, method, path, status)
            if mutation == "add_fields" and forbids_extra_fields(schema):
                continue
            validator = OAS30Validator({**schema, "components": spec["components"]})
            for error in list(validator.iter_errors(response.json()))[:3]:
                failures.append(f"{method} {path} {status}: {'/'.join(map(str, error.absolute_path))}: {error.message[:200]}")
    assert not failures, "\n".join(failures[:20])
