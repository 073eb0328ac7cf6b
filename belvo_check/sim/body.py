"""Request bodies as Belvo's API reads them: bounded, parsed as strict JSON, checked field by field.

Whatever a client sends, a handler sees either ``None`` (no body) or a dict whose known fields have
the types Belvo accepts; everything else becomes a ``BodyError``, which the exchange answers with a
Belvo error body. The rules follow Django REST framework, which Belvo's API answers with.
"""
from __future__ import annotations

import json

MAX_BYTES = 1 << 20   # a Belvo request body is a few hundred bytes; 1 MiB is far beyond any real one
MAX_DEPTH = 64        # nesting no Belvo request has; deeper would only exercise recursion limits
METHODS_WITH_BODY = {"POST", "PUT", "PATCH"}

TEXT_FIELDS = {"id", "password", "password2", "password3", "username", "username2", "username3", "username_type",
               "institution", "link", "link_id", "token", "session", "scopes", "external_id", "access_mode",
               "credentials_storage", "stale_in", "account", "date_from", "date_to", "certificate", "private_key"}
BOOLEAN_FIELDS = {"save_data"}
TEXT_LIST_FIELDS = {"fetch_resources"}
TRUE, FALSE = {"true", "t", "yes", "y", "on", "1"}, {"false", "f", "no", "n", "off", "0"}


class BodyError(Exception):
    """What Belvo answers for this body: status, code, message and the field concerned (if one)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def too_large() -> BodyError:
    return BodyError(413, "request_too_large", f"Request body larger than {MAX_BYTES} bytes.")


async def read(request) -> bytes:
    """The whole body, refusing more than MAX_BYTES before reading it (by Content-Length) or while streaming."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes, method: str) -> dict | None:
    """The JSON object a POST, PUT or PATCH carries (None when empty); bodies of other methods are ignored."""
    if method not in METHODS_WITH_BODY or not raw.strip():
        return None
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise BodyError(400, "parse_error", "JSON parse error - " + _reason(exc)) from None
    if _depth(data) > MAX_DEPTH:
        raise BodyError(400, "parse_error", f"JSON parse error - nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise BodyError(400, "invalid", f"Invalid data. Expected a dictionary, but got {_kind(data)}.")
    return {name: _field(name, value) for name, value in data.items()}


def _field(name: str, value):
    """A known field coerced the way Belvo's serializers do; unknown fields pass through untouched."""
    if value is None:
        return None  # whether null is allowed is the endpoint's decision
    if name in TEXT_FIELDS:
        return _text(name, value)
    if name in BOOLEAN_FIELDS:
        if isinstance(value, bool):
            return value
        if isinstance(value, (str, int)) and str(value).lower() in TRUE | FALSE:  # "true", "0", 1, ...
            return str(value).lower() in TRUE
        raise BodyError(400, "invalid", "Must be a valid boolean.", name)
    if name in TEXT_LIST_FIELDS:
        if not isinstance(value, list):
            raise BodyError(400, "not_a_list", f'Expected a list of items but got type "{_kind(value)}".', name)
        return [_text(name, item) for item in value]
    return value


def _text(name: str, value) -> str:
    # Numbers are accepted as text (Django REST framework's CharField does the same); booleans,
    # objects and lists are not.
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise BodyError(400, "invalid", "Not a valid string.", name)


def _depth(data) -> int:
    """How deeply lists and objects nest, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _no_constants(name: str):
    raise ValueError(f"Out of range float values are not JSON compliant: {name}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(exc, UnicodeDecodeError):
        return "body is not UTF-8"
    return str(exc).split(";")[0]


def _kind(value) -> str:
    return {dict: "dict", list: "list", str: "str", bool: "bool", int: "int", float: "float"}.get(type(value), "null")
