"""The terminal report: one block per checklist section, a hint under each problem, a verdict.

On a terminal long lines wrap under their column; in files, pipes and CI logs a line stays one
line (a wrapped journal line is a misread journal line), without colour unless FORCE_COLOR asks.

Everything is printed as rich `Text`, never as markup, so brackets in a finding stay brackets.
Finding texts reach this module already redacted and spelled out (belvo_check.secrets); the
config path and locations, which come from the command line, are spelled out here.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from belvo_check.model import Finding, Status
from belvo_check.report import Report, Verdict, evidence_level, headline
from belvo_check.report.findings import GLYPH, gap_hints, gaps, header_facts, incomplete_because, sections, summary, \
    verdict
from belvo_check.secrets import visible

STYLE = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "red",
    Status.SKIP: "dim",
    Status.ERROR: "magenta",
    Status.IGNORED: "cyan",
}
EVIDENCE_LINES = 10
PLAIN_WIDTH = 120  # for what still wraps in plain output: nothing of the report itself
INDENT = 19  # messages line up under the check title
EVIDENCE_INDENT = 21


class _Printer:
    def __init__(self, console: Console, wrap: bool) -> None:
        self.console, self.wrap = console, wrap

    def __call__(self, text: Text | str = "", indent: int = 0) -> None:
        text = Text(text) if isinstance(text, str) else text
        if self.wrap:
            self.console.print(Padding(text, (0, 0, 0, indent)) if indent else text)
        else:
            for line in text.split("\n"):
                self.console.print(Text(" " * indent) + line, soft_wrap=True)


def status_text(status: Status) -> Text:
    style = STYLE[status]
    return Text(f"{GLYPH[status]} {status.value:<7}", style=f"bold {style}" if status is not Status.SKIP else style)


def print_report(report: Report, console: Console, quiet: bool = False, verbose: bool = False,
                 wrap: bool = True) -> None:
    out = _Printer(console, wrap)
    if not quiet:
        out(Text.assemble(("belvo-check ", "bold"), report.tool_version, " · ", visible(report.config_path),
                          " · environment: ", (report.environment, "bold")))
        for label, value in header_facts(report)[1:]:
            if label in ("against", "not gathered", "integration"):
                out(Text.assemble((f"{label}: ", "dim"), value))
    grouped = gap_hints(report)
    for section, rows in sections(report):
        shown = [(m, r) for m, r in rows if not quiet or report.blocks(r.status) or r.status is Status.WARN]
        if quiet and not shown:
            continue
        out()
        out(Text(f"{section.number}. {section.title}", style="bold underline"))
        if not rows:
            out(Text("no check selected in this section", style="dim"), INDENT)
        for meta, result in shown:
            out(Text.assemble(status_text(result.status), "  ", (meta.id, "bold"), "  ",
                              (headline(meta, result.status), "bold"), (decided(meta, result), "dim")))
            hinted: set[str] = set()  # a hint shared by several findings of one check is said once
            for finding in result.findings:
                _print_finding(out, report, meta, finding, len(result.findings) > 1, verbose, quiet, grouped,
                               hinted)
            if verbose and result.traceback:
                out(Text(result.traceback.rstrip(), style="dim"), EVIDENCE_INDENT)

    missing = gaps(report)
    if missing and (not quiet or report.verdict is Verdict.INCOMPLETE):
        out()
        out(Text("To gather the missing evidence", style="bold underline"))
        for gap in missing:
            out(Text.assemble((gap.enable, "bold"), f"  ({gap.concerns()})"), 2)
    if report.notes:
        out()
        out(Text("Notes", style="bold underline"))
        for note in report.notes:
            out(Text(f"! {note}", style="yellow"), 2)
    out()
    out(summary_line(report))


def decided(meta, result) -> str:
    """Which evidence decided a check that reads the source, and the behaviour it went without."""
    return f"  ({evidence_level(meta, result)})" if evidence_level(meta, result) else ""


def _print_finding(out: _Printer, report: Report, meta, finding: Finding, several: bool, verbose: bool, quiet: bool,
                   grouped: set[str], hinted: set[str]) -> None:
    line = Text()
    if several:
        line.append(f"{GLYPH[finding.status]} ", style=STYLE[finding.status])
    line.append(finding.message)
    if finding.location:
        line.append(f"  ({visible(str(finding.location))})", style="cyan")
    out(line, INDENT)
    applied = report.applied_to(meta.id, finding)
    if applied:
        out(Text(applied.note, style="yellow" if applied.expired else "cyan"), INDENT)
    problem = finding.status in (Status.FAIL, Status.WARN, Status.ERROR)
    if finding.evidence and ((problem and not quiet) or verbose):
        lines = finding.evidence.rstrip().splitlines()
        cut = lines[:EVIDENCE_LINES] if not verbose else lines
        if len(cut) < len(lines):
            cut.append(f"… {len(lines) - len(cut)} more lines (-v shows all)")
        out(Text("\n".join(cut), style="dim"), EVIDENCE_INDENT)
    if finding.hint and finding.status not in (Status.PASS, Status.IGNORED) and finding.hint not in hinted:
        if finding.status is Status.SKIP and finding.hint in grouped:
            return  # said once, with every check it concerns, at the end
        hinted.add(finding.hint)
        out(Text(f"→ {finding.hint}", style="italic"), INDENT)


VERDICT_STYLE = {Verdict.READY: "bold green", Verdict.INCOMPLETE: "bold yellow", Verdict.NOT_READY: "bold red"}


def summary_line(report: Report) -> Text:
    text = Text(summary(report))
    text.append("  ")
    text.append(verdict(report), style=VERDICT_STYLE[report.verdict])
    why = incomplete_because(report)
    if why:
        text.append(f"  ({why})", style="yellow")
    elif report.count(Status.SKIP):
        text.append(f"  ({report.count(Status.SKIP)} of {len(report.results)} skipped for lack of evidence: "
                    "each says what enables it)", style="dim")
    if report.count(Status.ERROR):
        text.append(f"  ({report.count(Status.ERROR)} check(s) errored: see above, -v for tracebacks)",
                    style="magenta")
    return text


def plain_text(report: Report, quiet: bool = False, verbose: bool = False) -> str:
    """The same report without colour, padding or wrapping, for CI logs, pipes and files."""
    buffer = io.StringIO()
    print_report(report, Console(file=buffer, width=PLAIN_WIDTH, no_color=True, highlight=False,
                                 force_terminal=False), quiet=quiet, verbose=verbose, wrap=False)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
