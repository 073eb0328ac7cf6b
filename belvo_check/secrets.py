"""Keeping secret values out of everything belvo-check prints or writes."""

from __future__ import annotations

from typing import Iterable


def fingerprint(value: str) -> str:
    import hashlib  # here, not at the top: `belvo-check list` never needs it

    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:8]


class Redactor:
    """Replaces every known secret value in a text with a fingerprint tag."""

    MIN_LENGTH = 4  # shorter values would redact ordinary words

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret and len(secret) >= self.MIN_LENGTH:
                self._secrets.add(secret)
        self._ordered = sorted(self._secrets, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, f"[redacted {fingerprint(secret)}]")
        return text
