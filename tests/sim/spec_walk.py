"""Walks every operation of the bundled spec against a running simulator, each request built from the spec
alone: path ids taken from the same resource's create or list, required query parameters from their examples,
bodies from the spec's examples (the required fields only, or every field the spec describes), and the few
facts no example can know: the secret keys, a link of an institution whose ``resources`` offer the operation's
resource, the sandbox's MFA token and the session a 428 gave. Imported by name (tests/sim has no __init__).
"""
from __future__ import annotations

import random
import re

from belvo_check.sim.fabricate import Maker, fits, merged
from belvo_check.sim.openapi import operations, resolve, spec
from belvo_check.sim.resources import resource_name

ROLE_ORDER = ("list", "create", "retrieve", "detail", "update", "resume", "action", "replace", "delete")
CASCADING = ("/api/accounts/{id}/", "/api/links/{id}/")  # their deletes take other items along: last
KEYS_IN_BODY = "/api/token/"       # the widget token takes the secret keys in its body
MFA_TOKEN = "111111"               # the sandbox's good token
MFA_LINK = {"username": "mfa_numeric", "password": "numeric_code"}  # sandbox credentials that ask for a token
MFA_QUERY = {"walk": "token-required"}  # marks the retrieve the walker's scenario turns to token_required
COUNTRY_SEGMENT = re.compile(r"/(br|mx|cl|co)/")


def walk_scenario(name: str, rules: list | None = None) -> dict:
    """The walker's scenario: ``rules`` plus the one turning a marked retrieve's link to token_required."""
    return {"name": name, "rules": [*(rules or []),
                                    {"name": "walk-token-required", "match": {"method": "POST", "query": MFA_QUERY},
                                     "do": {"link_status": "token_required"}}]}


def op_spec(op) -> dict:
    return spec()["paths"][op.template][op.method.lower()]


def parameters(op) -> list[dict]:
    path_item = spec()["paths"][op.template]
    return [resolve(p) for p in [*op_spec(op).get("parameters", []), *path_item.get("parameters", [])]]


def body_schema(op) -> dict | None:
    raw = resolve(op_spec(op).get("requestBody") or {})
    return resolve(next(iter(raw["content"].values()))["schema"]) if raw else None


def required_instance(schema: dict, facts: dict, rng: random.Random, name: str = "", depth: int = 0):
    """The smallest instance the spec asks for: required fields (and the ones a fact is known for), each the
    spec's example where it gives one; a ``oneOf`` by its first alternative."""
    schema = merged(schema)
    if name in facts and fits(facts[name], schema):
        return facts[name]
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return required_instance(alternatives[0], facts, rng, name, depth + 1)
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if kind == "object" and depth < 12:
        props = schema.get("properties", {})
        keys = [*schema.get("required", ()), *(k for k in props if k in facts and k not in schema.get("required", ()))]
        return {key: required_instance(props.get(key, {}), facts, rng, key, depth + 1) for key in keys}
    if "example" in schema and fits(schema["example"], schema):
        return schema["example"]
    if kind == "array":
        return [required_instance(schema.get("items", {}), facts, rng, name, depth + 1)
                for _ in range(max(1, schema.get("minItems", 0)))]
    return Maker(rng, {}).make(schema, name)


def ids_in(document) -> list[str]:
    """The ids an answer gives: a page's results, a list's items, or one object's."""
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        document = document["results"]
    items = document if isinstance(document, list) else [document]
    return [str(i["id"]) for i in items if isinstance(i, dict) and i.get("id") is not None]


