"""Response mutations that keep the data valid but test how tolerant a client is."""
from __future__ import annotations

import hashlib
import random
import re

ID_KEYS = {"id", "link", "link_id"}
TEXT_KEYS = {"description", "display_name", "number", "reference", "internal_identification", "address",
             "merchant_name", "institution_user_id", "observations", "bill_name"}
FIXED_LENGTH_KEYS = {"institution_user_id"}  # the spec fixes it at 44 chars: only ever made longer
ENUM_KEYS = {"type", "status", "category", "subcategory", "balance_type", "access_mode", "refresh_rate",
             "integration_type", "bill_status"}
_TIMESTAMP = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z"')
_VARIANTS = ("6Z", "3Z", "0Z", "6+00:00", "3+00:00", "0+00:00")


def _h(text: str, n: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()[:n]


def longer(text: str) -> str:
    return f"{text}-{_h(text, 16)}"


def shorter(text: str, is_id: bool) -> str:
    # Ids become a short hash so two ids never collapse into the same value.
    return _h(text, 16) if is_id else text[: max(1, len(text) // 2)]


def new_enum(value: str) -> str:
    if " " in value:
        return value + " (New)"
    return value + ("_NEW" if value.isupper() else "_new")


def apply(obj, mutations: dict, aliases: dict, rng: random.Random):
    """Mutate parsed JSON in place-free fashion; records mutated ids in ``aliases``."""
    def walk(node):
        if isinstance(node, list):
            return [walk(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if isinstance(value, str):
                value = _mutate_string(key, value, mutations, aliases)
            else:
                value = walk(value)
            out[key] = value
        if mutations.get("add_fields"):
            out["belvo_new_field"] = "added-by-simulator"
            if "id" in out:
                out["belvo_new_object"] = {"belvo_new_field": 1, "nested": {"flag": True}}
        if mutations.get("shuffle_keys"):
            items = list(out.items())
            rng.shuffle(items)
            out = dict(items)
        return out
    return walk(obj)


def _mutate_string(key: str, value: str, mutations: dict, aliases: dict) -> str:
    if mutations.get("unknown_enums") and key in ENUM_KEYS and value:
        return new_enum(value)
    is_id = key in ID_KEYS
    if not value or not (is_id or key in TEXT_KEYS):
        return value
    if mutations.get("longer_strings"):
        new = longer(value)
    elif mutations.get("shorter_strings") and key not in FIXED_LENGTH_KEYS:
        new = shorter(value, is_id)
    else:
        return value
    if is_id:
        aliases[new] = value
    return new


def timestamps(text: str, variant: str) -> str:
    """Rewrite every 6-digit Z timestamp into ``variant`` (fraction digits + offset), or cycle all."""
    counter = iter(range(1 << 62))

    def sub(m):
        v = _VARIANTS[next(counter) % len(_VARIANTS)] if variant == "mixed" else variant
        digits, suffix = int(v[0]), v[1:]
        frac = "." + m.group(2)[:digits] if digits else ""
        return f'"{m.group(1)}{frac}{suffix}"'
    return _TIMESTAMP.sub(sub, text)
