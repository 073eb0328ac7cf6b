"""``error``: answer with an HTTP error instead of the handler, as Belvo's JSON error body or a gateway's HTML page."""
from __future__ import annotations

from .menu import BEFORE, Action, ScenarioError, first, mapping, register

KEYS = {"status", "code", "message", "field", "retry_after", "format"}


def parse(where: str, value) -> dict:
    spec = {"status": value} if isinstance(value, int) and not isinstance(value, bool) else mapping(where, value, KEYS)
    status = spec.get("status")
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise ScenarioError(f"{where}.status: expected an HTTP error status (400-599), got {status!r}")
    if spec.get("format", "json") not in ("json", "html"):
        raise ScenarioError(f"{where}.format: expected json or html")
    return dict(spec)


async def apply(exchange, spec: dict) -> None:
    exchange.reply = exchange.handlers.fault(spec)


register(Action("error", BEFORE, parse, apply, order=30, terminal=True, combine=first))
