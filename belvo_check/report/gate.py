"""What the findings mean for the verdict: per-check severity, suppressions and the baseline.

A suppressed finding is not dropped: its check still ran, and the report shows it as `ignored`
with what it would have said, the reason, the owner and the expiry. A suppression past its
expiry stops applying and the report says so next to the finding it no longer hides. A
suppression or baseline entry that matched nothing is reported, never silently kept.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

from belvo_check.errors import ConfigError
from belvo_check.model import CheckResult, Finding, Location, Status
from belvo_check.report.findings import fingerprint

BASELINE_VERSION = 1
FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
# a skip too: accepting it with a reason is how a production run says it needs no such evidence
SUPPRESSIBLE = (Status.FAIL, Status.WARN, Status.ERROR, Status.SKIP)


@dataclass(frozen=True)
class Suppression:
    selector: str  # a check id, id prefix or section name
    reason: str
    owner: str | None
    expires: date | None
    finding: str | None  # None: every finding of the check; else a fingerprint or a glob on the message
    where: Location  # the config entry or the source comment, named in notes about it
    inline: bool = False  # a `belvo-check: ignore[...]` comment: covers findings on its line or the next

    def covers(self, finding: Finding, fp: str) -> bool:
        if self.inline:
            at = finding.location
            return at is not None and at.path == self.where.path and at.line in (self.where.line, self.where.line + 1)
        if self.finding is None:
            return True
        if FINGERPRINT.match(self.finding):
            return fp == self.finding
        return fnmatch.fnmatchcase(finding.message, self.finding)

    def describe(self, expired: bool = False) -> str:
        owner = f", owner {self.owner}" if self.owner else ""
        until = f", {'expired' if expired else 'until'} {self.expires}" if self.expires else ""
        return f"{self.reason}{owner}{until}"


@dataclass(frozen=True)
class Applied:
    """Why a finding is shown as it is: a suppression that applies, one that expired, or the baseline."""

    was: Status  # what the check said
    why: str  # the reason, owner and expiry, or the baseline file
    expired: bool = False

    @property
    def note(self) -> str:
        if self.expired:
            return f"suppression expired, so this counts again ({self.why})"
        return f"ignored, would be {self.was.value}: {self.why}"


@dataclass
class Gated:
    results: list[CheckResult]
    applied: dict[tuple[str, str], Applied] = field(default_factory=dict)  # (check id, fingerprint) -> why
    notes: list[str] = field(default_factory=list)  # unused suppressions, expired ones, stale baseline


def gate(results: list[CheckResult], *, severity: dict[str, Status] | None = None,
         suppressions: Iterable[Suppression] = (), baseline: "Baseline | None" = None,
         matching: Callable[[str], set[str]] = lambda selector: {selector}, today: date | None = None) -> Gated:
    """Apply severity overrides, then suppressions, then the baseline, to every finding."""
    today = today or date.today()
    suppressions = list(suppressions)
    covered = [matching(s.selector) for s in suppressions]
    used: set[int] = set()  # indices of the suppressions that matched a finding
    seen_fingerprints: set[str] = set()
    gated = Gated([])

    for result in results:
        findings = []
        for finding in result.findings:
            if severity and finding.status in (Status.FAIL, Status.WARN) and result.check_id in severity:
                finding = finding.with_status(severity[result.check_id])
            fp = fingerprint(result.check_id, finding)
            key = (result.check_id, fp)
            if finding.status in SUPPRESSIBLE:
                seen_fingerprints.add(fp)
                index = next((i for i, s in enumerate(suppressions)
                              if result.check_id in covered[i] and s.covers(finding, fp)), None)
                if index is not None:
                    used.add(index)
                    rule = suppressions[index]
                    if rule.expires is not None and rule.expires < today:
                        gated.applied[key] = Applied(finding.status, f"{rule.describe(expired=True)}; {rule.where}",
                                                     expired=True)
                    else:
                        gated.applied[key] = Applied(finding.status, rule.describe())
                        finding = finding.with_status(Status.IGNORED)
                elif baseline is not None and fp in baseline.fingerprints and finding.status is not Status.ERROR:
                    gated.applied[key] = Applied(finding.status, f"in the baseline {baseline.path}")
                    finding = finding.with_status(Status.IGNORED)
            findings.append(finding)
        status = max((f.status for f in findings), key=lambda s: s.rank) if findings else result.status
        gated.results.append(replace(result, status=status, findings=findings))

    for index, rule in enumerate(suppressions):
        if index not in used:
            what = f"findings matching {rule.finding!r} of {rule.selector}" if rule.finding else rule.selector
            kind = "inline suppression" if rule.inline else "checks.ignore entry"
            gated.notes.append(f"{rule.where}: {kind} for {what} matched nothing in this run: "
                               "remove it, or fix its id or finding pattern")
    expired = sorted({a.why for a in gated.applied.values() if a.expired})
    gated.notes += [f"expired suppression: {why}" for why in expired]
    if baseline is not None:
        gone = baseline.fingerprints - seen_fingerprints
        if gone:
            gated.notes.append(f"{len(gone)} finding(s) in the baseline {baseline.path} no longer occur: "
                               "`belvo-check baseline create` shrinks it")
    return gated


@dataclass(frozen=True)
class Baseline:
    path: str
    fingerprints: frozenset[str]


def load_baseline(path: Path, shown: str) -> Baseline:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["findings"]
        fingerprints = frozenset(e["fingerprint"] for e in entries)
        if data.get("version") != BASELINE_VERSION or not all(FINGERPRINT.match(f) for f in fingerprints):
            raise ValueError("unexpected shape")
    except FileNotFoundError:
        raise ConfigError(f"{shown}: baseline file not found (create it with `belvo-check baseline create`)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{shown}: not a belvo-check baseline ({exc})") from None
    return Baseline(shown, fingerprints)


def baseline_entries(results: list[CheckResult]) -> list[dict]:
    """The problem findings of a run, as baseline entries (fail and warn: a crashed check is never baselined)."""
    entries = {}
    for result in results:
        for finding in result.findings:
            if finding.status in (Status.FAIL, Status.WARN):
                fp = fingerprint(result.check_id, finding)
                entries.setdefault(fp, {"check": result.check_id, "fingerprint": fp,
                                        "status": finding.status.value, "message": finding.message})
    return sorted(entries.values(), key=lambda e: (e["check"], e["fingerprint"]))


def shrink(previous: Baseline | None, current: list[dict]) -> tuple[list[dict], int, int]:
    """A baseline only shrinks: (entries to keep, how many were dropped as fixed, how many new were refused)."""
    if previous is None:
        return current, 0, 0
    kept = [e for e in current if e["fingerprint"] in previous.fingerprints]
    return kept, len(previous.fingerprints) - len(kept), len(current) - len(kept)


def baseline_text(entries: list[dict], tool_version: str) -> str:
    return json.dumps({"version": BASELINE_VERSION, "tool": f"belvo-check {tool_version}",
                       "note": "findings accepted when this baseline was made; only new ones fail. "
                               "It only shrinks: `belvo-check baseline create` drops fixed findings, never adds.",
                       "findings": entries}, indent=2, ensure_ascii=False) + "\n"
