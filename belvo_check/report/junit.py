"""JUnit XML, for CI test reports: a testsuite per checklist section, a testcase per check.

fail is a <failure>; warn (and skip) too when --fail-on makes it block, otherwise a warn passes
with its finding in <system-out>; error is an <error>; skip is <skipped> with what would enable
it; ignored is <skipped> with the suppression's reason and what the check would have said.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from belvo_check.model import Status
from belvo_check.report import evidence_level, headline
from belvo_check.report.findings import gap_hints, gaps, printable, reproduce, sections, verdict


def to_junit(report) -> str:
    root = ET.Element("testsuites", name="belvo-check", time=_seconds(report))
    # The run's verdict, and each kind of evidence it went without, said once for the whole run.
    properties = ET.SubElement(root, "properties")
    ET.SubElement(properties, "property", name="verdict", value=printable(verdict(report)))
    for gap in gaps(report):
        ET.SubElement(properties, "property", name="evidence not gathered", value=printable(gap.describe()))
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for section, rows in sections(report):
        if not rows:
            continue
        suite = ET.SubElement(root, "testsuite", name=f"{section.number}. {section.title}",
                              timestamp=report.started_at.strftime("%Y-%m-%dT%H:%M:%S"))
        counts = dict.fromkeys(totals, 0)
        for meta, result in rows:
            counts["tests"] += 1
            kind = _outcome(report, result.status)
            if kind:
                counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[kind]] += 1
            _testcase(suite, report, meta, result, kind)
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _outcome(report, status: Status) -> str | None:
    if status is Status.ERROR:
        return "error"
    if status in (Status.SKIP, Status.IGNORED) and not report.blocks(status):
        return "skipped"
    if report.blocks(status):
        return "failure"
    return None


def _testcase(suite: ET.Element, report, meta, result, kind: str | None) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"belvo-check.{meta.section.name}",
                         name=f"{meta.id} {meta.title}", time=f"{result.duration:.3f}")
    text = printable(_details(report, meta, result))
    first = printable(_skip_message(report, meta, result))
    if kind == "skipped":
        ET.SubElement(case, "skipped", message=first)
    elif kind:
        ET.SubElement(case, kind, message=printable(headline(meta, result.status)),
                      type=result.status.value).text = text
    if kind != "skipped":
        ET.SubElement(case, "system-out").text = text


def _details(report, meta, result) -> str:
    said_once = gap_hints(report)  # in the testsuites' properties
    level = evidence_level(meta, result)
    lines = [f"{meta.id} {headline(meta, result.status)}: {result.status.value}" + (f" ({level})" if level else ""),
             f"checklist: {meta.checklist}"]
    for finding in result.findings:
        where = f"  ({printable(str(finding.location))})" if finding.location else ""
        lines.append(f"{finding.status.value}: {finding.message}{where}")
        if finding.evidence:
            lines += [f"    {line}" for line in finding.evidence.rstrip().splitlines()]
        applied = report.applied_to(meta.id, finding)
        if applied:
            lines.append(f"  {applied.note}")
        if finding.hint and finding.status is not Status.PASS and finding.hint not in said_once:
            lines.append(f"  -> {finding.hint}")
    if result.status is not Status.PASS:
        lines += [f"reproduce: {command}" for command in reproduce(report, meta, _first_problem(result))]
    return "\n".join(lines)


def _skip_message(report, meta, result) -> str:
    if result.status is Status.IGNORED:
        notes = {report.applied_to(meta.id, f).note for f in result.findings if report.applied_to(meta.id, f)}
        return "; ".join(sorted(notes))
    return result.findings[0].message if result.findings else headline(meta, result.status)


def _first_problem(result):
    return next((f for f in result.findings if f.status is result.status), None)


def _seconds(report) -> str:
    return f"{(report.finished_at - report.started_at).total_seconds():.3f}"
