"""What a check declares is checked where it is declared, and the runner holds checks to it."""

from __future__ import annotations

import pytest

from belvo_check.errors import UsageError
from belvo_check.evidence import PROVIDERS
from belvo_check.harness.drills import DRILLS, ERRORS_500, PLAIN, Drill
from belvo_check.model import Evidence, Status, passed
from belvo_check.registry import REGISTRY, check, load_registry
from tests.checks.recorded import RecordedHarness, run_check

DECLARED = dict(title="t", failure_title="f", checklist="c", hint="h")


def test_a_misspelt_rule_or_flow_fails_where_the_drill_is_declared():
    with pytest.raises(ValueError, match="has no rule 'server-eror'"):
        ERRORS_500.rule("server-eror")
    with pytest.raises(ValueError, match="unknown flow 'synk'"):
        Drill("typo-drill", "does nothing", flows=("synk",))
    with pytest.raises(ValueError, match="two drills are named 'plain'"):
        Drill("plain", "again")


def test_a_check_declaration_is_checked_at_import():
    with pytest.raises(UsageError, match="drills must be Drill objects"):
        check(id="BLV298", evidence=[Evidence.HARNESS], drills=["plain"], **DECLARED)
    with pytest.raises(UsageError, match="unknown flow 'synk'"):
        check(id="BLV298", evidence=[Evidence.HARNESS], flows=["synk"], **DECLARED)
    with pytest.raises(UsageError, match="declare Evidence.HARNESS"):
        check(id="BLV298", evidence=[Evidence.CONFIG], store=True, **DECLARED)
    with pytest.raises(ValueError):
        check(id="BLV298", evidence=["probes"], **DECLARED)  # the evidence word is "probe"


def test_every_evidence_kind_but_the_config_has_one_provider():
    assert set(PROVIDERS) == set(Evidence) - {Evidence.CONFIG}


def test_every_built_in_harness_check_declares_the_drills_it_judges():
    judged = {d.name for c in load_registry().all() for d in c.meta.drills}
    assert judged == set(DRILLS)
    assert all(c.meta.origin.startswith("belvo_check.checks.") for c in load_registry().all())


def test_a_check_gets_only_the_evidence_and_drills_it_declared(tmp_path):
    @check(id="BLV299", evidence=[Evidence.HARNESS], drills=[PLAIN], **DECLARED)
    def greedy(ctx):
        """Asks for a drill it did not declare."""
        ctx.drill(ERRORS_500)
        return passed("never", evidence="never")

    @check(id="BLV298", evidence=[Evidence.HARNESS], **DECLARED)
    def nosy(ctx):
        """Asks for evidence it did not declare."""
        return passed(f"{ctx.id} probed {ctx.probes}", evidence="x")

    try:
        for check_id, words in (("BLV299", "does not declare it"), ("BLV298", "declares only harness")):
            result = run_check(check_id, tmp_path, harness=RecordedHarness({}))
            assert result.status is Status.ERROR and words in result.findings[0].message
    finally:
        REGISTRY._checks.pop("BLV299")
        REGISTRY._checks.pop("BLV298")


def test_the_runner_skips_a_check_whose_declared_store_is_missing_naming_the_config_line(tmp_path):
    result = run_check("BLV304", tmp_path, harness=RecordedHarness({}, store=False))
    assert result.status is Status.SKIP and result.findings[0].hint.startswith("to enable: add integration.store")


def test_source_evidence_is_one_provider_entry_that_skips_without_a_source_section(tmp_path):
    from belvo_check.config import load_config
    from belvo_check.evidence import Context, EvidenceUnavailable
    from tests.checks.recorded import config

    ctx = Context(load_config(config(tmp_path)))
    with pytest.raises(EvidenceUnavailable, match="source is not configured") as info:
        ctx.evidence(Evidence.SOURCE)
    assert "source: {root: .}" in info.value.enable
    (tmp_path / "app.py").write_text("import belvo\n")
    ctx = Context(load_config(config(tmp_path, "source: {root: .}\n")))
    assert ctx.evidence("source") is ctx.evidence(Evidence.SOURCE)
