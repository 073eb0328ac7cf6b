"""Belvo's OpenAPI spec, bundled, read once per process on first use, and compiled into operations.

The simulator serves every operation the spec describes: the ones it knows well through hand-written
handlers, the rest through generic behaviour chosen from the operation's shape (``Operation.role``).
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib import resources

SPEC_FILE = "belvo-openapi.json"
METHODS = ("get", "post", "put", "patch", "delete")


@functools.cache
def spec() -> dict:
    return json.loads((resources.files(__package__) / SPEC_FILE).read_text(encoding="utf-8"))


def resolve(node: dict) -> dict:
    """Follow ``$ref`` until a node that is not a reference."""
    root = spec()
    while isinstance(node, dict) and "$ref" in node:
        target = root
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


@dataclass
class Operation:
    method: str
    template: str                 # e.g. /api/br/exchanges/{id}/history/
    operation_id: str
    statuses: frozenset           # every status the spec documents for it
    role: str                     # list | detail | retrieve | resume | create | update | replace | delete | action
    collection: str               # the collection this operation serves, e.g. /api/incomes/ (parents as {})
    regex: re.Pattern = field(repr=False, default=None)
    params: tuple = ()
    body_required: tuple = ()
    async_mode: bool = False      # the spec offers X-Belvo-Request-Mode: async (202)
    deletes_per_minute: int = 0   # the rate limit its description states ("delete 5 items per minute"), 0: none

    def schema(self, status: int) -> dict | None:
        response = resolve(spec()["paths"][self.template][self.method.lower()]["responses"].get(str(status), {}))
        content = response.get("content", {}).get("application/json")
        return content["schema"] if content else None

    @property
    def success(self) -> list[int]:
        return sorted(s for s in self.statuses if 200 <= s < 300)


def _role(method: str, template: str, statuses: set, op: dict) -> str:
    ends_in_param = template.rstrip("/").endswith("}")
    if method == "GET":
        return "detail" if ends_in_param else "list"
    if method == "DELETE":
        return "delete"
    if method == "PATCH":
        return "update" if ends_in_param else "resume"
    if method == "PUT":
        return "replace"
    if 204 in statuses and not statuses & {200, 201}:
        return "action"
    response = resolve(op["responses"].get("201") or op["responses"].get("200") or {})
    body = resolve(response.get("content", {}).get("application/json", {}).get("schema", {}))
    required = _body_required(op)
    return "retrieve" if "link" in required or body.get("type") == "array" else "create"


def _body_required(op: dict) -> tuple:
    body = resolve(op.get("requestBody") or {})
    schema = resolve(next(iter(body.get("content", {}).values()), {}).get("schema", {}))
    return tuple(schema.get("required") or ())


def _collection(template: str, role: str) -> str:
    """The collection path of a template: the last ``{param}/`` dropped for per-item operations, parents kept as ``{}``."""
    path = template
    if role in ("detail", "delete", "update", "replace"):
        path = re.sub(r"\{[^}/]+\}/$", "", path)
    elif role == "action":
        path = re.sub(r"\{[^}/]+\}/[^/{}]+/$", "", path) if re.search(r"\{[^}/]+\}/[^/{}]+/$", path) else path
    return re.sub(r"\{[^}/]+\}", "{}", path)


@functools.cache
def operations() -> tuple[Operation, ...]:
    out = []
    for template, item in spec()["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            statuses = {int(code) for code in op.get("responses", {}) if code.isdigit()}
            role = _role(method.upper(), template, statuses, op)
            params = tuple(re.findall(r"\{([^}/]+)\}", template))
            regex = re.compile("^" + re.sub(r"\\\{[^}/]+\\\}", "([^/]+)", re.escape(template.rstrip("/"))) + "/?$")
            limit = re.search(r"delete (\d+) items per minute|(\d+) deletions per minute", op.get("description", ""))
            out.append(Operation(method.upper(), template, op.get("operationId", ""), frozenset(statuses), role,
                                 _collection(template, role), regex, params, _body_required(op),
                                 async_mode=202 in statuses and method == "post",
                                 deletes_per_minute=int(next(g for g in limit.groups() if g)) if limit else 0))
    # Literal segments before parameters: /enrollments/complete-redirection/ before /enrollments/{id}/.
    out.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
    return tuple(out)


def match(method: str, path: str) -> tuple[Operation | None, dict, bool]:
    """(operation, path parameters, path known): the operation serving ``method path``; ``path known`` also
    when only the method is wrong."""
    known = False
    for op in operations():
        m = op.regex.match(path)
        if m:
            known = True
            if op.method == method:
                return op, dict(zip(op.params, m.groups())), True
    return None, {}, known


@functools.cache
def collection_roles(collection: str) -> dict[str, Operation]:
    """role -> operation, for the operations serving one collection."""
    return {o.role: o for o in operations() if o.collection == collection}
