"""Generic behaviour for every operation of the spec without a hand-written handler.

Each operation's role (``openapi.Operation.role``) picks the behaviour: a paginated list, a detail, a
retrieve that creates resources for a link (POST, 201 or 200 with ``save_data: false``, 202 in async
mode where the spec offers it), the resume of a retrieve after an MFA token (PATCH), a create, an
update, an action (204) or a delete. Items are made from the spec's own schemas (``fabricate``), with
country-true facts, and kept per collection and scope (a link, a parent object, or none).
"""
from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, field
from datetime import timedelta

from . import listing
from .countries import CURRENCIES, Person
from .data import dumps, timestamp
from .fabricate import Maker, fits, merged
from .ids import uuid_for
from .openapi import Operation, collection_roles, resolve
from .replies import Replies, Reply

ITEMS_PER_LINK = 2      # of each resource a link's institution offers
ITEMS_PER_SCOPE = 3     # of each collection that belongs to no link (payments, consents, a parent's history)
PATH_COUNTRIES = {"/br/": "BR", "/mx/": "MX", "/cl/": "CL", "/co/": "CO"}


@dataclass
class Collection:
    """The items of one collection within one scope, serialized, by id (in creation order)."""
    name: str
    scope: str
    items: dict = field(default_factory=dict)


def resource_name(collection: str) -> str:
    """The name an institution's ``resources`` uses for a collection: /api/br/employments/ -> EMPLOYMENTS."""
    return collection.rstrip("/").rsplit("/", 1)[-1].replace("-", "_").upper()


@functools.cache
def item_schema(collection: str) -> dict:
    """The schema of one item of a collection: its list's results, else its retrieve's, detail's or create's answer."""
    ops = collection_roles(collection)
    if "list" in ops:
        results = merged(ops["list"].schema(200) or {}).get("properties", {}).get("results")
        if results:
            return resolve(results)["items"]
    for role in ("retrieve", "detail", "create"):
        if role in ops:
            op = ops[role]
            body = resolve(op.schema(next(s for s in (201, 200, *op.success) if s in op.statuses)) or {})
            return body.get("items", body) if body.get("type") == "array" else body
    return {"type": "object", "properties": {"id": {"type": "string"}}}


def created_schema(op: Operation, status: int) -> dict:
    """The schema an item a create makes is made from: the create's answer, with the alternatives the collection's
    detail also answers tried first, so the item read back fits the detail too (a payment intent's create answers
    the Pix-key or the OFPI shape, its detail the OFPI shape only)."""
    schema = op.schema(status) or {}
    detail = collection_roles(op.collection).get("detail")
    read = detail.schema(200) if detail else None
    alternatives = resolve(schema).get("oneOf")
    if not alternatives or read not in alternatives:
        return schema
    return {"oneOf": [read, *(alt for alt in alternatives if alt != read)]}


def country_of(path: str) -> str:
    return next((c for marker, c in PATH_COUNTRIES.items() if marker in path), "MX")


