"""``repeat_across_pages``: each page after the first starts N items early (true: 2), so items repeat across pages."""
from __future__ import annotations

from .menu import BEFORE, Action, invalid, register


def parse(where: str, value):
    if value is True or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise invalid(where, value, "true or a count >= 1")


async def apply(exchange, value) -> None:
    exchange.page_overlap = 2 if value is True else int(value)


register(Action("repeat_across_pages", BEFORE, parse, apply, order=50))
