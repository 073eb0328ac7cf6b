"""``timestamps``: rewrite every timestamp into another valid form: 0, 3 or 6 fraction digits, ``Z`` or ``+00:00``."""
from __future__ import annotations

import re

from .menu import RENDER, Action, one_of, register

_TIMESTAMP = re.compile(rb'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z"')
VARIANTS = ("0Z", "3Z", "6Z", "0+00:00", "3+00:00", "6+00:00")


def rewrite(payload: bytes, variant: str) -> bytes:
    """Every 6-digit ``Z`` timestamp in ``variant`` form; ``mixed`` cycles through all of them."""
    counter = iter(range(1 << 62))
    cycle = ("6Z", "3Z", "0Z", "6+00:00", "3+00:00", "0+00:00")

    def sub(m):
        v = cycle[next(counter) % len(cycle)] if variant == "mixed" else variant
        digits, suffix = int(v[0]), v[1:].encode()
        frac = b"." + m.group(2)[:digits] if digits else b""
        return b'"' + m.group(1) + frac + suffix + b'"'
    return _TIMESTAMP.sub(sub, payload)


def apply(payload: bytes, variant: str, exchange) -> bytes:
    return rewrite(payload, variant) if 200 <= exchange.reply.status < 300 else payload


register(Action("timestamps", RENDER, one_of(*VARIANTS, "mixed"), apply, order=10))
