"""The terminal report: one table per checklist section, a hint under each problem, a verdict.

Everything is printed as rich `Text`, never as markup, so brackets in a finding stay brackets.
Finding texts reach this module already redacted and spelled out (belvo_check.secrets); the
config path and locations, which come from the command line, are spelled out here.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from belvo_check.model import SECTIONS, Finding, Status
from belvo_check.report import Report, headline
from belvo_check.secrets import visible

STYLE = {
    Status.PASS: ("✔", "green"),
    Status.WARN: ("▲", "yellow"),
    Status.FAIL: ("✖", "red"),
    Status.SKIP: ("○", "dim"),
    Status.ERROR: ("!", "magenta"),
}
EVIDENCE_LINES = 10
PLAIN_WIDTH = 120  # fixed for files, pipes and CI, so logs are stable from run to run
INDENT = (0, 0, 0, 17)  # messages line up under the check title
EVIDENCE_INDENT = (0, 0, 0, 19)


def status_text(status: Status) -> Text:
    glyph, style = STYLE[status]
    return Text(f"{glyph} {status.value:<5}", style=f"bold {style}" if status is not Status.SKIP else style)


def print_report(report: Report, console: Console, quiet: bool = False, verbose: bool = False) -> None:
    if not quiet:
        console.print(Text.assemble(("belvo-check ", "bold"), report.tool_version, " · ",
                                    visible(report.config_path), " · environment: ", (report.environment, "bold")))
    by_section = {section.number: [] for section in SECTIONS}
    for meta, result in report.results:
        by_section.setdefault(meta.section.number, []).append((meta, result))

    for section in SECTIONS:
        rows = by_section[section.number]
        shown = [(m, r) for m, r in rows if not quiet or r.status in (Status.FAIL, Status.WARN, Status.ERROR)]
        if quiet and not shown:
            continue
        console.print()
        console.print(Text(f"{section.number}. {section.title}", style="bold underline"))
        if not rows:
            console.print(Padding(Text("no check selected in this section", style="dim"), INDENT))
        for meta, result in shown:
            console.print(Text.assemble(status_text(result.status), "  ", (meta.id, "bold"), "  ",
                                        (headline(meta, result.status), "bold")))
            for finding in result.findings:
                _print_finding(console, finding, len(result.findings) > 1, verbose, quiet)
            if verbose and result.traceback:
                console.print(Padding(Text(result.traceback.rstrip(), style="dim"), EVIDENCE_INDENT))

    console.print()
    console.print(summary_line(report))


def _print_finding(console: Console, finding: Finding, several: bool, verbose: bool, quiet: bool) -> None:
    glyph, style = STYLE[finding.status]
    line = Text()
    if several:
        line.append(f"{glyph} ", style=style)
    line.append(finding.message)
    if finding.location:
        line.append(f"  ({visible(str(finding.location))})", style="cyan")
    console.print(Padding(line, INDENT))
    problem = finding.status in (Status.FAIL, Status.WARN, Status.ERROR)
    if finding.evidence and ((problem and not quiet) or verbose):
        lines = finding.evidence.rstrip().splitlines()
        cut = lines[:EVIDENCE_LINES] if not verbose else lines
        if len(cut) < len(lines):
            cut.append(f"… {len(lines) - len(cut)} more lines (-v shows all)")
        console.print(Padding(Text("\n".join(cut), style="dim"), EVIDENCE_INDENT))
    if finding.hint and finding.status is not Status.PASS:
        console.print(Padding(Text(f"→ {finding.hint}", style="italic"), INDENT))


def summary_line(report: Report) -> Text:
    counts = report.counts
    text = Text(f"{len(report.results)} checks: ")
    text.append(" · ".join(f"{counts[s.value]} {s.value}" for s in Status))
    verdict, style = ("READY", "bold green") if report.ready else ("NOT READY", "bold red")
    text.append("  ")
    text.append(f"{verdict} for {report.environment}", style=style)
    skipped = report.count(Status.SKIP)
    if skipped:
        text.append(f"  ({skipped} of {len(report.results)} skipped for lack of evidence: each says what enables it)",
                    style="dim")
    if report.count(Status.ERROR):
        text.append(f"  ({report.count(Status.ERROR)} check(s) errored: see above, -v for tracebacks)",
                    style="magenta")
    return text


def plain_text(report: Report, quiet: bool = False, verbose: bool = False) -> str:
    """The same report without colour or cell padding, for CI logs, pipes and files."""
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=PLAIN_WIDTH, no_color=True, highlight=False,
                                 force_terminal=False), quiet=quiet, verbose=verbose)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
