"""Which drills a check runs on, given the flows configured: a drill's own flows count, and so do
the flows the check declares; a flow only other checks need (delete_link at the end of `plain`)
is left out of the run rather than turning every check on `plain` into a skip."""
from __future__ import annotations

from belvo_check.harness.drills import ERRORS_401, PLAIN
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, run_check, synced

WITHOUT_DELETE = ("create_link", "sync")


def test_plain_runs_without_delete_link_for_a_check_that_does_not_need_it(tmp_path):
    harness = RecordedHarness({"plain": synced(PLAIN, [], exit_code=0), "errors-401": synced(ERRORS_401, [])},
                              flows=WITHOUT_DELETE)
    result = run_check("BLV704", tmp_path, harness=harness)
    assert sorted(harness.asked) == ["errors-401", "plain"]
    assert result.status is Status.PASS


def test_a_check_that_declares_delete_link_skips_naming_it(tmp_path):
    harness = RecordedHarness({"plain": synced(PLAIN, [], exit_code=0)}, flows=WITHOUT_DELETE)
    result = run_check("BLV302", tmp_path, harness=harness)
    assert result.status is Status.SKIP
    assert "integration.flows.delete_link" in result.findings[0].message
    assert harness.asked == []


def test_a_drill_whose_fault_is_on_sync_needs_sync(tmp_path):
    harness = RecordedHarness({"errors-401": synced(ERRORS_401, [])}, flows=("create_link",))
    result = run_check("BLV202", tmp_path, harness=harness)
    assert result.status is Status.SKIP and "integration.flows.sync" in result.findings[0].message
