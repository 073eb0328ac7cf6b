"""GitHub Actions workflow commands: an annotation per problem, on the file and line it concerns.

https://docs.github.com/actions/reference/workflow-commands-for-github-actions
"""

from __future__ import annotations

from belvo_check.model import Status
from belvo_check.report import Verdict, headline
from belvo_check.report.findings import gaps, items, printable, reproduce, summary, verdict

COMMAND = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def to_github(report) -> str:
    lines = []
    for item in items(report, (Status.FAIL, Status.ERROR, Status.WARN)):
        finding, meta = item.finding, item.meta
        # Findings without a location of their own stay off the diff: they show on the run's summary.
        where = finding.location
        props = {}
        if where is not None:
            props["file"] = where.path
            if where.line:
                props["line"] = str(where.line)
            if where.col:
                props["col"] = str(where.col)
        props["title"] = f"{meta.id} {headline(meta, finding.status)}"
        body = [finding.message]
        if finding.hint:
            body.append(f"Fix: {finding.hint}")
        applied = report.applied_to(meta.id, finding)
        if applied:
            body.append(applied.note)
        body.append("Reproduce: " + " ; ".join(reproduce(report, meta, finding)))
        lines.append(f"::{COMMAND[finding.status]} {_properties(props)}::{_data(chr(10).join(body))}")
    skipped = report.count(Status.SKIP)
    if skipped:
        lines.append(f"::notice title=belvo-check::{_data(f'{skipped} check(s) skipped for lack of evidence')}")
    level = "warning" if report.verdict is Verdict.INCOMPLETE else "notice"  # missing evidence that makes the run INCOMPLETE warns
    lines += [f"::{level} title=belvo-check evidence not gathered::{_data(gap.describe())}" for gap in gaps(report)]
    lines += [f"::warning title=belvo-check::{_data(note)}" for note in report.notes]
    lines.append(f"{summary(report)}  {verdict(report)}")
    return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _properties(props: dict[str, str]) -> str:
    return ",".join(f"{key}={_data(value).replace(':', '%3A').replace(',', '%2C')}" for key, value in props.items())
