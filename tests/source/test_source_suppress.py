"""Inline suppressions: `belvo-check: ignore[BLVnnn] reason` on the line or the line above."""

from __future__ import annotations

from belvo_check.source import scan
from belvo_check.source.suppress import parse
from tests.source.conftest import FIXTURES


def test_suppression_on_line_or_above_and_reasonless_one_is_a_finding():
    result = scan(FIXTURES / "python", jobs=1)
    host = next(f for f in result.of("belvo_host") if f.path == "app/settings.py" and "sandbox" in f.snippet)
    suppression = result.suppression(host, "BLV701")
    assert suppression is not None and "local default" in suppression.reason
    assert result.suppression(host, "BLV702") is None  # another check id is not silenced
    problems = result.of("suppression")
    assert [(p.path, p.line, p.verdict) for p in problems] == [("app/settings.py", 11, "bad")]


def test_parse_forms():
    lines = [
        "x = 1  # belvo-check: ignore[BLV704, BLV701] test keys only",
        "// belvo-check: ignore[BLV303]",
        "/* belvo-check: ignore[] why */",
        "text = 'belvo-check: ignore[BLV101] not a comment'",
        "<!-- belvo-check: ignore[BLV102] docs example -->",
    ]
    found, problems = parse("f.js", lines)
    assert [(s.line, s.ids, s.reason) for s in found] == [
        (1, ("BLV704", "BLV701"), "test keys only"), (5, ("BLV102",), "docs example")]
    assert [(p.line, p.form) for p in problems] == [(2, "ignore without reason"), (3, "ignore[] without id")]
