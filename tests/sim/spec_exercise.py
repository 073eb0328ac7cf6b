"""Drives every operation of the bundled spec against a running simulator, in an order that gives each
request what it needs (ids from lists, links of the right institution, an MFA session for each resume).
Imported by name by the fidelity tests (tests/sim has no __init__)."""
import random

from belvo_check.sim.fabricate import Maker, merged
from belvo_check.sim.openapi import operations, resolve
from belvo_check.sim.resources import PATH_COUNTRIES, resource_name

INSTITUTIONS = ("erebor_mx_retail", "ofmockbank_br_retail", "tatooine_mx_fiscal", "planet_mx_retail",
                "planet_br_employment", "tatooine_cl_fiscal", "erebor_co_retail")
ROLE_ORDER = ("list", "create", "detail", "update", "retrieve", "resume", "action", "replace", "delete")
HAND_WRITTEN_BODIES = {("POST", "/api/links/"): {"institution": "erebor_br_retail", "username": "u", "password": "p"},
                       ("PUT", "/api/links/{id}/"): {"institution": "erebor_mx_retail", "username": "u", "password": "new"},
                       ("PATCH", "/api/links/{id}/"): {"access_mode": "recurrent"}}


class Driver:
    def __init__(self, client, sim, trailing_slash: bool = True):
        self.c, self.sim, self.trailing_slash = client, sim, trailing_slash
        self.links = {}
        for name in INSTITUTIONS:
            r = client.post("/api/links/", json={"institution": name, "username": "bnk100", "password": "full",
                                                 "external_id": f"ext-{name}"})
            assert r.status_code == 201, r.text
            self.links[name] = r.json()
        self.rng = random.Random(5)

    def link_for(self, collection: str) -> str:
        institutions = self.sim.store.institutions_by_name
        country = next((c for marker, c in PATH_COUNTRIES.items() if marker in collection), None)
        for name, link in self.links.items():
            inst = institutions[name]
            if resource_name(collection) in inst["resources"] and country in (None, inst["country_codes"][0]):
                return link["id"]
        return self.links["erebor_mx_retail"]["id"]

    def body(self, op, link_id: str | None) -> dict | None:
        if (op.method, op.template) in HAND_WRITTEN_BODIES:
            return HAND_WRITTEN_BODIES[(op.method, op.template)]
        raw = resolve(op_spec(op).get("requestBody") or {})
        if not raw:
            return None
        schema = resolve(next(iter(raw["content"].values()))["schema"])
        facts = {"link": link_id, "date_from": "2024-01-01", "date_to": "2025-12-31", "save_data": True,
                 "id": self.sim.secret_id, "password": self.sim.secret_password, "token": "111111"}
        body = Maker(self.rng, facts).make(merged(schema))
        return body if isinstance(body, dict) else {}

    def path(self, op, unknown_item: bool = False) -> str:
        """The operation's path with real ids: parents and items taken from the lists that hold them (the item's
        id, the last one, an unknown one when ``unknown_item``)."""
        path = op.template
        for i, name in enumerate(op.params):
            collection = op.template.split("{" + name + "}")[0]
            value = None if unknown_item and i == len(op.params) - 1 else self.first_id(collection)
            path = path.replace("{" + name + "}", value or "00000000-0000-4000-8000-000000000000")
        return path

    def first_id(self, prefix: str) -> str | None:
        if prefix in ("/api/links/",):
            return self.links["erebor_mx_retail"]["id"]
        if prefix == "/api/institutions/":
            return "1001"
        template = prefix
        list_op = next((o for o in operations() if o.method == "GET" and o.template == template), None)
        if list_op is None:
            return None
        r = self.c.get(self.path(list_op), params={"link": self.link_for(list_op.collection)})
        results = r.json().get("results") if r.status_code == 200 else None
        return str(results[0]["id"]) if results else None

    def call(self, op, path: str | None = None, body=None, **kw):
        path = path or self.path(op)
        path = path if self.trailing_slash else path.rstrip("/")
        return self.c.request(op.method, path, json=body, **kw)

    def exercise(self):
        """(operation, response) for the success answer of every operation."""
        cascading = ("/api/accounts/{id}/", "/api/links/{id}/")  # their deletes take other items along: last
        ordered = sorted(operations(), key=lambda o: (ROLE_ORDER.index(o.role), o.template in cascading,
                                                      o.template == cascading[1], o.template))
        for op in ordered:
            link_id = self.link_for(op.collection)
            if op.role == "resume":
                yield op, self.resume(op, link_id)
                continue
            params = {"link": link_id} if op.role == "list" and op.template.startswith("/api/") else None
            body = self.body(op, link_id)
            yield op, self.call(op, body=body, params=params)

    def resume(self, op, link_id: str):
        """A retrieve answered 428 (the link asks for a token), then resumed with the session and the token."""
        if op.template == "/api/links/":
            r = self.c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "mfa_numeric",
                                                 "password": "numeric_code"})
            return self.call(op, body={"session": r.json()[0]["session"], "link": r.json()[0]["link"], "token": "111111"})
        retrieve = next(o for o in operations() if o.collection == op.collection and o.role == "retrieve")
        if 428 in retrieve.statuses:
            self.sim.store.link(link_id).record["status"] = "token_required"
            r = self.call(retrieve, body=self.body(retrieve, link_id) | {"token": None})
            assert r.status_code == 428, (op.template, r.status_code, r.text)
            session = r.json()[0]["session"]
        else:  # the spec's retrieve never asks for a token, but documents the resume: open the session directly
            session = self.sim.store.open_session(self.sim.store.resolve(link_id), resource_name(op.collection), "numeric", {})
        return self.call(op, body={"session": session, "link": link_id, "token": "111111"})


def op_spec(op) -> dict:
    from belvo_check.sim.openapi import spec
    return spec()["paths"][op.template][op.method.lower()]


def contract(spec: dict):
    """A function giving the validator of one response schema, read as the fidelity tests read the spec, with two
    documented readings (docs/belvo-api.md, "Simulator"): a `oneOf` whose alternatives overlap (an instance of one
    also satisfies another's requirements, so none can match exactly one) reads as `anyOf`; a link's
    `external_id` may be null."""
    import copy

    from openapi_schema_validator import OAS30Validator

    components = copy.deepcopy(spec["components"])
    schemas = components["schemas"]

    def plain(node):
        while isinstance(node, dict) and "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        return node if isinstance(node, dict) else {}

    def overlap(a, b) -> bool:
        a, b = plain(a), plain(b)
        props_a, props_b = a.get("properties", {}), b.get("properties", {})
        if not set(b.get("required", ())) <= set(props_a) | set(a.get("required", ())):
            return False
        for key in set(props_a) & set(props_b):
            ea, eb = plain(props_a[key]).get("enum"), plain(props_b[key]).get("enum")
            if ea and eb and not set(ea) & set(eb):
                return False
        return a.get("type", "object") == b.get("type", "object")

    def walk(node):
        if isinstance(node, dict):
            alts = node.get("oneOf")
            if alts and any(overlap(a, b) for a in alts for b in alts if a is not b):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(components)
    schemas["external_id"]["nullable"] = True

    def validator(schema: dict) -> OAS30Validator:
        schema = copy.deepcopy(schema)
        walk(schema)
        return OAS30Validator({**schema, "components": components})
    return validator