class Walker:
    """``bodies``: "required" (the required fields) or "documented" (every field the spec describes)."""

    def __init__(self, client, sim, bodies: str = "required", trailing_slash: bool = True):
        self.c, self.sim, self.bodies, self.trailing_slash = client, sim, bodies, trailing_slash
        self.rng = random.Random(5)
        self.created: dict[str, list[str]] = {}  # concrete collection path -> ids its create or retrieve gave
        self.listed: dict[str, list[str]] = {}   # concrete collection path -> ids its list gave
        self.links: dict[str, str] = {}          # institution name -> a link of it
        self.institutions = self._all("/api/institutions/")
        self.default_institution = self.institutions[0]["name"]
        for example in resolve(body_schema(self.link_create)).get("oneOf", ()):  # the spec's own example links
            body = required_instance(example, {}, self.rng)
            r = self.call(self.link_create, body=body)
            assert r.status_code == 201, (body, r.text)
            self.record(self.link_create, self.link_create.template, r)
            self.links[body["institution"]] = r.json()["id"]

    @property
    def link_create(self):
        return next(o for o in operations() if o.template == "/api/links/" and o.method == "POST")

    # ---- what the spec cannot say
    def _all(self, path: str) -> list[dict]:
        out, url = [], path
        while url:
            page = self.c.get(url).json()
            out += page["results"]
            url = page["next"]
        return out

    def institution_for(self, collection: str) -> str:
        """One whose ``resources`` offer the collection (in its country): the spec's example institutions first."""
        country = COUNTRY_SEGMENT.search(collection)
        for inst in sorted(self.institutions, key=lambda i: i["name"] not in self.links):
            if resource_name(collection) in inst["resources"] and (
                    not country or country.group(1).upper() in inst["country_codes"]):
                return inst["name"]
        return self.default_institution

    def link_for(self, collection: str) -> str:
        institution = self.institution_for(collection)
        if institution not in self.links:
            r = self.call(self.link_create, body=self.body(self.link_create, {"institution": institution}))
            assert r.status_code == 201, r.text
            self.record(self.link_create, self.link_create.template, r)
            self.links[institution] = r.json()["id"]
        return self.links[institution]

    def facts(self, op) -> dict:
        facts = {"institution": self.default_institution} if op.collection == "/api/links/" else {}
        if op.collection.startswith("/api/") and op.template != "/api/links/":
            facts["link"] = self.link_for(op.collection)
        if op.template == KEYS_IN_BODY:
            facts |= {"id": self.sim.secret_id, "password": self.sim.secret_password}
        return facts

    # ---- requests built from the spec
    def body(self, op, facts: dict):
        schema = body_schema(op)
        if schema is None:
            return None
        if self.bodies == "documented":
            return Maker(self.rng, facts).make(merged(schema))
        return required_instance(schema, facts, self.rng)

    def query(self, op, facts: dict) -> dict:
        out = {}
        for p in parameters(op):
            if p["in"] == "query" and p.get("required"):
                example = p.get("example", resolve(p.get("schema", {})).get("example"))
                out[p["name"]] = facts.get(p["name"], example)
        return out

    def documented_queries(self, op):
        """One query for each query parameter the spec documents with an example: that parameter (a list's items
        joined by commas), beside the required ones."""
        facts = self.facts(op)
        required = self.query(op, facts)
        for p in parameters(op):
            schema = resolve(p.get("schema", {}))
            example = p.get("example", schema.get("example"))
            if example is None and schema.get("type") == "array":
                item = resolve(schema.get("items", {})).get("example")
                example = None if item is None else [item]
            if p["in"] != "query" or example is None or p["name"] in required:
                continue
            value = facts.get(p["name"], example)
            if isinstance(value, list):
                value = ",".join(map(str, value))
            yield {**required, p["name"]: str(value).lower() if isinstance(value, bool) else str(value)}

    def path(self, op, unknown_item: bool = False, listed: bool = False) -> str:
        """The template with real ids, each from the collection before it: the one its create gave, else (or
        when ``listed``) its list's first; the last one unknown when ``unknown_item``."""
        path = op.template
        for i, name in enumerate(op.params):
            prefix = path.split("{" + name + "}")[0]
            if unknown_item and i == len(op.params) - 1:
                value = "00000000-0000-4000-8000-000000000000"
            else:
                value = self.id_in(prefix, listed and i == len(op.params) - 1)
            path = path.replace("{" + name + "}", value, 1)
        return path

    def id_in(self, collection: str, listed: bool = False) -> str:
        if not self.listed.get(collection) and (listed or not self.created.get(collection)):
            lister = next(o for o in operations() if o.method == "GET" and o.role == "list" and o.regex.match(collection))
            self.record(lister, collection, self.call(lister, collection, params=self.query(lister, self.facts(lister))))
        found = self.listed.get(collection) if listed else self.created.get(collection) or self.listed.get(collection)
        assert found, f"nothing in {collection} to take an id from"
        return found[0]

    def record(self, op, path: str, response) -> None:
        """Ids a list, create or retrieve answered with, by the concrete collection path they belong to."""
        if op.role in ("list", "create", "retrieve") and response.status_code in op.success and response.content:
            store = self.listed if op.role == "list" else self.created
            store.setdefault(path, []).extend(ids_in(response.json()))

    def call(self, op, path: str | None = None, body=None, params=None, **kw):
        path = path or self.path(op)
        sent = path if self.trailing_slash else path.rstrip("/")
        return self.c.request(op.method, sent, json=body, params=params, **kw)

    # ---- the walk
    def ordered(self) -> list:
        return sorted(operations(), key=lambda o: (ROLE_ORDER.index(o.role), o.template in CASCADING,
                                                   o.template == CASCADING[1], o.template, o.method))

    def walk(self):
        """(operation, response) for every operation, called as its spec documents it."""
        for op in self.ordered():
            facts = self.facts(op)
            if op.role == "resume":
                yield op, self.resume(op, facts)
                continue
            path = self.path(op)
            response = self.call(op, path, body=self.body(op, facts), params=self.query(op, facts) or None)
            self.record(op, path, response)
            yield op, response
            if op.role == "detail" and self.path(op, listed=True) != path:  # the id its list gave, too
                yield op, self.call(op, self.path(op, listed=True), params=self.query(op, facts) or None)

    def async_mode(self, op):
        """The operation called again with the async header the spec documents for it, else None."""
        header = next((p for p in parameters(op) if p["in"] == "header" and p["name"] == "X-Belvo-Request-Mode"), None)
        if header is None or op.role == "delete":
            return None
        facts = self.facts(op)
        return self.call(op, body=self.body(op, facts), headers={header["name"]: "async"})

    def resume(self, op, facts: dict):
        """A 428 (a link or a retrieve asking for a token), then its session resumed with the token."""
        if op.template == "/api/links/":
            asked = self.call(self.link_create, body={**self.body(self.link_create, self.facts(self.link_create)),
                                                      **MFA_LINK})
        else:
            retrieve = next(o for o in operations() if o.collection == op.collection and o.role == "retrieve")
            if 428 not in retrieve.statuses:
                # The spec documents this resume but no 428 on its retrieve: no request can open its session.
                session = self.sim.store.open_session(self.sim.store.resolve(facts["link"]),
                                                      resource_name(op.collection), "numeric", {})
                return self.call(op, body=self.body(op, {**facts, "session": session, "token": MFA_TOKEN}))
            asked = self.call(retrieve, body=self.body(retrieve, facts), params=MFA_QUERY)
        assert asked.status_code == 428, (op.template, asked.status_code, asked.text)
        challenge = asked.json()[0]
        return self.call(op, body=self.body(op, {**facts, "session": challenge["session"], "link": challenge["link"],
                                                 "token": MFA_TOKEN}))


# A `oneOf` no instance can satisfy exactly once: every OFDA individual owner is also a multi-region Owner.
SUBSUMED = {"#/components/schemas/OwnerIndividualOpenFinanceBrazil", "#/components/schemas/Owner"}


def contract(spec: dict):
    """A function giving the validator of one response schema, the spec read as written but for two documented
    readings (docs/belvo-api.md, "Simulator"): a link's `external_id` may be null, and the owners' `oneOf` whose
    OFDA individual alternative is also an `Owner` reads as `anyOf`."""
    from openapi_schema_validator import OAS30Validator

    def read(node):
        if isinstance(node, list):
            return [read(v) for v in node]
        if not isinstance(node, dict):
            return node
        node = {k: read(v) for k, v in node.items()}
        if SUBSUMED <= {alt.get("$ref") for alt in node.get("oneOf", ())}:
            node["anyOf"] = node.pop("oneOf")
        return node

    components = read(spec["components"])
    components["schemas"]["external_id"]["nullable"] = True

    def validator(schema: dict) -> OAS30Validator:
        return OAS30Validator({**read(schema), "components": components})
    return validator