class Resources:
    def __init__(self, replies: Replies):
        self.replies, self.core, self.store = replies, replies.core, replies.store

    # ---- the collection model
    def linked(self, collection: str) -> bool:
        """A collection filled by retrieving it for a link (``POST`` with ``link``)."""
        return "retrieve" in collection_roles(collection)

    def collection(self, name: str, scope: str, link=None) -> Collection:
        key = (name, scope)
        found = self.store.collections.get(key)
        if found is None:
            found = self.store.collections[key] = Collection(name, scope)
            count = (ITEMS_PER_LINK if link.volume.accounts else 0) if link is not None else ITEMS_PER_SCOPE
            for i in range(count):
                self._add(found, self.make(name, scope, i, link))
        return found

    def make(self, name: str, scope: str, i, link=None, given: dict | None = None, schema: dict | None = None) -> dict:
        """Item ``i`` of a collection within a scope: the collection's item schema (or ``schema``) made real."""
        seed = self.core.seed
        rng = random.Random(f"{seed}:{name}:{scope}:{i}")
        country = link.country if link is not None else country_of(name)
        facts = Person(country, rng).facts()
        now = self.store.today + timedelta(hours=9, seconds=rng.randrange(3600), microseconds=rng.randrange(10**6))
        facts.update({"id": uuid_for(seed, name, scope, i), "currency": CURRENCIES.get(country, "MXN"),
                      **{key: timestamp(now) for key in ("collected_at", "created_at", "updated_at", "last_updated_at")}})
        if link is not None:
            facts.update({"link": link.id, "link_id": link.id, "institution": link.record["institution"]})
            if link.volume.accounts:
                account = link.account_obj(0)
                facts.update({"account": account, "account_id": account["id"]})
        for key, value in (given or {}).items():
            facts[key] = value
        return Maker(rng, facts).make(schema or item_schema(name))

    def _add(self, collection: Collection, item: dict) -> None:
        item_id = str(item.get("id")) if isinstance(item, dict) else str(len(collection.items))
        collection.items[item_id] = dumps(item)
        self.store.item_index[item_id] = (collection.name, collection.scope)

    def find(self, collection: str, scope: str, item_id: str) -> tuple[Collection, str] | None:
        owner = self.store.item_index.get(self.store.resolve(item_id))
        if owner is None or owner[0] != collection or (scope and owner[1] != scope):
            return None
        found = self.store.collections.get(owner)
        real = self.store.resolve(item_id)
        return (found, real) if found is not None and real in found.items else None

    # ---- serving an operation
    def serve(self, ctx, op: Operation) -> Reply:
        return getattr(self, op.role)(ctx, op)

    def refuse(self, op: Operation, code: str, preferred=(400,), field: str | None = None, message: str | None = None):
        """An error with the first of ``preferred`` statuses the operation documents."""
        status = next((s for s in preferred if s in op.statuses), preferred[0])
        return self.replies.error(status, code, field, message)

    def _unknown_parent(self, ctx, op: Operation, count: int):
        """The error for a path naming a parent (the first ``count`` ids) that does not exist, else None."""
        for name in op.params[:count]:
            if self.store.resolve(ctx.params[name]) not in self.store.item_index:
                return self.refuse(op, "not_found", (404, 400))
        return None

    def _scope(self, ctx, op: Operation) -> str:
        parents = [ctx.params[p] for p in op.params[: op.collection.count("{}")]]
        return "/".join(parents)

    def _links(self, ctx, collection: str) -> list:
        wanted = ctx.query.get("link__in", ctx.query.get("link", ""))
        links = [link for link in map(self.store.link, wanted.split(",")) if link] if wanted \
            else list(self.store.links.values())
        return [link for link in links if self.offers(link, collection)]

    def offers(self, link, collection: str) -> bool:
        """The link's institution offers this collection (its resource, and its country for /br/, /mx/, /cl/)."""
        country = next((c for marker, c in PATH_COUNTRIES.items() if marker in collection), None)
        resources = self.store.institutions_by_name[link.record["institution"]]["resources"]
        return resource_name(collection) in resources and country in (None, link.country)

    def list(self, ctx, op: Operation):
        if self.linked(op.collection):
            collections = [self.collection(op.collection, link.id, link) for link in self._links(ctx, op.collection)]
        else:
            unknown = self._unknown_parent(ctx, op, len(op.params))
            if unknown:
                return unknown
            collections = [self.collection(op.collection, self._scope(ctx, op))]
        items = [text for c in collections for text in c.items.values()]
        test = listing.predicate({k: v for k, v in ctx.query.items() if k not in ("link", "link__in")})
        if test:
            items = [text for text in items if test(json.loads(text))]
        return self.replies.paginate(ctx, items)

    def detail(self, ctx, op: Operation):
        found = self.find(op.collection, self._scope(ctx, op), ctx.params[op.params[-1]])
        if not found:
            return self.refuse(op, "not_found", (404, 400))
        collection, item_id = found
        text = collection.items[item_id]
        if resolve(op.schema(200) or {}).get("type") == "array":
            text = f"[{text}]"
        return self.replies.reply(200, text)

    def delete(self, ctx, op: Operation):
        found = self.find(op.collection, self._scope(ctx, op), ctx.params[op.params[-1]])
        if not found:
            return self.refuse(op, "not_found", (404, 400))
        if op.deletes_per_minute and not self.store.delete_allowed(op.collection, op.deletes_per_minute):
            return self.replies.error(429, "too_many_requests")
        collection, item_id = found
        self.remove(collection, item_id)
        return self.replies.reply(204)

    def remove(self, collection: Collection, item_id: str) -> None:
        """Delete one item and what the spec says goes with it (the collections nested under it)."""
        del collection.items[item_id]
        self.store.item_index.pop(item_id, None)
        nested = collection.name + "{}/"
        for key in [k for k in self.store.collections if k[0].startswith(nested) and k[1].endswith(item_id)]:
            for child in self.store.collections.pop(key).items:
                self.store.item_index.pop(child, None)

    def retrieve(self, ctx, op: Operation):
        body = ctx.body or {}
        for name in ("link", *op.body_required):
            if body.get(name) in (None, ""):
                return self.refuse(op, "required", field=name, message="This field is required.")
        link = self.store.link(body["link"])
        if not link:
            return self.refuse(op, "does_not_exist", field="link", message=f"Object with id={body['link']} does not exist.")
        if not self.offers(link, op.collection):
            return self.refuse(op, "unsupported_operation")
        problem = self.replies.link_problem(link, resource_name(op.collection), body, op)
        if problem:
            return problem
        return self._retrieved(ctx, op, link, body)

    def resume(self, ctx, op: Operation):
        session, link, problem = self.replies.session(ctx, resource_name(op.collection))
        if problem:
            return problem
        link.record["status"] = "valid"
        retrieve = collection_roles(op.collection).get("retrieve", op)
        return self._retrieved(ctx, retrieve, link, {**session.request, **(ctx.body or {})}, resumed=op)

    def _retrieved(self, ctx, op: Operation, link, body: dict, resumed: Operation | None = None):
        if op.async_mode and resumed is None and ctx.request.headers.get("x-belvo-request-mode") == "async":
            return self.replies.accepted(link, resource_name(op.collection))
        items = list(self.collection(op.collection, link.id, link).items.values())
        status = 200 if body.get("save_data") is False else 201
        answer = (resumed or op).schema(status) or {}
        text = f"[{','.join(items)}]" if resolve(answer).get("type") == "array" else (items[0] if items else "{}")
        return self.replies.reply(status, text)

    def create(self, ctx, op: Operation):
        body = ctx.body or {}
        for name in op.body_required:
            if body.get(name) in (None, ""):
                return self.refuse(op, "required", field=name, message="This field is required.")
        unknown = self._unknown_parent(ctx, op, len(op.params))
        if unknown:
            return unknown
        scope = self._scope(ctx, op)
        collection = self.collection(op.collection, scope)
        status = op.success[0]
        item = self.make(op.collection, scope, f"created-{len(collection.items)}", given=_plain(body),
                         schema=created_schema(op, status))
        self._add(collection, item)
        return self.replies.reply(status, dumps(item))

    def update(self, ctx, op: Operation):
        found = self.find(op.collection, self._scope(ctx, op), ctx.params[op.params[-1]])
        if not found:
            return self.refuse(op, "not_found", (404, 400))
        collection, item_id = found
        item = json.loads(collection.items[item_id])
        schema = merged(item_schema(op.collection))
        for key, value in (ctx.body or {}).items():
            if key in schema.get("properties", {}) and fits(value, schema["properties"][key]):
                item[key] = value
        collection.items[item_id] = dumps(item)
        return self.replies.reply(200, collection.items[item_id])

    def action(self, ctx, op: Operation):
        found = self.find(op.collection, self._scope(ctx, op), ctx.params[op.params[-1]])
        if not found:
            return self.refuse(op, "not_found", (404, 400))
        return self.replies.reply(204)

    replace = update


def _plain(body: dict) -> dict:
    """Body fields a client set, as facts for the item it creates (secrets never echoed)."""
    return {k: v for k, v in body.items() if k not in ("password", "token", "session")}
