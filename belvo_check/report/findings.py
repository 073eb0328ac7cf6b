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


def _missing(result) -> list[Finding]:
    """What a check went without: its skips, and the behaviour its source-decided pass would be proved by."""
    return [f for f in result.findings if f.status is Status.SKIP and f.hint] + [f for f in result.not_run if f.hint]


def gap_hints(report) -> set[str]:
    """The skip hints the run says once, with every check they concern (gaps): never under each check."""
    return {f.hint for _, result in report.results for f in _missing(result)}


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


# What each kind of evidence is called where the verdict names what it rests on.
KIND_NAME = {Evidence.CONFIG: "config", Evidence.SOURCE: "source", Evidence.HARNESS: "harness",
             Evidence.PROBE: "webhook probes", Evidence.LIVE: "live API"}
BEHAVIOUR = (Evidence.HARNESS, Evidence.PROBE, Evidence.LIVE)


def evidence_used(report) -> list[Evidence]:
    """The kinds of evidence that gave some check a verdict in this run."""
    used = {kind for _, result in report.results for kind in result.judged_on}
    return [kind for kind in Evidence if kind.value in used]


def evidence_not_run(report) -> list[Evidence]:
    """The kinds of evidence the selected checks read that gave no check a verdict."""
    declared = {kind for meta, _ in report.results for kind in meta.evidence}
    used = set(evidence_used(report))
    return [kind for kind in Evidence if kind in declared and kind not in used]


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rests_on(report) -> str:
    """What the verdict rests on: 'on config and source evidence; behaviour not run'."""
    used, missing = evidence_used(report), evidence_not_run(report)
    text = f"on {_and([KIND_NAME[k] for k in used])} evidence" if used else "on no evidence"
    if missing:
        behaviour_missing = [k for k in missing if k in BEHAVIOUR]
        if behaviour_missing and not any(k in BEHAVIOUR for k in used):
            # No behaviour at all: said as one word, the static kinds missing (if any) beside it.
            text += "; " + _and([KIND_NAME[k] for k in missing if k not in BEHAVIOUR] + ["behaviour"]) + " not run"
        else:
            text += "; " + _and([KIND_NAME[k] for k in missing]) + " not run"
    return text


def verdict(report) -> str:
    """The verdict with the evidence it rests on: 'READY for production on source evidence; behaviour not run'."""
    return f"{report.verdict.word} for {report.environment} {rests_on(report)}"


@dataclass(frozen=True)
class Gap:
    """Evidence a guard, a missing tool or a missing config line kept from the run: said once, with
    what brings it back, for every check it concerns."""

    reason: str  # why it was not gathered, as the checks' skips say it
    enable: str  # the config line or flag that brings it back
    skipped: tuple[str, ...]  # checks left without a verdict for lack of it
    decided_without: tuple[str, ...]  # checks decided by other evidence (the source) that it would prove

    @property
    def checks(self) -> tuple[str, ...]:
        return self.skipped + self.decided_without

    def describe(self) -> str:
        """One line: what is missing and why, then what brings it back and what it concerns."""
        return f"{self.reason}; to gather it: {self.enable} ({self.concerns()})"

    def concerns(self) -> str:
        parts = []
        if self.skipped:
            parts.append(f"{_and(list(self.skipped))} skipped")
        if self.decided_without:
            parts.append(f"{_and(list(self.decided_without))} decided without it")
        return "; ".join(parts)


def gaps(report) -> list[Gap]:
    """Every reason a kind of evidence was not gathered, once, with the checks it concerns: those it
    left without a verdict, and those decided without it (by other evidence, or by their other drills)."""
    grouped: dict[str, dict] = {}
    for meta, result in report.results:
        for finding in _missing(result):
            gap = grouped.setdefault(finding.hint, {"reasons": [], "skipped": [], "decided_without": []})
            if finding.message not in gap["reasons"]:
                gap["reasons"].append(finding.message)
            ids = gap["skipped" if result.status is Status.SKIP else "decided_without"]
            if meta.id not in ids:
                ids.append(meta.id)
    # Each skipped check says its own reason; the run names the first, and how many others share the line.
    return [Gap(g["reasons"][0] + (f" (and {len(g['reasons']) - 1} more like it)" if len(g["reasons"]) > 1 else ""),
                hint.removeprefix("to enable: "), tuple(g["skipped"]), tuple(g["decided_without"]))
            for hint, g in grouped.items()]


def not_gathered(report) -> str | None:
    """The header's one line on the evidence this run went without, and why (None: nothing missing)."""
    found = gaps(report)
    if not found:
        return None
    return "; ".join(f"{gap.reason} ({len(gap.checks)} check(s))" for gap in found)


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
        *([("not gathered", missing)] if (missing := not_gathered(report)) else []),
        *([("integration", report.provenance.describe_git())] if report.provenance else []),
        ("config sha256", report.config_sha256),
        ("tool", f"belvo-check {report.tool_version}"),
        ("run", f"{report.started_at.strftime('%Y-%m-%d %H:%M:%S UTC')}, {seconds:.1f} s"),
    ]
