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


# Python joins chained exceptions into one report with one of these lines between tracebacks.
CHAINED = ("During handling of the above exception, another exception occurred:",
           "The above exception was the direct cause of the following exception:")
MESSAGE_LINES = 40  # a log record's message may span lines (an HTML error body): this many at most
FRAMES = 4  # the last frames of a traceback shown in an excerpt: where it was raised


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").rstrip().splitlines()]


def _report_start(lines: list[str], last: int) -> int:
    """The first line of the report whose last traceback starts at `last`: chained tracebacks are one report."""
    starts = [i for i, line in enumerate(lines[:last]) if line.startswith(PY_TRACEBACK)]
    start = last
    while starts:
        before = [line.strip() for line in lines[starts[-1]:start] if line.strip()]
        if not before or before[-1] not in CHAINED:
            break
        start = starts.pop()
    return start


def _logged_before(lines: list[str], start: int) -> bool:
    """An error-level log record right before the report: `logger.exception(...)`. Its message may
    run over several lines (an HTML body), so the record is looked for above them, up to a blank line."""
    for line in reversed(lines[max(0, start - MESSAGE_LINES):start]):
        if not line.strip():
            return False
        if LOG_RECORD.match(line):
            return bool(ERROR_RECORD.search(line))
    return False


def _python(stderr: str) -> str | None:
    lines = _lines(stderr)
    last = max((i for i, line in enumerate(lines) if line.startswith(PY_TRACEBACK)), default=None)
    if last is None or _logged_before(lines, _report_start(lines, last)):
        return None  # no traceback, or logger.exception(...): the program caught it and logged it
    block = lines[last + 1:]
    raised = next((i for i, line in enumerate(block) if line and not line[0].isspace()), None)
    if raised is None:
        return None
    message = block[raised + 1:]
    if any(LOG_RECORD.match(line) for line in message):
        return None  # a logged exception: the program logged more afterwards
    # The last frames and the exception line; a message of many lines (an HTML page) is cut short.
    more = ["  ..."] if len(message) > 2 else []
    return "\n".join([PY_TRACEBACK, *block[:raised][-2 * FRAMES:], block[raised], *message[:2], *more])


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
