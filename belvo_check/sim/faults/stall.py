"""``stall``: hold the answer for N seconds (several firing rules add up); a client that gives up first gets nothing."""
from __future__ import annotations

import asyncio
import time

from starlette.responses import Response

from .menu import BEFORE, Action, add, invalid, register


def parse(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise invalid(where, value, "seconds >= 0")
    return float(value)


async def apply(exchange, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(left, 0.05))
        if exchange.core.stopping.is_set() or await exchange.request.is_disconnected():
            exchange.end(Response(status_code=204), "client disconnected during stall")  # nobody is listening any more
            return


register(Action("stall", BEFORE, parse, apply, order=10, combine=add))
