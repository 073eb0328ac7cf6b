"""Crash signatures in an integration's output: an error nobody handled, in any common runtime."""

from __future__ import annotations

import re

SIGNATURES = (
    ("Python traceback", re.compile(r"^Traceback \(most recent call last\):", re.M)),
    ("Node stack trace", re.compile(r"^\s+at (?:.+ \()?(?:file://)?[^\s()]+:\d+(?::\d+)?\)?\s*$", re.M)),
    ("Node unhandled rejection", re.compile(r"UnhandledPromiseRejection|Unhandled promise rejection", re.I)),
    ("uncaught exception", re.compile(r"^.*\buncaught\b.*(?:exception|error).*$", re.I | re.M)),
    ("Go panic", re.compile(r"^panic: ", re.M)),
    ("Java exception", re.compile(r"^Exception in thread \"", re.M)),
    ("Ruby exception", re.compile(r"^\S+\.rb:\d+:in `.+': .+ \(\w+(?:::\w+)*\)$", re.M)),
)
EXCERPT_LINES = 6


def find_crash(text: str) -> tuple[str, str] | None:
    """(kind, a few lines around it) for the first crash signature in text, or None."""
    for kind, pattern in SIGNATURES:
        match = pattern.search(text or "")
        if match:
            start = text.rfind("\n", 0, max(0, match.start() - 1))
            lines = text[start + 1:].splitlines()
            # For a stack trace, the line before the first frame says what was thrown.
            before = text[:match.start()].rstrip("\n").splitlines()[-1:] if kind == "Node stack trace" else []
            return kind, "\n".join(before + lines[:EXCERPT_LINES])
    return None
