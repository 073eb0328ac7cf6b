"""A single-file HTML report: no scripts, fonts or images from anywhere, so it can be attached to a
production-access request and opened offline. Sections are numbered like Belvo's checklist;
every finding shows its evidence and the command that reproduces it."""

from __future__ import annotations

from html import escape

from belvo_check.model import Status
from belvo_check.report import evidence_level, headline
from belvo_check.report.findings import GLYPH, PROBLEMS, gap_hints, gaps, header_facts, printable, reproduce, \
    sections, summary, tally, verdict

STYLE = """
:root { --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --skip:#6e7781; --error:#8250df;
        --ignored:#0969da; --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 1080px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 6px; color: #fff; font-weight: 700; }
.verdict.ready { background: var(--pass); } .verdict.not_ready { background: var(--fail); }
.verdict.incomplete { background: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 16px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.tally { display: flex; gap: 8px; flex-wrap: wrap; margin: 12px 0 20px; padding: 0; list-style: none; }
.tally li { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.tally b { font-size: 18px; margin-right: 4px; }
nav ol { columns: 2; padding-left: 20px; }
section { margin-top: 28px; }
section > h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
article { border: 1px solid var(--line); border-left: 5px solid var(--skip); border-radius: 6px;
          padding: 10px 14px; margin: 10px 0; }
article h3 { font-size: 15px; margin: 0; display: flex; gap: 10px; align-items: baseline; }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; color: var(--muted); }
.badge { font-size: 12px; font-weight: 700; text-transform: uppercase; padding: 1px 8px; border-radius: 10px;
         color: #fff; background: var(--skip); min-width: 52px; text-align: center; }
.checklist { color: var(--muted); margin: 4px 0 6px; font-style: italic; }
.finding { margin: 8px 0 0; }
.finding .where { font-family: ui-monospace, monospace; color: var(--muted); }
.hint { margin: 4px 0; } .hint::before { content: "→ "; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
      font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; white-space: pre-wrap;
      overflow-wrap: anywhere; margin: 6px 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
.reproduce code { background: var(--soft); padding: 1px 5px; border-radius: 4px; }
.empty, .level { color: var(--muted); }
.applied { margin: 4px 0; color: var(--ignored); } .applied.expired { color: var(--warn); font-weight: 600; }
.notes { border: 1px solid var(--warn); border-radius: 6px; padding: 8px 14px 8px 30px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
""" + "\n".join(
    f".s-{s.value} {{ border-left-color: var(--{s.value}); }} .s-{s.value} .badge, .b-{s.value} "
    f"{{ background: var(--{s.value}); color: #fff; }}" for s in Status) + """
@media print { article { break-inside: avoid; } details { display: block; } }
"""


def to_html(report) -> str:
    grouped = gap_hints(report)
    title = f"belvo-check: {report.verdict.word} for {report.environment}"  # the full verdict is said once, below
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No network at all: the report must render the same offline, attached to an email.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        '<header id="summary">',
        f"<h1>belvo-check report · {escape(report.environment)}</h1>",
        f'<p><span class="verdict {report.verdict.key}">{escape(verdict(report))}</span></p>',
        '<dl class="facts">',
        *(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in header_facts(report)),
        "</dl>",
        '<ul class="tally">',
        *(f'<li><b>{report.counts[s.value]}</b><span class="badge b-{s.value}">{s.value}</span></li>' for s in Status),
        "</ul>",
        f"<p>{escape(summary(report))}</p>",
        *(['<ul class="notes" id="notes">', *(f"<li>{escape(note)}</li>" for note in report.notes), "</ul>"]
          if report.notes else []),
        *_gaps(report),
        "</header>",
        '<nav id="contents"><h2>Checklist</h2><ol>',
        *(f'<li><a href="#section-{section.number}">{escape(section.title)}</a> '
          f'<span class="empty">({_tally(rows)})</span></li>' for section, rows in sections(report)),
        "</ol></nav>",
    ]
    for section, rows in sections(report):
        parts.append(f'<section id="section-{section.number}"><h2>{section.number}. {escape(section.title)}</h2>')
        if not rows:
            parts.append('<p class="empty">No check of this section was selected in this run.</p>')
        parts += [_check(report, meta, result, grouped) for meta, result in rows]
        parts.append("</section>")
    parts += [f"<footer>Written by belvo-check {escape(report.tool_version)}. Every pass carries the evidence "
              "that earned it; every problem, the command that reproduces it.</footer>", "</body></html>"]
    return "\n".join(parts) + "\n"


def _check(report, meta, result, grouped: set[str]) -> str:
    status = result.status
    parts = [f'<article class="check s-{status.value}" id="{escape(meta.id)}">',
             f'<h3><span class="badge">{GLYPH[status]} {status.value}</span><span class="id">{escape(meta.id)}</span>'
             f"<span>{escape(headline(meta, status))}</span>"
             + (f'<span class="level">({escape(level)})</span>' if (level := evidence_level(meta, result)) else "")
             + "</h3>",
             f'<p class="checklist">Checklist: {escape(meta.checklist)}</p>']
    for finding in result.findings:
        parts.append(_finding(report, meta, finding, several=len(result.findings) > 1, grouped=grouped))
    parts.append("</article>")
    return "\n".join(parts)


def _finding(report, meta, finding, several: bool, grouped: set[str]) -> str:
    glyph = f"{GLYPH[finding.status]} " if several else ""
    where = f' <span class="where">({escape(printable(str(finding.location)))})</span>' if finding.location else ""
    parts = [f'<div class="finding f-{finding.status.value}"><div>{glyph}{escape(printable(finding.message))}{where}</div>']
    applied = report.applied_to(meta.id, finding)
    if applied:
        parts.append(f'<p class="applied{" expired" if applied.expired else ""}">{escape(applied.note)}</p>')
    if finding.evidence:
        parts.append(f"<pre>{escape(printable(finding.evidence).rstrip())}</pre>")
    if finding.hint and finding.status is not Status.PASS and finding.hint not in grouped:
        parts.append(f'<p class="hint">{escape(printable(finding.hint))}</p>')
    if finding.status in PROBLEMS or finding.status is Status.IGNORED:
        commands = " or ".join(f"<code>{escape(c)}</code>" for c in reproduce(report, meta, finding))
        parts.append(f'<p class="reproduce">Reproduce: {commands}</p>')
    parts.append("</div>")
    return "\n".join(parts)


def _gaps(report) -> list[str]:
    """What would gather the evidence this run went without, each said once with the checks it concerns."""
    missing = gaps(report)
    if not missing:
        return []
    items = [f"<li><b>{escape(printable(gap.enable))}</b> ({escape(gap.concerns())})</li>" for gap in missing]
    return ['<section id="enable"><h2>To gather the missing evidence</h2><ul>', *items, "</ul></section>"]


def _tally(rows) -> str:
    return ", ".join(f"{n} {s.value}" for s, n in tally(rows)) or "not selected"
