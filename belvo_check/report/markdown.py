"""Markdown, for a pull-request comment or a CI job summary: the verdict, the problems with their
evidence folded, then every check per checklist section."""

from __future__ import annotations

from belvo_check.model import Status
from belvo_check.report import Verdict, evidence_level, headline
from belvo_check.report.findings import GLYPH, PROBLEMS, gaps, header_facts, printable, reproduce, sections, tally, \
    verdict

EVIDENCE_LINES = 40  # a PR comment stays readable (and under GitHub's 65,536-character limit)
MARK = {Verdict.READY: "✅", Verdict.INCOMPLETE: "⚠️", Verdict.NOT_READY: "❌"}


def to_markdown(report) -> str:
    out = [f"## belvo-check: {MARK[report.verdict]} {verdict(report)}", ""]
    out += [f"- **{label}**: {_inline(value)}" for label, value in header_facts(report)]
    counts = report.counts
    out += ["", "| " + " | ".join(s.value for s in Status) + " |", "|" + "---:|" * len(Status),
            "| " + " | ".join(str(counts[s.value]) for s in Status) + " |", ""]

    problems = [(meta, result) for meta, result in report.results if result.status in PROBLEMS]
    if problems:
        out += ["### Problems", ""]
        for meta, result in problems:
            out.append(f"#### {GLYPH[result.status]} {result.status.value} · {meta.id} {_inline(headline(meta, result.status))}")
            for finding in result.findings:
                if finding.status in PROBLEMS:
                    out += _finding(report, meta, finding)
            out.append("")

    ignored = [(meta, f) for meta, result in report.results for f in result.findings if f.status is Status.IGNORED]
    if ignored:
        out += ["### Ignored", ""]
        out += [f"- {meta.id} {_inline(f.message)}: {_inline(report.applied_to(meta.id, f).note)}"
                for meta, f in ignored]
        out.append("")
    missing = gaps(report)
    if missing:
        out += ["### To gather the missing evidence", ""]
        out += [f"- `{printable(gap.enable).replace('`', chr(39))}` ({_inline(gap.concerns())})" for gap in missing]
        out.append("")
    if report.notes:
        out += ["### Notes", ""] + [f"- ⚠️ {_inline(note)}" for note in report.notes] + [""]

    out += ["### All checks", ""]
    for section, rows in sections(report):
        if not rows:
            continue
        counted = ", ".join(f"{n} {s.value}" for s, n in tally(rows))
        out += [f"<details><summary><b>{section.number}. {section.title}</b> ({counted})</summary>", "",
                "| status | check | finding |", "|---|---|---|"]
        for meta, result in rows:
            first = result.findings[0].message if result.findings else ""
            level = evidence_level(meta, result)
            out.append(f"| {GLYPH[result.status]} {result.status.value}{f' ({_inline(level)})' if level else ''} | "
                       f"{meta.id} {_inline(headline(meta, result.status))} | {_inline(first)} |")
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip() + "\n"


def _finding(report, meta, finding) -> list[str]:
    where = f" (`{printable(str(finding.location))}`)" if finding.location else ""
    lines = [f"- {_inline(finding.message)}{where}"]
    applied = report.applied_to(meta.id, finding)
    if applied:
        lines.append(f"  - ⚠️ {_inline(applied.note)}")
    if finding.hint:
        lines.append(f"  - fix: {_inline(finding.hint)}")
    commands = reproduce(report, meta, finding)
    lines.append("  - reproduce: " + " or ".join(f"`{c}`" for c in commands))
    if finding.evidence:
        evidence = printable(finding.evidence).rstrip().splitlines()
        shown = evidence[:EVIDENCE_LINES] + ([f"… {len(evidence) - EVIDENCE_LINES} more lines"]
                                             if len(evidence) > EVIDENCE_LINES else [])
        fence = "`" * max(3, _longest_backtick_run(finding.evidence) + 1)
        lines += ["", "  <details><summary>evidence</summary>", "", f"  {fence}text"]
        lines += [f"  {line}" for line in shown]
        lines += [f"  {fence}", "", "  </details>"]
    return lines


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def _inline(text: str) -> str:
    """One line of Markdown that renders as the text: no HTML, no accidental emphasis or links."""
    escaped = printable(text).replace("\\", "\\\\")
    for char in "`*_[]<>|#":
        escaped = escaped.replace(char, "\\" + char)
    return " ".join(escaped.split())
