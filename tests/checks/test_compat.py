"""Section 6 checks (BLV601-BLV604) judged on recorded drill outcomes: a mutated drill against plain."""

from __future__ import annotations

from belvo_check.harness.drills import (COMPAT_ADD_FIELDS, COMPAT_LONGER_STRINGS, COMPAT_SHORTER_STRINGS,
                                        COMPAT_UNKNOWN_ENUMS, PLAIN, TIMESTAMP_DRILLS, Drill)
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, call, flow, outcome, run_check, snapshot, statuses

TX = ["tx-1", "tx-2", "tx-3"]


def _run(drill: Drill, stored, *, sync_exit: int = 0, aliases: dict | None = None, after: tuple = ()) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1"),
             flow("sync", 1, exit_code=sync_exit, started=2.0, ended=3.0, link_id="link-1",
                  store=snapshot(transactions=[{"belvo_id": i} for i in stored])), *after]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=1.0),
                                  call("GET", "/api/transactions/", 200, at=2.5)], aliases=aliases)


def test_blv601_passes_the_same_records_and_fails_lost_ones(tmp_path):
    same = RecordedHarness({"plain": _run(PLAIN, TX), "compat-add-fields": _run(COMPAT_ADD_FIELDS, TX)})
    assert run_check("BLV601", tmp_path, harness=same).status is Status.PASS
    lost = RecordedHarness({"plain": _run(PLAIN, TX), "compat-add-fields": _run(COMPAT_ADD_FIELDS, TX[:1])})
    result = run_check("BLV601", tmp_path, harness=lost)
    assert result.status is Status.FAIL and "transactions: 2 missing" in result.findings[0].message


def test_blv602_fails_ids_cut_back_to_the_plain_run_s(tmp_path):
    longer = {f"{i}-longer": i for i in TX}  # sent alias -> real id
    harness = RecordedHarness({"plain": _run(PLAIN, TX),
                               "compat-longer-strings": _run(COMPAT_LONGER_STRINGS, TX, aliases=longer),
                               "compat-shorter-strings": _run(COMPAT_SHORTER_STRINGS, TX)})
    result = run_check("BLV602", tmp_path, harness=harness)
    assert statuses(result) == [Status.FAIL, Status.PASS] and "ids were cut or rewritten" in result.findings[0].message


def test_blv603_judges_every_timestamp_variant_and_fails_a_flow_that_exits_otherwise(tmp_path):
    outcomes = {"plain": _run(PLAIN, TX)}
    outcomes.update({d.name: _run(d, TX) for d in TIMESTAMP_DRILLS})
    outcomes[TIMESTAMP_DRILLS[1].name] = _run(TIMESTAMP_DRILLS[1], [], sync_exit=1)
    result = run_check("BLV603", tmp_path, harness=RecordedHarness(outcomes))
    assert statuses(result) == [Status.PASS, Status.FAIL, Status.PASS]
    assert "exited 1 (plain run: 0)" in result.findings[1].message


def test_blv604_warns_when_the_plain_run_itself_failed(tmp_path):
    harness = RecordedHarness({"plain": _run(PLAIN, TX, sync_exit=1),
                               "compat-unknown-enums": _run(COMPAT_UNKNOWN_ENUMS, TX)})
    result = run_check("BLV604", tmp_path, harness=harness)
    assert result.status is Status.WARN and "plain drill did not sync successfully" in result.findings[0].message


def test_a_crash_in_a_step_the_compat_checks_do_not_depend_on_hides_no_failure(tmp_path):
    crashed_delete = flow("delete_link", 2, exit_code=1, started=4.0, ended=4.5, link_id="link-1",
                          stderr='Traceback (most recent call last):\n  File "app.py", line 9\nValueError: empty\n')
    outcomes = {"plain": _run(PLAIN, TX, after=(crashed_delete,))}
    outcomes.update({d.name: _run(d, TX) for d in TIMESTAMP_DRILLS})
    outcomes[TIMESTAMP_DRILLS[0].name] = _run(TIMESTAMP_DRILLS[0], [], sync_exit=1)
    result = run_check("BLV603", tmp_path, harness=RecordedHarness(outcomes))
    assert statuses(result) == [Status.FAIL, Status.PASS, Status.PASS]


def _printed(drill: Drill, stdout: str, aliases: dict | None = None) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1", stdout="link-1\n"),
             flow("sync", 1, started=2.0, ended=3.0, link_id="link-1", stdout=stdout)]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=1.0),
                                  call("GET", "/api/transactions/", 200, at=2.5)], aliases=aliases)


def test_without_a_store_the_same_output_as_the_plain_run_passes_and_any_other_warns(tmp_path):
    summary = "synced 3 transactions, total 120.50: tx-1 tx-2 tx-3"
    longer = {f"{i}-longer": i for i in TX}
    harness = RecordedHarness({"plain": _printed(PLAIN, summary),
                               "compat-longer-strings": _printed(COMPAT_LONGER_STRINGS, summary.replace(
                                   "tx-1", "tx-1-longer"), aliases=longer),
                               "compat-shorter-strings": _printed(COMPAT_SHORTER_STRINGS, "synced 1 transactions")})
    result = run_check("BLV602", tmp_path, harness=harness)
    assert statuses(result) == [Status.PASS, Status.WARN]
    assert "printed exactly as in the plain drill" in result.findings[0].message
    silent = RecordedHarness({"plain": _printed(PLAIN, ""), "compat-add-fields": _printed(COMPAT_ADD_FIELDS, "")})
    assert run_check("BLV601", tmp_path, harness=silent).status is Status.WARN  # nothing printed proves nothing
