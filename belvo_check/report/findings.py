"""What every file format says about a finding: where it points, its stable fingerprint, how to
reproduce it, and the text a file may safely hold. One place, so SARIF, JUnit, annotations,
Code Quality, Markdown and HTML never disagree."""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass
from typing import Iterator

from belvo_check.model import SECTIONS, Evidence, Finding, Location, Section, Status
from belvo_check.registry import CheckMeta
from belvo_check.secrets import visible

PROBLEMS = (Status.FAIL, Status.WARN, Status.ERROR)
GLYPH = {Status.PASS: "✔", Status.WARN: "▲", Status.FAIL: "✖", Status.SKIP: "○", Status.ERROR: "!",
         Status.IGNORED: "⊘"}

# Parts of a message that change from run to run (minted ids, ports, counts, latencies): a
# fingerprint ignores them, so the same problem keeps the same fingerprint across runs.
_VOLATILE = re.compile(r"[0-9a-f]{8,}|\d+(?:\.\d+)?")
_NOT_XML = {0xFFFE: None, 0xFFFF: None}  # the only characters `visible` keeps that XML 1.0 cannot hold
_DRILL = re.compile(r"\bdrill ([A-Za-z0-9][\w+:.-]*?)[:)]*(?=\s|$)")


@dataclass(frozen=True)
class Item:
    """One finding of one check, as a file format shows it."""

    meta: CheckMeta
    finding: Finding
    location: Location  # the finding's own, or the config file that configured what was judged
    fingerprint: str


def fingerprint(check_id: str, finding: Finding) -> str:
    """Stable across runs for the same problem: the check, where it points, and the message's words."""
    words = _VOLATILE.sub("#", finding.message)
    where = finding.location.path if finding.location else ""
    return hashlib.sha256(f"{check_id}\0{where}\0{words}".encode()).hexdigest()[:16]


def location_of(report, finding: Finding) -> Location:
    # Formats that need a file for every result (SARIF, Code Quality) point at the config: it is
    # the file that names what was judged, and where a fix or a suppression is written.
    where = finding.location or Location(report.config_path)
    return Location(visible(where.path), where.line, where.col)


def items(report, statuses=PROBLEMS) -> Iterator[Item]:
    for meta, result in report.results:
        for finding in result.findings:
            if finding.status in statuses:
                yield Item(meta, finding, location_of(report, finding), fingerprint(meta.id, finding))


def sections(report) -> list[tuple[Section, list]]:
    """The checklist's sections in order, each with its (meta, result) rows; empty ones included."""
    rows: dict[int, list] = {section.number: [] for section in SECTIONS}
    for meta, result in report.results:
        rows.setdefault(meta.section.number, []).append((meta, result))
    return [(section, rows[section.number]) for section in SECTIONS]


def tally(rows) -> list[tuple[Status, int]]:
    """How many (meta, result) rows have each status, statuses that occur only."""
    return [(s, n) for s in Status if (n := sum(1 for _, result in rows if result.status is s))]


def skip_groups(report) -> dict[str, list[str]]:
    """Hints that enable several skipped checks at once -> those checks: said once, not once per check."""
    groups: dict[str, list[str]] = {}
    for meta, result in report.results:
        for finding in result.findings:
            if finding.status is Status.SKIP and finding.hint and meta.id not in groups.get(finding.hint, []):
                groups.setdefault(finding.hint, []).append(meta.id)
    return {hint: ids for hint, ids in groups.items() if len(ids) > 1}


def reproduce(report, meta: CheckMeta, finding: Finding | None = None) -> list[str]:
    """Commands that reproduce a finding: the check alone, and its harness drill alone if it names one."""
    config = shlex.quote(visible(report.config_path))
    command = f"belvo-check run -c {config} --select {meta.id} -v"
    if Evidence.LIVE in meta.evidence:
        command += " --live"
    commands = [command]
    drill = _drill_named(finding)
    if drill:
        commands.append(f"belvo-check drill {shlex.quote(drill)} -c {config}")
    return commands


def _drill_named(finding: Finding | None) -> str | None:
    if finding is None:
        return None
    match = _DRILL.search(f"{finding.message}\n{finding.evidence or ''}")
    if not match:
        return None
    try:
        from belvo_check.harness.drills import DRILLS
    except ImportError:  # no harness in this build: the run command alone still reproduces it
        return None
    return match.group(1) if match.group(1) in DRILLS else None


def printable(text: str | None) -> str:
    """Text safe for any file: controls and invisible characters spelled out, as the terminal shows
    them (findings already are; the config path comes from the command line)."""
    return visible(text or "").translate(_NOT_XML)


def verdict(report) -> str:
    return f"{report.verdict.word} for {report.environment}"


def summary(report) -> str:
    """Leads with how many checks earned a verdict from evidence, then the count of each status."""
    counts = report.counts
    shown = [s for s in Status if s is not Status.IGNORED or counts[s.value]]  # ignored only once it happens
    return (f"{report.verified} of {len(report.results)} checks verified: "
            + " · ".join(f"{counts[s.value]} {s.value}" for s in shown))


def incomplete_because(report) -> str | None:
    """Why the verdict is INCOMPLETE, naming the unverified checks, or None."""
    missing = report.unverified
    if not missing:
        return None
    shown = ", ".join(meta.id for meta in missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
    return (f"{len(missing)} check(s) that would block were not verified ({shown}): give them their evidence, "
            "or accept each skip in checks.ignore with a reason and an owner")


JUDGED_BY = {
    Evidence.CONFIG: "the config file",
    Evidence.SOURCE: "the integration's source",
    Evidence.HARNESS: "the integration's commands run against belvo-check's Belvo simulator",
    Evidence.PROBE: "webhook deliveries to the integration's receiver",
    Evidence.LIVE: "read-only calls to the live Belvo API",
}


def judged_against(report) -> list[str]:
    """The evidence this run actually gathered: the kinds that gave some check a verdict."""
    used = {Evidence(kind) for _, result in report.results for kind in result.judged_on}
    seed = report.provenance.simulator_seed if report.provenance else None
    return [JUDGED_BY[kind] + (f" (seed {seed})" if kind is Evidence.HARNESS and seed is not None else "")
            for kind in Evidence if kind in used]


def header_facts(report) -> list[tuple[str, str]]:
    """What a reader needs to know before the verdict: what was judged, against what, by what."""
    seconds = (report.finished_at - report.started_at).total_seconds()
    return [
        ("judged", f"the {report.environment} integration configured in {visible(report.config_path)}"),
        ("against", "; ".join(judged_against(report)) or "nothing: every check skipped"),
        *([("integration", report.provenance.describe_git())] if report.provenance else []),
        ("config sha256", report.config_sha256),
        ("tool", f"belvo-check {report.tool_version}"),
        ("run", f"{report.started_at.strftime('%Y-%m-%d %H:%M:%S UTC')}, {seconds:.1f} s"),
    ]
