"""Section 3 checks (BLV301-BLV304) judged on recorded drill outcomes."""

from __future__ import annotations

from belvo_check.harness.drills import PAGINATION, PLAIN, REPEAT_PAGES
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, call, flow, outcome, run_check, snapshot, statuses

TX = [f"tx-{i}" for i in range(30)]


def _truth(transactions=TX) -> dict:
    return {"link-1": {"record": {"id": "link-1", "institution_user_id": "iuid"}, "transactions": list(transactions)}}


def _rows(ids) -> list[dict]:
    return [{"belvo_id": i} for i in ids]


def _pages(last: int, at: float = 2.1) -> list:
    return [call("GET", "/api/transactions/", 200, at=at + 0.1 * p, query={"link": "link-1", "page": str(p)})
            for p in range(1, last + 1)]


def _plain(*, pages: int = 3, stored=TX, second=TX, sync_exit: int = 0, delete_exit: int = 0, links=None,
           store: bool = True, delete_stderr: str = "") -> object:
    first_store = snapshot(transactions=_rows(stored), links=_rows(links or ["link-1"])) if store else None
    second_store = snapshot(transactions=_rows(second)) if store else None
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1",
                  store=snapshot(links=_rows(links or ["link-1"])) if store else None),
             flow("sync", 1, exit_code=sync_exit, started=2.0, ended=3.0, link_id="link-1", store=first_store),
             flow("sync", 2, started=4.0, ended=5.0, link_id="link-1", store=second_store),
             flow("delete_link", 3, exit_code=delete_exit, started=6.0, ended=6.5, link_id="link-1",
                  stderr=delete_stderr)]
    journal = [call("POST", "/api/links/", 201, at=1.0), *_pages(pages),
               call("DELETE", "/api/links/link-1/", 204, at=6.2)]
    return outcome(PLAIN, flows, journal, truth=_truth())


def test_blv301_passes_flows_that_succeed_on_2xx_and_fails_a_sync_that_says_failure(tmp_path):
    result = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": _plain()}))
    assert result.status is Status.PASS and statuses(result) == [Status.PASS, Status.SKIP]
    assert "flows succeeded on 200, 201" in result.findings[0].message
    assert "never asked for async mode" in result.findings[1].message
    result = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": _plain(sync_exit=1)}))
    assert result.status is Status.FAIL and "sync (step 2) exited 1" in result.findings[0].message


def test_blv301_judges_202_where_the_integration_asked_for_async_mode(tmp_path):
    plain = _plain()
    plain.journal.append(call("POST", "/api/transactions/", 202, at=2.05, body={"link": "link-1"}))
    result = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": plain}))
    assert statuses(result) == [Status.PASS, Status.PASS] and "1 async answer(s) (202)" in result.findings[1].message


def test_blv301_fails_a_202_whose_promised_data_is_never_read(tmp_path):
    plain = _plain()
    plain.journal.append(call("POST", "/api/transactions/", 202, at=2.9, body={"link": "link-1"}))  # after every GET
    result = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": plain}))
    assert statuses(result) == [Status.PASS, Status.FAIL]
    assert "POST /api/transactions/ for link link-1 was answered 202" in result.findings[1].message
    plain.journal.append(call("GET", "/api/transactions/", 200, at=3.5, query={"link": "link-1"}))
    assert run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": plain})).status is Status.PASS


def test_blv301_fails_a_created_link_missing_from_the_store(tmp_path):
    result = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": _plain(links=["other"])}))
    assert result.status is Status.FAIL and "not in the store" in result.findings[0].message


def test_blv302_judges_the_delete_flow_on_the_204(tmp_path):
    assert run_check("BLV302", tmp_path, harness=RecordedHarness({"plain": _plain()})).status is Status.PASS
    result = run_check("BLV302", tmp_path, harness=RecordedHarness({"plain": _plain(delete_exit=1)}))
    assert result.status is Status.FAIL and "answered 204 with an empty body" in result.findings[0].message
    no_delete = RecordedHarness({"plain": _plain()}, flows=("create_link", "sync"))
    assert run_check("BLV302", tmp_path, harness=no_delete).status is Status.SKIP


DELETE_CRASH = ('Traceback (most recent call last):\n  File "app.py", line 60, in call\n'
                'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n')


def test_a_crash_on_delete_decides_only_the_check_whose_question_is_the_delete(tmp_path):
    harness = RecordedHarness({"plain": _plain(delete_exit=1, delete_stderr=DELETE_CRASH)})
    assert run_check("BLV301", tmp_path, harness=harness).status is Status.PASS
    result = run_check("BLV302", tmp_path, harness=harness)
    assert result.status is Status.FAIL and "delete_link (step 4) crashed" in result.findings[0].message


def _pagination(pages: int, stored) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1"),
             flow("sync", 1, started=2.0, ended=9.0, link_id="link-1", store=snapshot(transactions=_rows(stored)))]
    return outcome(PAGINATION, flows, [call("POST", "/api/links/", 201, at=1.0), *_pages(pages)],
                   truth=_truth(TX), page_size_cap=None)


def test_blv303_passes_every_page_stored_and_fails_a_list_cut_short(tmp_path):
    whole = RecordedHarness({"plain": _plain(), "pagination": _pagination(1, TX)})
    assert statuses(run_check("BLV303", tmp_path, harness=whole)) == [Status.PASS, Status.PASS]
    cut = RecordedHarness({"plain": _plain(), "pagination": _pagination(1, TX[:10])})
    result = run_check("BLV303", tmp_path, harness=cut)
    assert statuses(result) == [Status.PASS, Status.FAIL] and "20 of 30 transactions were not stored" in \
        result.findings[1].message


def test_blv303_without_a_store_needs_the_last_page_in_the_journal(tmp_path):
    first_page_only = RecordedHarness({"plain": _plain(pages=1, store=False), "pagination": _pagination(1, TX)})
    result = run_check("BLV303", tmp_path, harness=first_page_only)
    assert statuses(result)[0] is Status.FAIL and "stopped at page 1 of 3" in result.findings[0].message


def _repeat(stored) -> object:
    flows = [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1"),
             flow("sync", 1, started=2.0, ended=3.0, link_id="link-1", store=snapshot(transactions=_rows(stored)))]
    journal = [call("POST", "/api/links/", 201, at=1.0),
               *[call("GET", "/api/transactions/", 200, at=2.1 + p / 10, rules=("repeat-pages",)) for p in range(3)]]
    return outcome(REPEAT_PAGES, flows, journal, truth=_truth())


def test_blv304_passes_ids_stored_once_and_fails_a_second_sync_that_stores_twice(tmp_path):
    once = RecordedHarness({"plain": _plain(), "repeat-pages": _repeat(TX)})
    assert statuses(run_check("BLV304", tmp_path, harness=once)) == [Status.PASS, Status.PASS]
    twice = RecordedHarness({"plain": _plain(second=TX + TX), "repeat-pages": _repeat(TX + TX[:2])})
    result = run_check("BLV304", tmp_path, harness=twice)
    assert statuses(result) == [Status.FAIL, Status.FAIL]
    assert "after a second sync, 30 transaction id(s) are stored more than once" in result.findings[0].message
