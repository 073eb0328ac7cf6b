"""``link_status``: turn the link a request concerns to ``token_required`` or ``invalid`` before it is served."""
from __future__ import annotations

from .menu import BEFORE, Action, first, one_of, register


async def apply(exchange, status: str) -> None:
    if exchange.ctx is not None:
        exchange.handlers.turn_link(exchange.ctx, status)


register(Action("link_status", BEFORE, one_of("token_required", "invalid"), apply, order=40, combine=first))
