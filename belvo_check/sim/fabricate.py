"""Instances of the spec's schemas: valid by construction, deterministic for a seed, and as realistic as the
spec's own examples and the country's facts make them.

For each value the first candidate that fits the property's schema wins: a fact about the item being
made (its id, its link, the country's currency, a Brazilian CPF, ...) keyed by the property's name, then
the spec's example, then a value built from the schema's format or pattern.
"""
from __future__ import annotations

import random
import re
import re._parser as sre
from datetime import datetime, timedelta, timezone

from .openapi import resolve

MAX_DEPTH = 12
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def merged(schema: dict) -> dict:
    """An ``allOf`` folded into one object schema (properties and required lists joined)."""
    schema = resolve(schema)
    if "allOf" not in schema:
        return schema
    out = {k: v for k, v in schema.items() if k != "allOf"}
    props, required = dict(out.get("properties", {})), list(out.get("required", []))
    for part in schema["allOf"]:
        part = merged(part)
        for key, value in part.items():
            if key == "properties":
                props.update(value)
            elif key == "required":
                required += value
            elif key not in out:
                out[key] = value
    out["properties"], out["required"] = props, required
    out.setdefault("type", "object")
    return out


def fits(value, schema: dict) -> bool:
    """A quick check of one value against one (resolved) schema: type, enum, nullability, length, pattern, range."""
    schema = merged(schema)
    if value is None:
        return bool(schema.get("nullable"))
    if "anyOf" in schema:
        return any(fits(value, alt) for alt in schema["anyOf"])
    if "oneOf" in schema:
        return sum(fits(value, alt) for alt in schema["oneOf"]) == 1
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return False
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1 << 30):
            return False
        pattern = schema.get("pattern")
        return not pattern or _search(pattern, value)
    if kind in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "integer" and not isinstance(value, int)):
            return False
        return schema.get("minimum", -1e300) <= value <= schema.get("maximum", 1e300)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list) and len(value) >= schema.get("minItems", 0) and all(
            fits(v, schema.get("items", {})) for v in value)
    if kind == "object":
        props = schema.get("properties", {})
        if not isinstance(value, dict) or any(k not in value for k in schema.get("required", ())):
            return False
        if schema.get("additionalProperties") is False and any(k not in props for k in value):
            return False
        return all(fits(v, props[k]) for k, v in value.items() if k in props)
    return True


