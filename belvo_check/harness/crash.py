"""Crash signatures: an error the integration did not handle, so its runtime ended the process.

A stack trace alone is not a crash: integrations log handled errors with `logger.exception(...)`
or `console.error(err)` and go on. What sets an unhandled error apart is how the process ended:
unsuccessfully, with the runtime's own report as the last thing it wrote to stderr.
"""

from __future__ import annotations

import re
from typing import Callable

EXCERPT_LINES = 8
PY_TRACEBACK = "Traceback (most recent call last):"
# A line that a logging setup wrote: after a traceback it means the program went on running.
LOG_RECORD = re.compile(r"^\s*\[?(?:\d{4}-\d\d-\d\d|(?:DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\b)", re.I)
# `logger.exception("...")` writes an error-level record whose message line comes right before the traceback.
ERROR_RECORD = re.compile(r"\b(?:ERROR|CRITICAL|FATAL|EXCEPTION)\b")


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").rstrip().splitlines()]


def _python(stderr: str) -> str | None:
    start = stderr.rfind(PY_TRACEBACK)
    if start < 0:
        return None
    before = _lines(stderr[:start])[-1:]
    if before and LOG_RECORD.match(before[0]) and ERROR_RECORD.search(before[0]):
        return None  # logger.exception(...): the program caught it and logged it with its traceback
    block = _lines(stderr[start:])[1:]
    first_unindented = next((i for i, line in enumerate(block) if line and not line[0].isspace()), None)
    if first_unindented is None:
        return None
    after = block[first_unindented + 1:]
    if any(LOG_RECORD.match(line) for line in after):
        return None  # a logged exception: the program logged more afterwards
    return "\n".join([PY_TRACEBACK, *block[-EXCERPT_LINES:]])


def _node(stderr: str) -> str | None:
    lines = _lines(stderr)
    tail = [line for line in lines if line.strip()][-2:]
    # Node (>= 12) ends its report of an uncaught exception or rejection with its version line.
    if any(re.match(r"^Node\.js v\d+", line) for line in tail) or \
            re.search(r"UnhandledPromiseRejection|Unhandled promise rejection", stderr, re.I):
        return "\n".join(lines[-EXCERPT_LINES - 2:])
    return None


def _pattern(regex: str, flags: int = re.M) -> Callable[[str], str | None]:
    compiled = re.compile(regex, flags)

    def detect(stderr: str) -> str | None:
        match = compiled.search(stderr)
        return "\n".join(_lines(stderr[match.start():])[:EXCERPT_LINES]) if match else None

    return detect


DETECTORS: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("Python traceback", _python),
    ("uncaught Node exception", _node),
    ("Go panic", _pattern(r"^panic: ")),
    ("Java exception", _pattern(r"^Exception in thread \"")),
    ("Ruby exception", _pattern(r"^\S+\.rb:\d+:in [`'].+': .+ \(\w+(?:::\w+)*\)$")),
    ("uncaught exception", _pattern(r"^.*\buncaught\b.*(?:exception|error).*$", re.I | re.M)),
)


def find_crash(stderr: str, exit_code: int | None) -> tuple[str, str] | None:
    """(kind, the runtime's report) when the process died of an unhandled error, else None.

    An exit code of 0 means the program chose to succeed, whatever it printed; None means it
    was killed at its timeout, which is judged as a hang, not a crash.
    """
    if exit_code in (0, None):
        return None
    for kind, detect in DETECTORS:
        excerpt = detect(stderr or "")
        if excerpt:
            return kind, excerpt
    return None
