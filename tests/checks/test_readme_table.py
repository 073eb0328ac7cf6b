"""The README's table of checks is the registry's: every check, its title and its evidence, in id order."""

from __future__ import annotations

from belvo_check.registry import load_registry
from tests.conftest import ROOT


def readme_rows() -> list[tuple[str, str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The checks\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("| BLV")]
    return [tuple(cell.strip() for cell in row) for row in rows]


def test_readme_table_lists_every_check_as_registered():
    registered = [(c.meta.id, c.meta.title, ",".join(e.value for e in c.meta.evidence)) for c in load_registry().all()]
    assert readme_rows() == registered
