"""The Markdown report from a real run, rendered by a CommonMark parser (markdown-it, which rich uses)."""

from __future__ import annotations

from dataclasses import replace

from markdown_it import MarkdownIt

from belvo_check.report.markdown import to_markdown


def render(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


def test_problems_first_with_evidence_and_reproduce_then_every_check(report):
    text = to_markdown(report)
    html = render(text)
    assert text.startswith("## belvo-check: ❌ NOT READY for production")
    problems = text.split("### Problems")[1].split("### All checks")[0]
    assert "BLV401" in problems and "BLV701" in problems and "BLV802" in problems
    assert "BLV402" not in problems  # a pass is not a problem
    assert "<code>belvo-check run -c belvo-check.yaml --select BLV701 -v</code>" in html
    assert "belvo.base_url = https://sandbox.belvo.com (environment: production)" in html
    for meta, _ in report.results:  # the per-section tables hold every check
        assert f"<td>{meta.id} " in html
    assert html.count("<table>") == 4  # the tally, and one per section that has checks (4, 7, 8)


def test_hostile_text_cannot_break_out_of_its_place(report):
    meta, result = next((m, r) for m, r in report.results if m.id == "BLV701")
    evil = replace(result.findings[0], message="x | <img src=x onerror=alert(1)> [link](http://evil)",
                   evidence="```\n</details><script>alert(1)</script>")
    report.results[report.results.index((meta, result))] = (meta, replace(result, findings=[evil]))
    html = render(to_markdown(report))
    assert "<img" not in html and "<script>" not in html and 'href="http://evil"' not in html
