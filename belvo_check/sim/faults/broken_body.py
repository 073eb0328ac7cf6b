"""``body``: send the answer cut in half (``truncated``) or as bytes that are not JSON (``garbage``)."""
from __future__ import annotations

import hashlib

from ..wire import WireResponse
from .menu import RENDER, Action, one_of, register


def garbage(seed: int, n: int, length: int) -> bytes:
    """Deterministic bytes that are not JSON (starts with a byte no JSON text can start with)."""
    size = max(64, min(length, 4096))
    out = bytearray(b"\xff\x00<")
    block = hashlib.blake2b(f"{seed}:garbage:{n}".encode()).digest()
    while len(out) < size:
        out += block
        block = hashlib.blake2b(block).digest()
    return bytes(out[:size])


def apply(payload: bytes, kind: str, exchange) -> bytes:
    if kind == "garbage":
        exchange.entry.error = "garbage body"
        return garbage(exchange.core.seed, exchange.number, len(payload))
    wire = WireResponse(payload[: len(payload) // 2], len(payload))
    wire.status_code = exchange.reply.status
    exchange.end(wire, "body truncated")
    return payload


register(Action("body", RENDER, one_of("truncated", "garbage"), apply, order=90, terminal=True))
