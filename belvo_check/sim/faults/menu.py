"""The fault menu's registry: each action says its name, what values it takes, when it acts and what it does.

An action module (one per family, beside this file) builds ``Action`` objects and passes them to
``register``; the package imports every module here, so adding a fault is adding one file.

Phases, in the order an exchange meets them:

- ``BEFORE``: before the handler runs. ``apply(exchange, value)`` is a coroutine; it may answer in the
  handler's place (``exchange.reply``), end the exchange on the wire (``exchange.wire``), or leave a hint
  for the handler (``exchange.page_overlap``).
- ``ANSWER``: on a 2xx answer's parsed JSON document. ``apply(document, value, exchange)`` returns the new
  document.
- ``RENDER``: on the serialized bytes. ``apply(payload, value, exchange)`` returns the bytes to send, or
  sets ``exchange.wire``.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

BEFORE, ANSWER, RENDER = "before the handler", "on the answer", "on rendering"


class ScenarioError(ValueError):
    """A scenario file or dict is invalid; the message is one line saying where and why."""


def first(old, new):
    return old


def add(old, new):
    return old + new


def last(old, new):
    return new


@dataclass(frozen=True)
class Action:
    name: str
    phase: str
    parse: Callable[[str, object], object]  # the schema: checks a rule's value (raising ScenarioError at `where`), returns it normalized
    apply: Callable
    order: int = 50             # within a phase, lower acts first
    terminal: bool = False      # answers instead of the handler: one per rule, and the first rule's wins
    combine: Callable = last    # how the values of several firing rules meet


ACTIONS: dict[str, Action] = {}


def register(*actions: Action) -> None:
    for action in actions:
        if action.name in ACTIONS:
            raise RuntimeError(f"fault action '{action.name}' registered twice")
        ACTIONS[action.name] = action


def unknown_key(where: str, key, allowed) -> ScenarioError:
    hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else f" (allowed: {', '.join(sorted(allowed))})"
    return ScenarioError(f"{where}: unknown key '{key}'{suggestion}")


def mapping(where: str, value, allowed) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected a mapping, got {type(value).__name__}")
    for key in value:
        if key not in allowed:
            raise unknown_key(where, key, allowed)
    return value


def invalid(where: str, value, expected: str) -> ScenarioError:
    return ScenarioError(f"{where}: invalid value {value!r} (expected {expected})")


def flag(where: str, value) -> bool:
    """The schema of an on/off action."""
    if not isinstance(value, bool):
        raise invalid(where, value, "true or false")
    return value


def one_of(*choices):
    """The schema of an action taking one of a few words."""
    def parse(where: str, value):
        if value not in choices:
            raise invalid(where, value, " | ".join(map(str, choices)))
        return value
    return parse
