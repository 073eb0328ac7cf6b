"""Shared helpers for the source-layer tests: expectations written inside the fixtures themselves."""

from __future__ import annotations

import re
from pathlib import Path

collect_ignore_glob = ["fixtures/*"]  # fixture trees are scanned, never run
FIXTURES = Path(__file__).parent / "fixtures"
# `expect: concept/verdict, ...` in a comment at the end of the line it is about (expectations.txt,
# for files without comments, says `path:line concept=verdict`). Aliases and the slash keep the marker
# itself from looking like what matchers search for ("belvo", "environ", "timeout", an assignment).
MARK = re.compile(r"expect: ((?:[a-z0-9_]+[=/](?:bad|ok|ambiguous)(?:,\s*)?)+)")
ALIASES = {"host": "belvo_host", "sdkalias": "sdk_environment", "deadline": "timeout", "extid": "widget_external_id"}


def _pairs(text: str):
    for item in filter(None, re.split(r",\s*", text.strip().rstrip(","))):
        concept, verdict = re.split(r"[=/]", item)
        yield ALIASES.get(concept, concept), verdict


def expectations(root: Path) -> set[tuple[str, int, str, str]]:
    """(path, line, concept, verdict) for every marker under root, plus root/expectations.txt."""
    expected = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name == "expectations.txt":
            continue
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = MARK.search(line)
            if match:
                expected |= {(rel, number, concept, verdict) for concept, verdict in _pairs(match.group(1))}
    listing = root / "expectations.txt"
    if listing.exists():
        for line in listing.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                place, marks = line.split(" ", 1)
                rel, number = place.rsplit(":", 1)
                expected |= {(rel, int(number), c, v) for c, v in _pairs(marks)}
    return expected


def located(findings, skip=("suppression",)) -> set[tuple[str, int, str, str]]:
    return {(f.path, f.line, f.concept, f.verdict) for f in findings if f.path and f.concept not in skip}


def found(tmp_path: Path, concepts, files: dict[str, str]) -> set[tuple[str, str, int | None, str]]:
    """(concept, path, line, verdict) of each located finding of `concepts` in a tree written under tmp_path."""
    from belvo_check.source import scan

    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {(f.concept, f.path, f.line, f.verdict) for f in scan(tmp_path, concepts=concepts, jobs=1).findings
            if f.path}
