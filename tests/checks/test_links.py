"""Section 5 checks (BLV501-BLV503) judged on recorded drill outcomes, on real scans of small source trees, and on both met."""

from __future__ import annotations

from belvo_check.harness.drills import LINKS_INVALID, LINKS_MFA, LINKS_TOKEN_REQUIRED, PLAIN
from belvo_check.model import Status
from belvo_check.sim.errors import MESSAGES
from tests.checks.recorded import (RecordedHarness, call, decided_by_source, flow, outcome,
                                    run_check, snapshot, statuses, synced)
from tests.checks.test_errors import _at, _scanned  # real scans of small trees, with located findings

TRUTH = {"link-1": {"record": {"id": "link-1", "institution_user_id": "iuid-42"}, "transactions": []}}


def _plain_with_links(rows: list[dict]) -> RecordedHarness:
    store = snapshot(links=rows)
    plain = outcome(PLAIN, [flow("create_link", 0, started=0.5, ended=1.5, link_id="link-1", store=store)],
                    [call("POST", "/api/links/", 201, at=1.0)], truth=TRUTH)
    return RecordedHarness({"plain": plain})


def test_blv501_passes_when_the_link_row_holds_its_institution_user_id(tmp_path):
    result = run_check("BLV501", tmp_path, harness=_plain_with_links([{"belvo_id": "link-1",
                                                                        "institution_user_id": "iuid-42"}]))
    assert result.status is Status.PASS and "iuid-42" in result.findings[0].evidence


def test_blv501_fails_a_link_row_without_it_and_skips_without_a_store(tmp_path):
    result = run_check("BLV501", tmp_path, harness=_plain_with_links([{"belvo_id": "link-1", "user": "u"}]))
    assert result.status is Status.FAIL
    storeless = _plain_with_links([])
    storeless.store = False
    skipped = run_check("BLV501", tmp_path, harness=storeless)
    assert skipped.status is Status.SKIP and "integration.store" in skipped.findings[0].message


def _link_status(invalid_log: str, token_log: str, rows: list[dict] | None = None) -> RecordedHarness:
    def drill(d, rule, status, log):
        o = synced(d, [call("POST", "/api/transactions/", status, at=2.5, request_id="rid", rules=(rule,))], log=log)
        if rows is not None:
            o.flows[1].store = snapshot(links=rows)
        return o
    return RecordedHarness({"links-invalid": drill(LINKS_INVALID, "invalid-link", 400, invalid_log),
                            "links-token-required": drill(LINKS_TOKEN_REQUIRED, "token-required", 428, token_log)})


def test_blv502_passes_links_recorded_in_the_store_or_in_the_integration_s_own_words(tmp_path):
    by_logs = _link_status("link link-1 marked invalid: ask the user to reconnect", "link link-1 needs an MFA token")
    assert statuses(run_check("BLV502", tmp_path, harness=by_logs)) == [Status.PASS, Status.PASS]
    by_store = _link_status("", "", rows=[{"belvo_id": "link-1", "status": "invalid token_required"}])
    assert run_check("BLV502", tmp_path, harness=by_store).status is Status.PASS


def test_blv502_warns_on_an_echo_of_belvo_s_error_and_fails_on_silence_with_a_store(tmp_path):
    echo = _link_status("GET https://x/api/link-1 failed code=invalid_link", "")
    assert statuses(run_check("BLV502", tmp_path, harness=echo))[0] is Status.WARN
    silent = _link_status("", "", rows=[{"belvo_id": "link-1", "status": "valid"}])
    result = run_check("BLV502", tmp_path, harness=silent)
    assert statuses(result) == [Status.FAIL, Status.FAIL]


CREATION = {"institution": "erebor_mx_retail", "username": "mfa_default"}


def _mfa(log: str, exit_code: int = 1, then: tuple = ()) -> RecordedHarness:
    journal = [call("POST", "/api/links/", 428, at=1.0, request_id="9e7b283c6efa449c9c028a16b5c249fb",
                    body=CREATION), *then]
    return RecordedHarness({"links-mfa": outcome(LINKS_MFA, [flow("create_link", 0, exit_code=exit_code,
                                                                  started=0.5, ended=1.5)], journal, logs=log)})


def test_blv503_passes_a_428_reported_and_warns_on_one_taken_for_a_created_link(tmp_path):
    assert run_check("BLV503", tmp_path, harness=_mfa("MFA needed (request_id=9e7b283c6efa449c9c028a16b5c249fb)")).status is Status.PASS
    dump = f"link created: [{{'code': 'token_required', 'message': '{MESSAGES['token_required']}', " \
           "'request_id': '9e7b283c6efa449c9c028a16b5c249fb'}]"
    result = run_check("BLV503", tmp_path, harness=_mfa(dump, exit_code=0))
    assert result.status is Status.WARN and "dump of Belvo's error body" in result.findings[0].message


def test_blv503_fails_a_428_neither_logged_nor_reported(tmp_path):
    assert run_check("BLV503", tmp_path, harness=_mfa("something went wrong")).status is Status.FAIL


def test_blv503_fails_a_creation_reposted_after_the_428_even_with_its_request_id_logged(tmp_path):
    reposts = tuple(call("POST", "/api/links/", 428, at=1.0 + 0.01 * i, request_id=f"rid-{i}", body=CREATION)
                    for i in range(1, 5))
    log = "\n".join(f"belvo error status=428 code=token_required request_id={r}"
                     for r in ["9e7b283c6efa449c9c028a16b5c249fb", "rid-1", "rid-2", "rid-3", "rid-4"])
    result = run_check("BLV503", tmp_path, harness=_mfa(log, then=reposts))
    assert result.status is Status.FAIL and "POSTed again 4 time(s)" in result.findings[0].message


