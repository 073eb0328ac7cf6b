"""Identifiers: data ids derive from the seed (same seed, same data); request ids are new every run."""
from __future__ import annotations

import base64
import hashlib
import itertools
import threading


def digest(seed: int, *parts: object, size: int = 16) -> bytes:
    text = "\x1f".join([str(seed), *map(str, parts)])
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def hex32(seed: int, *parts: object) -> str:
    return digest(seed, *parts).hex()


def as_uuid(hex_: str) -> str:
    """Format 32 hex chars as a version-4 style UUID (version and variant nibbles set)."""
    h = hex_[:12] + "4" + hex_[13:16] + "89ab"[int(hex_[16], 16) % 4] + hex_[17:32]
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def uuid_for(seed: int, *parts: object) -> str:
    return as_uuid(hex32(seed, *parts))


def institution_user_id(seed: int, institution: str, username: str) -> str:
    """44 chars of [A-Za-z0-9-_=]: stable for one person at one institution."""
    return base64.urlsafe_b64encode(digest(seed, "iuid", institution, username, size=32)).decode()


class Minter:
    """Fresh 32-hex request ids, unique per response and new in every run.

    Data follows the seed, request ids do not: the harness proves "logged" by finding the id it
    minted in the integration's logs, and a log left by an earlier run with the same seed must
    never hold it.
    """

    def __init__(self, seed: int, namespace: str = "request"):
        import secrets

        self._seed, self._namespace, self._run = seed, namespace, secrets.token_hex(8)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            n = next(self._counter)
        return hex32(self._seed, self._namespace, self._run, n)
