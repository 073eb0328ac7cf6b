"""Section 3 checks (BLV301-BLV304) judged on recorded drill outcomes, on real scans of small source trees, and on both met."""

from __future__ import annotations

from belvo_check.harness.drills import PAGINATION, PLAIN, REPEAT_PAGES
from belvo_check.model import Status
from tests.checks.recorded import RecordedHarness, call, decided_by_source, flow, outcome, run_check, snapshot, statuses
from tests.checks.test_errors import _at, _scanned  # real scans of small trees, with located findings

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


# ----------------------------------------------------------------------------- source evidence

PAGES = {
    "app/sync.py": """\
        import requests
        BELVO_URL = "https://api.belvo.com"

        def owners(link_id):
            answer = requests.get(BELVO_URL + "/api/owners/", params={"link": link_id}, timeout=30)
            return answer.json()["results"]
        """,
    "server/belvo.js": """\
        const belvo = require('belvo').default;
        const client = new belvo(process.env.BELVO_ID, process.env.BELVO_PASSWORD, process.env.BELVO_URL);
        async function transactions(linkId) {
          return client.transactions.list({ filters: { link: linkId } });
        }
        """,
}
LOOPED = {
    "belvo/pages.go": """\
        package belvo

        import (
        \t"encoding/json"
        \t"net/http"
        \t"time"
        )

        var baseURL = "https://api.belvo.com"
        var api = &http.Client{Timeout: 30 * time.Second}

        type page struct {
        \tNext    string            `json:"next"`
        \tResults []json.RawMessage `json:"results"`
        }

        func All(linkID string) ([]json.RawMessage, error) {
        \tvar rows []json.RawMessage
        \tfor url := baseURL + "/api/transactions/?link=" + linkID; url != ""; {
        \t\tresp, err := api.Get(url)
        \t\tif err != nil {
        \t\t\treturn nil, err
        \t\t}
        \t\tvar p page
        \t\terr = json.NewDecoder(resp.Body).Decode(&p)
        \t\tresp.Body.Close()
        \t\tif err != nil {
        \t\t\treturn nil, err
        \t\t}
        \t\trows = append(rows, p.Results...)
        \t\turl = p.Next
        \t}
        \treturn rows, nil
        }
        """,
}


def test_blv303_source_fails_each_list_that_stops_early_with_its_location(tmp_path):
    result = run_check("BLV303", tmp_path, source=_scanned(tmp_path, PAGES))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    # a raw GET whose file never reads next; belvo-js list() with its default limit of 100
    assert sorted(_at(result, Status.FAIL)) == [("belvo.js", 4, 10), ("sync.py", 5, 14)]
    assert "100 items" in next(f.message for f in result.findings if f.location.path.endswith("belvo.js"))


def test_blv303_a_loop_on_next_passes_on_the_code_and_meets_the_drills(tmp_path):
    source = _scanned(tmp_path, LOOPED)
    alone = run_check("BLV303", tmp_path, source=source)
    assert alone.status is Status.PASS and alone.decided_by == ("source",)
    assert (alone.findings[0].location.path.endswith("pages.go"), alone.findings[0].location.line) == (True, 19)
    whole = RecordedHarness({"plain": _plain(), "pagination": _pagination(1, TX)})
    both = run_check("BLV303", tmp_path, harness=whole, source=source)
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")
    # The drills passed, yet the code holds a list that stops at page one: the source decides.
    cut = run_check("BLV303", tmp_path, harness=whole, source=_scanned(tmp_path / "cut", PAGES))
    assert cut.status is Status.FAIL and cut.decided_by == ("source",)


CREATES = {
    "lib/belvo.rb": """\
        require 'httparty'
        class Belvo
          BELVO_URL = ENV.fetch('BELVO_API_URL')
          def register(body)
            response = HTTParty.post("#{BELVO_URL}/api/links/", body: body, timeout: 60)
            raise 'failed' unless response.code.to_i == 200
            response.parsed_response
          end
        end
        """,
    "src/main/java/Belvo.java": """\
        import java.net.URI;
        import java.net.http.HttpClient;
        import java.net.http.HttpRequest;
        import java.net.http.HttpResponse;
        public class Belvo {
            private final HttpClient http = HttpClient.newHttpClient();
            private final String belvoUrl = System.getenv("BELVO_API_URL");
            public String create(String body) throws Exception {
                HttpRequest request = HttpRequest.newBuilder(URI.create(belvoUrl + "/api/links/"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
                throw new IllegalStateException("failed");
            }
        }
        """,
    "app/token.py": """\
        import requests
        BELVO_URL = "https://api.belvo.com"

        def widget_token():
            answer = requests.post(BELVO_URL + "/api/token/", json={}, timeout=10)
            if answer.status_code == 200:
                return answer.json()["access"]
        """,
}


