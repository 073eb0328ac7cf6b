"""The vocabulary every check, evidence source and report shares."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum


class Status(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"  # the evidence this check needs is not configured
    ERROR = "error"  # the check itself broke
    IGNORED = "ignored"  # a finding a suppression or the baseline accepts; never produced by a check

    @property
    def rank(self) -> int:
        # A check's status is its worst finding; skip counts only when nothing else was found.
        return _RANK[self]


# ignored outranks pass: a check whose only problem is suppressed must not read as a clean pass.
_RANK = {Status.SKIP: 0, Status.PASS: 1, Status.IGNORED: 2, Status.WARN: 3, Status.FAIL: 4, Status.ERROR: 5}


class Evidence(str, Enum):
    CONFIG = "config"  # the belvo-check config file
    SOURCE = "source"  # the integration's source tree and git history
    PROBE = "probe"  # deliveries to the integration's own webhook receiver
    HARNESS = "harness"  # the integration's flows run against the simulator
    LIVE = "live"  # a read-only call to the real Belvo environment (--live only)


@dataclass(frozen=True)
class Section:
    """One section of Belvo's go-live checklist; its number is the first digit of a check id (BLV2xx: section 2)."""

    number: int
    name: str
    title: str


SECTIONS: tuple[Section, ...] = (
    Section(1, "widget", "Implement the widget"),
    Section(2, "errors", "Error handling"),
    Section(3, "requests", "Request handling"),
    Section(4, "webhooks", "Webhooks"),
    Section(5, "links", "Link creation and management"),
    Section(6, "compat", "Non-breaking changes"),
    Section(7, "keys", "URLs and API keys"),
    Section(8, "updates", "Subscribe to updates"),
)
SECTION_BY_NUMBER = {s.number: s for s in SECTIONS}
SECTION_BY_NAME = {s.name: s for s in SECTIONS}


@dataclass(frozen=True)
class Location:
    """Where a finding points: path, and line and column when known."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        return ":".join(str(part) for part in (self.path, self.line, self.col) if part is not None)


@dataclass(frozen=True)
class Finding:
    """One thing a check observed, with its status and the evidence for it."""

    status: Status
    message: str
    hint: str | None = None
    evidence: str | None = None  # what was observed, quoted (redacted) for the reader
    location: Location | None = None
    check_id: str = ""  # filled in by the runner

    def with_status(self, status: Status) -> "Finding":
        return replace(self, status=status)


def passed(message: str, *, evidence: str, location: Location | None = None) -> Finding:
    """A pass always carries the evidence that earned it."""
    return Finding(Status.PASS, message, evidence=evidence, location=location)


def warned(message: str, *, hint: str | None = None, evidence: str | None = None,
           location: Location | None = None) -> Finding:
    return Finding(Status.WARN, message, hint=hint, evidence=evidence, location=location)


def failed(message: str, *, hint: str | None = None, evidence: str | None = None,
           location: Location | None = None) -> Finding:
    return Finding(Status.FAIL, message, hint=hint, evidence=evidence, location=location)


def skipped(message: str, *, enable: str | None = None) -> Finding:
    """No evidence: `enable` says what would provide it (usually the config line to add)."""
    return Finding(Status.SKIP, message, hint=f"to enable: {enable}" if enable else None)


@dataclass
class CheckResult:
    """A check's status in a run: its worst finding, and what decided it."""

    check_id: str
    status: Status
    findings: list[Finding] = field(default_factory=list)
    duration: float = 0.0
    traceback: str | None = None  # only for status error, shown with -v
    decided_by: tuple[str, ...] = ()  # the evidence kinds whose verdict is the status (see belvo_check.agreement)
    judged_on: tuple[str, ...] = ()  # every evidence kind that gave a verdict, deciding or not
    # The skips of evidence that would have added proof to a verdict decided without it (a pass the
    # source decided while the harness did not run): not findings, so they never change the status;
    # the report names each once, for every check it concerns (belvo_check.report.findings.gaps).
    not_run: list[Finding] = field(default_factory=list)
