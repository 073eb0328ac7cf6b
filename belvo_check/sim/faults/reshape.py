"""Answers that stay within the contract but test a client's tolerance: new fields, other key order, longer or
shorter strings, enum values it has not seen. They act on a 2xx answer's parsed document."""
from __future__ import annotations

import hashlib
import random

from .menu import ANSWER, Action, flag, register

ID_KEYS = {"id", "link", "link_id"}
TEXT_KEYS = {"description", "display_name", "number", "reference", "internal_identification", "address",
             "merchant_name", "institution_user_id", "observations", "bill_name"}
FIXED_LENGTH_KEYS = {"institution_user_id"}  # the spec fixes it at 44 chars: only ever made longer
ENUM_KEYS = {"type", "status", "category", "subcategory", "balance_type", "access_mode", "refresh_rate",
             "integration_type", "bill_status"}


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


def walk(node, on_mapping):
    """Rebuild a JSON document bottom-up, passing each mapping (children done) through ``on_mapping``."""
    if isinstance(node, list):
        return [walk(x, on_mapping) for x in node]
    if isinstance(node, dict):
        return on_mapping({k: walk(v, on_mapping) for k, v in node.items()})
    return node


def strings(change):
    """An action on the string values of chosen keys; ``change(key, value, exchange)`` returns the new value or None."""
    def apply(document, enabled: bool, exchange):
        def on_mapping(node: dict) -> dict:
            for key, value in node.items():
                if isinstance(value, str) and value:
                    new = change(key, value, exchange)
                    if new is not None:
                        if key in ID_KEYS:
                            exchange.core.store.aliases[new] = value  # clients send mutated ids back
                        node[key] = new
            return node
        return walk(document, on_mapping) if enabled else document
    return apply


def _longer(key: str, value: str, exchange):
    return longer(value) if key in ID_KEYS or key in TEXT_KEYS else None


def _shorter(key: str, value: str, exchange):
    if "longer_strings" in exchange.decision.actions:  # asked for both: longer wins
        return None
    if key in ID_KEYS or (key in TEXT_KEYS and key not in FIXED_LENGTH_KEYS):
        return shorter(value, key in ID_KEYS)
    return None


def _enum(key: str, value: str, exchange):
    return new_enum(value) if key in ENUM_KEYS else None


def add_fields(document, enabled: bool, exchange):
    def on_mapping(node: dict) -> dict:
        node["belvo_new_field"] = "added-by-simulator"
        if "id" in node:
            node["belvo_new_object"] = {"belvo_new_field": 1, "nested": {"flag": True}}
        return node
    return walk(document, on_mapping) if enabled else document


def shuffle_keys(document, enabled: bool, exchange):
    rng = random.Random(f"{exchange.core.seed}:shuffle:{exchange.number}")

    def on_mapping(node: dict) -> dict:
        items = list(node.items())
        rng.shuffle(items)
        return dict(items)
    return walk(document, on_mapping) if enabled else document


register(
    Action("unknown_enums", ANSWER, flag, strings(_enum), order=10),
    Action("longer_strings", ANSWER, flag, strings(_longer), order=20),
    Action("shorter_strings", ANSWER, flag, strings(_shorter), order=30),
    Action("add_fields", ANSWER, flag, add_fields, order=40),
    Action("shuffle_keys", ANSWER, flag, shuffle_keys, order=90),
)