def test_blv503_passes_a_428_resumed_with_patch(tmp_path):
    resumed = (call("PATCH", "/api/links/", 200, at=1.3, body={"link": "link-1"}),)
    result = run_check("BLV503", tmp_path, harness=_mfa("", exit_code=0, then=resumed))
    assert result.status is Status.PASS and "resumed with PATCH /api/links/" in result.findings[0].message


def test_blv503_a_rejected_resume_is_no_resume(tmp_path):
    rejected = (call("PATCH", "/api/links/", 400, at=1.3, body={"link": "link-1"}),)
    assert run_check("BLV503", tmp_path, harness=_mfa("", then=rejected)).status is Status.FAIL


# ----------------------------------------------------------------------------- source evidence

ASKED_ONLY = {
    "app/links.py": """\
        import requests
        BELVO_URL = "https://api.belvo.com"

        def create(body):
            return requests.post(BELVO_URL + "/api/links/", json=body, timeout=60).json()

        def duplicates(link):
            found = requests.get(BELVO_URL + "/api/links/", params={"institution_user_id": link["iuid"]}, timeout=30)
            return found.json()["count"]
        """,
}
KEPT = {
    "src/Links.php": """\
        <?php
        use Illuminate\\Support\\Facades\\DB;
        use Illuminate\\Support\\Facades\\Http;
        function register(array $body): array {
            $link = Http::timeout(60)->post(env('BELVO_API_URL') . '/api/links/', $body)->throw()->json();
            DB::table('links')->insert(['belvo_id' => $link['id'], 'institution_user_id' => $link['institution_user_id']]);
            return $link;
        }
        """,
}


def test_blv501_source_a_query_filter_is_no_storage_and_silence_fails_code_that_creates_links(tmp_path):
    asked = run_check("BLV501", tmp_path, source=_scanned(tmp_path, ASKED_ONLY))
    assert asked.status is Status.WARN and asked.decided_by == ("source",)
    assert _at(asked, Status.WARN) == [("links.py", 8, 62)] and "not visibly kept" in asked.findings[0].message
    silent = {"app/links.py": ASKED_ONLY["app/links.py"].split("def duplicates")[0]}
    result = run_check("BLV501", tmp_path, source=_scanned(tmp_path / "silent", silent))
    assert result.status is Status.FAIL and "although the code creates links" in result.findings[0].message
    assert result.findings[0].location.path.endswith("repo")  # a conclusion about the whole tree


def test_blv501_source_storage_is_a_pass_decided_by_source_alone_and_with_the_store_read_back(tmp_path):
    source = _scanned(tmp_path, KEPT)
    alone = run_check("BLV501", tmp_path, source=source)
    decided_by_source(alone, "integration")
    assert (alone.findings[0].location.line, alone.findings[0].location.col) == (6, 61)
    row = [{"belvo_id": "link-1", "institution_user_id": "iuid-42"}]
    both = run_check("BLV501", tmp_path, harness=_plain_with_links(row), source=source)
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")
    lost = run_check("BLV501", tmp_path, harness=_plain_with_links([{"belvo_id": "link-1"}]), source=source)
    assert lost.status is Status.FAIL and lost.decided_by == ("harness",)


STATES = {
    "server/hooks.ts": """\
        import { Request, Response } from 'express';
        export async function belvoWebhook(req: Request, res: Response) {
          const { webhook_code, link_id } = req.body;
          if (webhook_code === 'invalid_credentials' || webhook_code === 'token_required') {
            await markForReconnect(link_id, webhook_code);
          }
          res.sendStatus(202);
        }
        """,
}
NAMED_ONLY = {
    "lib/belvo.rb": """\
        require 'httparty'
        class Belvo
          # TODO: handle token_required and invalid links
          STATES = %w[valid invalid token_required].freeze
          def register(body)
            HTTParty.post("#{ENV.fetch('BELVO_API_URL')}/api/links/", body: body, timeout: 60)
          end
        end
        """,
}


def test_blv502_source_a_named_state_or_a_comment_is_no_handling(tmp_path):
    result = run_check("BLV502", tmp_path, source=_scanned(tmp_path, NAMED_ONLY))
    # the comment is not code; the list of states compares, branches on and records nothing
    assert result.status is Status.WARN and _at(result, Status.WARN) == [("belvo.rb", 4, 29)]
    comment = {"lib/belvo.rb": NAMED_ONLY["lib/belvo.rb"].replace("  STATES = %w[valid invalid token_required].freeze\n",
                                                                   "")}
    silent = run_check("BLV502", tmp_path, source=_scanned(tmp_path / "c", comment))
    assert silent.status is Status.FAIL and "although the code creates links" in silent.findings[0].message


def test_blv502_source_a_handled_state_is_decided_by_source_alone_and_a_pass_with_the_drills(tmp_path):
    source = _scanned(tmp_path, STATES)
    alone = run_check("BLV502", tmp_path, source=source)
    assert decided_by_source(alone, "integration").findings[0].location.line == 4
    by_logs = _link_status("link link-1 marked invalid: ask the user to reconnect", "link link-1 needs an MFA token")
    both = run_check("BLV502", tmp_path, harness=by_logs, source=source)
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")


def test_link_checks_skip_a_tree_without_belvo_code_even_when_its_docs_name_the_endpoints(tmp_path):
    docs = {"docs/belvo.md": "We will call POST /api/links/ on Belvo and keep the link id.\n",
            "app/main.py": "def handler(event):\n    return event\n"}
    source = _scanned(tmp_path, docs)
    for check_id in ("BLV501", "BLV502"):
        assert run_check(check_id, tmp_path, source=source).status is Status.SKIP