def _search(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True


class Maker:
    """Makes instances for one item: ``facts`` maps property names to preferred values, a tuple of candidates
    in order of preference, or a callable of the rng giving either."""

    def __init__(self, rng: random.Random, facts: dict):
        self.rng, self.facts = rng, facts

    def make(self, schema: dict, name: str = "", depth: int = 0):
        schema = merged(schema)
        if name in self.facts:
            fact = self.facts[name]
            fact = fact(self.rng) if callable(fact) else fact
            for candidate in (fact if isinstance(fact, tuple) else (fact,)):
                if fits(candidate, schema):
                    return candidate
        if "oneOf" in schema or "anyOf" in schema:
            return self._alternative(schema, name, depth)
        example = schema.get("example")
        if example is not None and schema.get("type") != "object" and fits(example, schema):
            return example
        kind = schema.get("type") or ("object" if "properties" in schema else "string")
        if depth > MAX_DEPTH:
            return None if schema.get("nullable") else ([] if kind == "array" else {} if kind == "object" else "x")
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            count = max(schema.get("minItems", 0), 1)
            return [self.make(schema.get("items", {}), name, depth + 1) for _ in range(count)]
        if "enum" in schema:
            choices = [v for v in schema["enum"] if v is not None] or [None]
            return choices[self.rng.randrange(len(choices))]
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("number", "integer"):
            return self._number(schema, kind)
        return self._string(schema, name)

    def _object(self, schema: dict, depth: int) -> dict:
        """Every property (Belvo sends each key, null where it has no value). One whose value cannot fit its schema
        (a pattern no string matches, a oneOf whose alternatives overlap) is left out when not required."""
        required = set(schema.get("required", ()))
        out = {}
        for key, sub in schema.get("properties", {}).items():
            value = self.make(sub, key, depth + 1)
            if key in required or fits(value, sub):
                out[key] = value
        for key in required - out.keys():
            out[key] = None  # required by the spec but never described
        return out

    def _alternative(self, schema: dict, name: str, depth: int):
        alternatives = schema.get("oneOf") or schema.get("anyOf")
        for alt in alternatives:
            value = self.make(alt, name, depth + 1)
            if "anyOf" in schema:
                return value
            value = apart(value, alt, alternatives)
            if sum(fits(value, other) for other in alternatives) == 1:
                return value
        # Alternatives that overlap (none requires what tells it apart) admit no instance matching exactly one:
        # the first one's stands (docs/belvo-api.md, "Simulator": the spec's overlapping oneOf).
        return self.make(alternatives[0], name, depth + 1)

    def _number(self, schema: dict, kind: str):
        lo, hi = schema.get("minimum", 0), schema.get("maximum", 10_000)
        if kind == "integer":
            return self.rng.randint(int(lo), int(max(lo, hi)))
        return round(self.rng.uniform(lo, hi), 2)

    def _string(self, schema: dict, name: str) -> str | None:
        fmt = schema.get("format")
        pattern = schema.get("pattern")
        candidates = []
        if fmt == "date-time":
            candidates.append(stamp(self.rng))
        elif fmt == "date":
            candidates.append(stamp(self.rng)[:10])
        elif fmt == "uuid":
            candidates.append(uuid(self.rng))
        elif fmt == "email":
            candidates.append(f"user{self.rng.randrange(1000)}@example.com")
        elif fmt == "uri":
            candidates.append("https://www.example.com/")
        candidates.append(name.replace("_", " ").capitalize() or "Value")
        for value in candidates:
            if fits(value, schema):
                return value
        if pattern:
            value = sample(pattern, self.rng)
            if value is not None and fits(value, schema):
                return value
        if schema.get("nullable"):
            return None
        size = max(schema.get("minLength", 1), 1)
        return ("x" * size)[: schema.get("maxLength", size)]


def apart(value, alt: dict, alternatives: list, depth: int = 0):
    """An object made for one ``oneOf`` alternative, told apart from the others it also satisfies: a property
    only another alternative describes, as not nullable, is sent as null (the one made for leaves it free, the
    other refuses null), at the top, else inside the objects both describe. PIX_OF_IMMEDIATE's configuration
    is PIX_OF_SCHEDULED's without ``dates``: it carries ``"dates": null``."""
    own = merged(alt)
    if not isinstance(value, dict) or depth > MAX_DEPTH:
        return value
    props = own.get("properties", {})
    for other in alternatives:
        other = merged(other)
        if other is own or not fits(value, other):
            continue
        theirs = other.get("properties", {})
        steps = [lambda v: {**v, **{key: None for key, sub in theirs.items()
                                    if key not in props and not merged(sub).get("nullable")}}]
        steps += [lambda v, key=key: {**v, key: apart(v[key], props[key], [theirs[key]], depth + 1)}
                  for key in props if key in theirs and isinstance(value.get(key), dict)]
        for step in steps:
            candidate = step(value)
            if fits(candidate, alt):  # a step that would break the alternative itself is not taken
                value = candidate
            if not fits(value, other):
                break
    return value


def stamp(rng: random.Random) -> str:
    when = EPOCH + timedelta(seconds=rng.randrange(300 * 86400), microseconds=rng.randrange(1_000_000))
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def uuid(rng: random.Random) -> str:
    h = "%032x" % rng.getrandbits(128)
    h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# ---- a string matching a regular expression (the short, plain one)
_DIGITS, _WORDS = "0123456789", "abcdefghijklmnopqrstuvwxyz"
_CATEGORY = {sre.CATEGORY_WORD: "a", sre.CATEGORY_SPACE: " ", sre.CATEGORY_NOT_DIGIT: "a",
             sre.CATEGORY_NOT_WORD: "-", sre.CATEGORY_NOT_SPACE: "a"}


def _category(arg, rng) -> str:
    return _DIGITS[rng.randrange(10)] if arg is sre.CATEGORY_DIGIT else _CATEGORY.get(arg, "a")


def sample(pattern: str, rng: random.Random) -> str | None:
    try:
        parsed = sre.parse(pattern)
    except re.error:
        return None
    try:
        return "".join(_emit(parsed, rng))
    except ValueError:
        return None


def _emit(items, rng) -> list[str]:
    out = []
    for op, arg in items:
        if op is sre.LITERAL:
            out.append(chr(arg))
        elif op is sre.ANY:
            out.append("a")
        elif op is sre.IN:
            out.append(_pick(arg, rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            lo, hi, sub = arg
            n = lo if lo > 0 else min(1, hi)
            if hi != sre.MAXREPEAT and lo < hi:
                n = max(n, min(hi, lo + rng.randrange(0, min(hi - lo, 8) + 1)))
            for _ in range(n):
                out += _emit(sub, rng)
        elif op is sre.SUBPATTERN:
            out += _emit(arg[-1], rng)
        elif op is sre.BRANCH:
            out += _emit(arg[1][0], rng)
        elif op is sre.AT:
            continue
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            continue
        elif op is sre.CATEGORY:
            out.append(_category(arg, rng))
        else:
            raise ValueError(op)
    return out


def _pick(items, rng) -> str:
    negate = any(op is sre.NEGATE for op, _ in items)
    if negate:
        banned = set()
        for op, arg in items:
            if op is sre.LITERAL:
                banned.add(chr(arg))
            elif op is sre.RANGE:
                banned.update(chr(c) for c in range(arg[0], arg[1] + 1))
        return next(c for c in "a7-x " if c not in banned)
    choices = []
    for op, arg in items:
        if op is sre.LITERAL:
            choices.append(chr(arg))
        elif op is sre.RANGE:
            choices.append(chr(arg[0] + rng.randrange(arg[1] - arg[0] + 1)))
        elif op is sre.CATEGORY:
            choices.append(_category(arg, rng))
    return choices[0] if choices else "a"