def test_blv301_source_fails_a_create_judged_by_200_but_not_the_widget_token(tmp_path):
    result = run_check("BLV301", tmp_path, source=_scanned(tmp_path, CREATES))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    # Ruby's code.to_i, a POST built with java.net.http; the token request answers 200 and is fine
    assert sorted(_at(result, Status.FAIL)) == [("Belvo.java", 12, 13), ("belvo.rb", 6, 27)]
    # The flows succeeded, yet the code still rejects a 201: the source decides.
    met = run_check("BLV301", tmp_path, harness=RecordedHarness({"plain": _plain()}),
                    source=_scanned(tmp_path / "met", CREATES))
    assert met.status is Status.FAIL and met.decided_by == ("source",)


DELETES = {
    "app/belvo.py": """\
        import requests
        BELVO_URL = "https://api.belvo.com"

        class Belvo:
            def _request(self, method, path):
                answer = requests.request(method, BELVO_URL + path, timeout=30)
                answer.raise_for_status()
                return answer.json()

            def unlink(self, link_id):
                return self._request("DELETE", f"/api/links/{link_id}/")

        def unlink_checked(link_id):
            answer = requests.delete(f"{BELVO_URL}/api/links/{link_id}/", timeout=30)
            answer.raise_for_status()
            return None if answer.status_code == 204 else answer.json()
        """,
    "belvo/delete.go": """\
        package belvo

        import (
        \t"encoding/json"
        \t"net/http"
        )

        var baseURL = "https://api.belvo.com"

        func Delete(linkID string) error {
        \treq, err := http.NewRequest("DELETE", baseURL+"/api/links/"+linkID+"/", nil)
        \tif err != nil {
        \t\treturn err
        \t}
        \tresp, err := http.DefaultClient.Do(req)
        \tif err != nil {
        \t\treturn err
        \t}
        \tvar gone map[string]any
        \treturn json.NewDecoder(resp.Body).Decode(&gone)
        }
        """,
}


def test_blv302_source_fails_json_parsed_from_a_delete_even_inside_the_app_s_own_request_method(tmp_path):
    result = run_check("BLV302", tmp_path, source=_scanned(tmp_path, DELETES))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    # the wrapper parsing every answer, Go decoding the empty body; the explicit 204 test is fine
    assert sorted(_at(result, Status.FAIL)) == [("belvo.py", 11, 16), ("delete.go", 11, 14)]
    assert "_request()" in next(f.message for f in result.findings if f.location.path.endswith("belvo.py"))


STORES = {
    "app/store.py": """\
        UPSERT = "INSERT INTO transactions (belvo_id, amount) VALUES (?, ?) ON CONFLICT (belvo_id) DO UPDATE SET amount = excluded.amount"

        def save(db, belvo_rows):
            db.executemany(UPSERT, belvo_rows)
        """,
}


def test_blv304_source_upserts_are_decided_by_source_until_the_store_read_back_proves_them(tmp_path):
    source = _scanned(tmp_path, STORES)
    alone = run_check("BLV304", tmp_path, source=source)
    decided_by_source(alone, "integration")
    assert (alone.findings[0].location.line, alone.findings[0].location.col) == (1, 10)
    once = RecordedHarness({"plain": _plain(), "repeat-pages": _repeat(TX)})
    both = run_check("BLV304", tmp_path, harness=once, source=source)
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")
    plain = {"src/Store.cs": """\
        namespace Acme.Belvo;
        public class Store {
            public void Save(AppDb db, Transaction[] page) { db.Transactions.AddRange(page); }
        }
        """, "app/ignore.py": 'SQL = "INSERT OR IGNORE INTO accounts (belvo_id, name) VALUES (?, ?)"\n'}
    unsure = run_check("BLV304", tmp_path, source=_scanned(tmp_path / "plain", plain))
    assert unsure.status is Status.WARN and sorted(_at(unsure, Status.WARN)) == [("Store.cs", 3, 54),
                                                                                ("ignore.py", 1, 7)]


def test_blv303_a_retry_loop_that_reads_next_is_no_walk_and_belvo_js_is_known_by_its_shape(tmp_path):
    tree = {
        "app/retry.py": """\
            import requests
            BELVO_URL = "https://api.belvo.com"

            def accounts(link_id):
                attempts = 0
                while attempts < 3:
                    answer = requests.get(BELVO_URL + "/api/accounts/", params={"link": link_id}, timeout=30)
                    if answer.ok:
                        print("more pages" if answer.json()["next"] else "one page")
                        return answer.json()["results"]
                    attempts += 1
            """,
        # The client is built in another file: the call is belvo-js's by its {filters} argument.
        "worker/sync.js": """\
            import { belvoClient } from './client.js';
            export async function movements(linkId) {
              const client = await belvoClient();
              return client.transactions.list({ filters: { link: linkId } });
            }
            """,
    }
    result = run_check("BLV303", tmp_path, source=_scanned(tmp_path, tree))
    assert result.status is Status.FAIL and _at(result, Status.FAIL) == [("sync.js", 4, 10)]
    assert _at(result, Status.WARN) == [("retry.py", 7, 18)] and "no loop that `next` feeds" in \
        next(f.message for f in result.findings if f.status is Status.WARN)
