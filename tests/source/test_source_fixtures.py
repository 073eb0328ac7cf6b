"""Every fixture tree, per language: the located findings are exactly the ones its markers expect.

Lines without a marker must produce nothing, so each fixture is a negative test for every
unmarked line (placeholders, env reads, tolerant parsers, tests using sandbox on purpose, ...).
"""

from __future__ import annotations

import pytest

from belvo_check.source import scan
from tests.source.conftest import FIXTURES, expectations, located

FRONTEND = {"javascript": ["web/**"]}


@pytest.mark.parametrize("language", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_fixture_findings_match_markers(language):
    root = FIXTURES / language
    result = scan(root, frontend=FRONTEND.get(language, ()), jobs=1)
    assert not result.errors
    found, expected = located(result.findings), expectations(root)
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, f"missing: {missing}\nunexpected: {unexpected}"
