"""``reset``: drop the connection with a TCP RST instead of answering."""
from __future__ import annotations

from ..wire import WireResponse
from .menu import BEFORE, Action, invalid, register


def parse(where: str, value) -> bool:
    if value is not True:
        raise invalid(where, value, "true")
    return True


async def apply(exchange, value: bool) -> None:
    exchange.end(WireResponse(), "connection reset")


register(Action("reset", BEFORE, parse, apply, order=20, terminal=True))
