"""Section 2 checks (BLV201-BLV210) judged on recorded drill outcomes and on real scans of small trees."""

from __future__ import annotations

import textwrap

import pytest

from belvo_check.checks.errors import backoff_shape
from belvo_check.harness.drills import (ERRORS_429, ERRORS_429_RETRY_AFTER, ERRORS_5XX_HTML, ERRORS_400_INSTITUTION_DOWN,
                                        ERRORS_400_LOGIN, ERRORS_401, ERRORS_408, ERRORS_500, ERRORS_STALL,
                                        ERRORS_STALL_CREATE, ERRORS_TOO_MANY_SESSIONS,
                                        LINKS_INVALID)
from belvo_check.model import Status
from belvo_check.source import scan
from belvo_check.sim.errors import MESSAGES
from tests.checks.recorded import RecordedHarness, call, decided_by_source, flow, outcome, run_check, statuses, synced

TRACEBACK = 'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nKeyError: \'request_id\'\n'


def _login_400(rid: str, log: str) -> object:
    journal = [call("POST", "/api/links/", 400, at=1.0, request_id=rid)]
    return outcome(ERRORS_400_LOGIN, [flow("create_link", 0, exit_code=1, started=0.5, ended=1.5)], journal, logs=log)


def _on_sync(drill, rule: str, status: int, rid: str, log: str, **kwargs):
    return synced(drill, [call("GET", "/api/accounts/", status, at=2.5, request_id=rid, rules=(rule,))], log=log,
                  **kwargs)


def _blv201(logs: dict[str, str]) -> RecordedHarness:
    return RecordedHarness({
        "errors-400-login": _login_400("rid-login", logs.get("login", "")),
        "errors-400-institution-down": _on_sync(ERRORS_400_INSTITUTION_DOWN, "institution-down", 400, "rid-down",
                                                logs.get("down", "")),
        "links-invalid": _on_sync(LINKS_INVALID, "invalid-link", 400, "rid-invalid", logs.get("invalid", ""))})


def test_blv201_passes_when_each_400_request_id_is_logged(tmp_path):
    harness = _blv201({"login": "error code=login_error request_id=rid-login",
                       "down": "error request_id=rid-down", "invalid": "error request_id=rid-invalid"})
    result = run_check("BLV201", tmp_path, harness=harness)
    assert statuses(result) == [Status.PASS] * 3
    assert "1 of 1 minted ids found" in result.findings[0].message
    assert "reproduce: belvo-check drill errors-400-login -c " in result.findings[0].evidence
    assert "--select BLV201" in result.findings[0].evidence


def test_blv201_fails_the_case_whose_request_id_is_missing(tmp_path):
    harness = _blv201({"login": "request_id=rid-login", "down": "institution down, giving up",
                       "invalid": "request_id=rid-invalid"})
    result = run_check("BLV201", tmp_path, harness=harness)
    assert result.status is Status.FAIL and statuses(result) == [Status.PASS, Status.FAIL, Status.PASS]
    assert "none of the 1 request_id(s) minted for the 400 institution_down on sync" in result.findings[1].message


def test_blv201_warns_when_the_id_only_appears_in_a_dump_of_an_error_taken_for_success(tmp_path):
    dump = f"link created: [{{'code': 'login_error', 'message': '{MESSAGES['login_error']}', 'request_id': 'rid-login'}}]"
    harness = _blv201({"down": "request_id=rid-down", "invalid": "request_id=rid-invalid"})
    journal = [call("POST", "/api/links/", 400, at=1.0, request_id="rid-login")]
    harness.outcomes["errors-400-login"] = outcome(ERRORS_400_LOGIN, [flow("create_link", 0, started=0.5, ended=1.5)],
                                                   journal, logs=dump)
    result = run_check("BLV201", tmp_path, harness=harness)
    assert statuses(result)[0] is Status.WARN and "taken for data" in result.findings[0].message


def test_blv201_skips_only_the_cases_whose_flows_are_missing(tmp_path):
    harness = _blv201({"login": "request_id=rid-login"})
    harness.flows = ("create_link",)
    result = run_check("BLV201", tmp_path, harness=harness)
    assert sorted(statuses(result)) == sorted([Status.SKIP, Status.SKIP, Status.PASS]) and result.status is Status.PASS
    assert harness.asked == ["errors-400-login"]


def test_blv202_and_blv203_judge_their_own_drill(tmp_path):
    ok = RecordedHarness({"errors-401": _on_sync(ERRORS_401, "unauthorized", 401, "rid-401", "rid-401 rejected")})
    assert run_check("BLV202", tmp_path, harness=ok).status is Status.PASS
    silent = RecordedHarness({"errors-500": _on_sync(ERRORS_500, "server-error", 500, "rid-500", "giving up")})
    result = run_check("BLV203", tmp_path, harness=silent)
    assert result.status is Status.FAIL and "rid-500" in result.findings[0].message


def test_a_crash_fails_before_the_logs_are_read(tmp_path):
    crashed = RecordedHarness({"errors-500": _on_sync(ERRORS_500, "server-error", 500, "rid-500", "rid-500",
                                                      stderr=TRACEBACK)})
    result = run_check("BLV203", tmp_path, harness=crashed)
    assert result.status is Status.FAIL and "crashed" in result.findings[0].message


def test_blv207_judges_the_408_request_id_alone(tmp_path):
    logged = RecordedHarness({"errors-408": _on_sync(ERRORS_408, "request-timeout", 408, "rid-408", "rid-408")})
    assert statuses(run_check("BLV207", tmp_path, harness=logged)) == [Status.PASS]
    silent = RecordedHarness({"errors-408": _on_sync(ERRORS_408, "request-timeout", 408, "rid-408", "timed out")})
    assert statuses(run_check("BLV207", tmp_path, harness=silent)) == [Status.FAIL]


def _stalled_create(log: str, exit_code: int | None = 1, timed_out: bool = False) -> object:
    journal = [call("POST", "/api/links/", None, at=1.0, rules=("stall-create",), duration=5.0)]
    return outcome(ERRORS_STALL_CREATE, [flow("create_link", 0, exit_code=exit_code, started=0.5, ended=3.0,
                                              timed_out=timed_out)], journal, logs=log)


def _blv208(stall_log: str, exit_code: int | None = 1, timed_out: bool = False,
            create_log: str = "POST /api/links/ timed out") -> RecordedHarness:
    stall = synced(ERRORS_STALL, [call("GET", "/api/accounts/", None, at=2.5, rules=("stall",), duration=5.0)],
                   log=stall_log, exit_code=exit_code, timed_out=timed_out)
    return RecordedHarness({"errors-stall-create": _stalled_create(create_log), "errors-stall": stall})


BUDGET = "integration:\n  flows: {create_link: app link, sync: app sync}\n  timeout: 20\n"


def test_blv208_passes_stalled_calls_given_up_within_the_flow_budget_and_logged(tmp_path):
    result = run_check("BLV208", tmp_path, harness=_blv208("belvo GET /api/accounts/ timed out"), config_body=BUDGET)
    assert statuses(result) == [Status.PASS, Status.PASS]
    assert "gave up on the stalled POST /api/links/" in result.findings[0].message
    assert "within the flow budget (integration.timeout 20s)" in result.findings[1].message


def test_blv208_fails_a_sync_that_reports_success_on_a_call_never_answered(tmp_path):
    result = run_check("BLV208", tmp_path, harness=_blv208("", exit_code=0), config_body=BUDGET)
    assert statuses(result) == [Status.PASS, Status.FAIL]


def test_blv208_a_flow_killed_at_the_budget_names_the_client_timeout(tmp_path):
    harness = _blv208("", exit_code=None, timed_out=True)
    harness.outcomes["errors-stall-create"] = _stalled_create("", exit_code=None, timed_out=True)
    result = run_check("BLV208", tmp_path, harness=harness)
    assert statuses(result) == [Status.FAIL, Status.FAIL]
    assert "still waiting on POST /api/links/" in result.findings[0].message
    assert "no timeout, or one longer than the flow budget, integration.timeout" in result.findings[0].message


def test_blv208_judges_link_creation_alone_when_there_is_no_sync(tmp_path):
    harness = _blv208("timed out")
    harness.flows = ("create_link",)
    result = run_check("BLV208", tmp_path, harness=harness, config_body=BUDGET)
    assert statuses(result) == [Status.PASS, Status.SKIP] and result.status is Status.PASS
    assert "gave up on the stalled POST /api/links/" in result.findings[0].message
    assert "integration.flows.sync" in result.findings[1].message
    assert harness.asked == ["errors-stall-create"]
    harness.outcomes["errors-stall-create"] = _stalled_create("", exit_code=None, timed_out=True)
    assert run_check("BLV208", tmp_path, harness=harness, config_body=BUDGET).status is Status.FAIL


def test_blv208_skips_without_link_creation(tmp_path):
    harness = _blv208("timed out")
    harness.flows = ("sync",)
    result = run_check("BLV208", tmp_path, harness=harness)
    # the harness and the source (not configured here) each say what would enable them
    assert statuses(result) == [Status.SKIP, Status.SKIP, Status.SKIP]
    assert "integration.flows.create_link" in result.findings[0].message and harness.asked == []
    assert "source is not configured" in result.findings[-1].message


def test_blv204_is_retired_and_says_what_replaced_it():
    from belvo_check.errors import UsageError
    from belvo_check.registry import load_registry

    with pytest.raises(UsageError, match="BLV204 is retired: .*BLV207 .*BLV208"):
        load_registry().get("BLV204")


def _retried(drill, rule: str, starts: list[float], status: int = 500) -> object:
    return synced(drill, [call("GET", "/api/accounts/", status, at=t, request_id=f"rid-{i}", rules=(rule,))
                          for i, t in enumerate(starts)], log="gave up")


def _blv205(server: list[float], sessions: list[float], refused: list[float]) -> RecordedHarness:
    return RecordedHarness({
        "errors-500": _retried(ERRORS_500, "server-error", server),
        "errors-too-many-sessions": _retried(ERRORS_TOO_MANY_SESSIONS, "too-many-sessions", sessions, 400),
        "errors-400-institution-down": _retried(ERRORS_400_INSTITUTION_DOWN, "institution-down", [2.5], 400),
        "errors-401": _retried(ERRORS_401, "unauthorized", refused, 401),
        "errors-400-login": _login_400("rid-login", "")})


GROWING = [2.0, 2.35, 3.0, 4.3]  # waits of 0.30, 0.60, 1.25 s after 0.05 s answers


def test_blv205_passes_growing_retries_and_no_retry_of_client_errors(tmp_path):
    result = run_check("BLV205", tmp_path, harness=_blv205(GROWING, GROWING, [2.5]))
    assert statuses(result) == [Status.PASS] * 5


def test_blv205_fails_a_fixed_wait_and_a_retried_401(tmp_path):
    fixed = [2.0, 2.35, 2.7, 3.05]  # 0.30 s every time: not exponential
    result = run_check("BLV205", tmp_path, harness=_blv205(fixed, GROWING, [2.5, 2.8]))
    assert statuses(result) == [Status.FAIL, Status.PASS, Status.PASS, Status.FAIL, Status.PASS]
    assert "do not grow" in result.findings[0].message and "retried 1 time(s)" in result.findings[3].message


def _starts(waits: list[float], answer: float = 0.05) -> list[float]:
    """Attempt start times for these waits between 0.05 s answers."""
    starts = [2.0]
    for wait in waits:
        starts.append(starts[-1] + answer + wait)
    return starts


@pytest.mark.parametrize("waits, shape", [
    ([0.2, 0.4, 0.8], "grows"),  # pygood's backoff
    ([0.3, 0.45, 0.85], "grows"),  # the same, each wait stretched by a loaded machine
    ([0.2, 1.1, 0.8], "irregular"),  # one scheduling spike: not proof of a fixed wait
    ([0.35, 0.12, 0.9], "irregular"),  # full jitter: random waits under a growing cap
    ([0.5], "irregular"),  # one wait cannot show growth
    ([0.3, 0.3, 0.3], "flat"),
    ([0.31, 0.29, 0.33], "flat"),
    ([0.0, 0.01, 0.02], "flat"),  # no wait at all
    ([0.02], "flat"),
])
def test_backoff_shape_is_three_valued(waits, shape):
    assert backoff_shape(waits)[0] == shape


@pytest.mark.parametrize("spiked", [[0.3, 0.3, 0.6], [0.3, 0.6, 0.3], [0.6, 0.3, 0.3], [0.3, 0.4, 0.5],
                                    [0.3, 0.45, 0.55], [0.3, 0.3, 0.3, 0.3, 1.2]])
def test_a_fixed_wait_stretched_by_load_never_passes(spiked):
    assert backoff_shape(spiked)[0] != "grows"


def test_blv205_warns_on_irregular_waits_and_names_them(tmp_path):
    result = run_check("BLV205", tmp_path, harness=_blv205(_starts([0.2, 1.1, 0.8]), GROWING, [2.5]))
    assert statuses(result) == [Status.WARN] + [Status.PASS] * 4
    assert "irregular waits: 0.20s, 1.10s, 0.80s; jitter or machine load?" in result.findings[0].message


def test_blv205_fails_more_retries_than_belvo_allows(tmp_path):
    many = [2.0 + sum(0.1 * 2 ** k for k in range(i)) + 0.05 * i for i in range(8)]
    result = run_check("BLV205", tmp_path, harness=_blv205(many, GROWING, [2.5]))
    assert statuses(result)[0] is Status.FAIL and "more than Belvo's 5" in result.findings[0].message


def test_blv206_passes_an_html_502_reported_and_fails_one_taken_for_success(tmp_path):
    faulted = [call("GET", "/api/accounts/", 502, at=2.5, rules=("bad-gateway-html",))]
    handled = RecordedHarness({"errors-5xx-html": synced(ERRORS_5XX_HTML, faulted, log="belvo answered 502 Bad Gateway")})
    assert run_check("BLV206", tmp_path, harness=handled).status is Status.PASS
    ignored = RecordedHarness({"errors-5xx-html": synced(ERRORS_5XX_HTML, faulted, exit_code=0)})
    result = run_check("BLV206", tmp_path, harness=ignored)
    assert result.status is Status.FAIL and "reported success" in result.findings[0].message


def _limited(drill, rule: str, starts: list[float], then_ok: bool = True) -> object:
    """A sync whose first calls got 429 (each answered in 0.05 s), then, if `then_ok`, an answer."""
    calls = [call("POST", "/api/accounts/", 429, at=t, request_id=f"rid-{i}", rules=(rule,))
             for i, t in enumerate(starts)]
    if then_ok:
        calls.append(call("POST", "/api/accounts/", 201, at=starts[-1] + 0.05 + 1.2))
    return synced(drill, calls, exit_code=0, log="rate limited, waiting")


def _blv209(with_header: list[float], without: list[float], **kwargs) -> RecordedHarness:
    return RecordedHarness({"errors-429-retry-after": _limited(ERRORS_429_RETRY_AFTER, "rate-limited", with_header,
                                                               **kwargs),
                            "errors-429": _limited(ERRORS_429, "rate-limited-bare", without, **kwargs)})


def test_blv209_passes_retry_after_honoured_and_waits_without_it(tmp_path):
    result = run_check("BLV209", tmp_path, harness=_blv209(_starts([1.0, 1.02]), _starts([0.2, 0.4])))
    assert statuses(result) == [Status.PASS, Status.PASS]
    assert "waited the Retry-After (1s)" in result.findings[0].message


def test_blv209_warns_a_retry_before_retry_after_and_an_immediate_one(tmp_path):
    result = run_check("BLV209", tmp_path, harness=_blv209(_starts([0.2, 0.4]), _starts([0.0, 0.01])))
    assert result.status is Status.WARN and statuses(result) == [Status.WARN, Status.WARN]  # advisory check
    assert "Retry-After asked for 1s" in result.findings[0].message
    assert "without waiting" in result.findings[1].message


def test_blv209_passes_a_429_that_is_not_retried(tmp_path):
    result = run_check("BLV209", tmp_path, harness=_blv209([2.5], [2.5], then_ok=False))
    assert statuses(result) == [Status.PASS, Status.PASS] and "not retried" in result.findings[0].message


def test_log_excerpts_show_the_minted_id_errors_and_the_exception_line_not_noise(tmp_path):
    log = "\n".join(["INFO starting sync", "", '  File "/usr/lib/python3.11/contextlib.py", line 137, in __exit__',
                     "INFO page 1 of 6", "ERROR belvo error status=500 request_id=rid-500 giving up",
                     "Traceback (most recent call last):", '  File "app.py", line 88, in sync',
                     "    call(url)", "BelvoError: 500 unexpected_error", "INFO bye", ""])
    harness = RecordedHarness({"errors-500": _on_sync(ERRORS_500, "server-error", 500, "rid-500", log)})
    excerpt = run_check("BLV203", tmp_path, harness=harness).findings[0].evidence.split("logs:\n", 1)[1]
    assert "request_id=rid-500" in excerpt and "BelvoError: 500 unexpected_error" in excerpt
    assert 'File "app.py", line 88' in excerpt
    assert "contextlib" not in excerpt and "INFO" not in excerpt and "\n  \n" not in excerpt



# ----------------------------------------------------------------------------- source evidence

def _scanned(tmp_path, files: dict[str, str]):
    """A real scan of a small tree written under tmp_path/repo."""
    root = tmp_path / "repo"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return scan(root, jobs=1)


def _at(result, status: Status) -> list[tuple[str, int, int]]:
    """(file name, line, col) of the findings with this status."""
    return [(f.location.path.rsplit("/", 1)[-1], f.location.line, f.location.col)
            for f in result.findings if f.status is status and f.location and f.location.line]


UNCHECKED = {
    "app/belvo.py": """\
        import os
        import requests
        from belvo.client import Client

        BELVO_URL = os.environ["BELVO_URL"]
        client = Client(os.environ["BELVO_ID"], os.environ["BELVO_PASSWORD"], BELVO_URL)

        def link(institution, username, password):
            client.Links.create(institution, username, password, timeout=20)

        def owners(link_id):
            resp = requests.post(f"{BELVO_URL}/api/owners/", json={"link": link_id}, timeout=20)
            resp.raise_for_status()
            return resp.json()
        """,
    "server/belvo.ts": """\
        const BELVO_URL = process.env.BELVO_URL;
        export async function balances(linkId: string) {
          const res = await fetch(`${BELVO_URL}/api/balances/`, { method: 'POST', signal: AbortSignal.timeout(9000) });
          return (await res.json()).results;
        }
        """,
    "belvo/client.go": """\
        package belvo

        import (
        \t"net/http"
        \t"time"
        )

        var baseURL = "https://api.belvo.com"
        var client = &http.Client{Timeout: 10 * time.Second}

        func Institutions() error {
        \tresp, err := client.Get(baseURL + "/api/institutions/")
        \tif err != nil {
        \t\treturn err
        \t}
        \tdefer resp.Body.Close()
        \treturn nil
        }
        """,
}


def test_blv210_fails_each_call_whose_errors_pass_as_data_with_its_location(tmp_path):
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, UNCHECKED))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    # the dropped belvo-python POST result, fetch with no status check, Go checking only err
    assert sorted(_at(result, Status.FAIL)) == [("belvo.py", 9, 5), ("belvo.ts", 3, 21), ("client.go", 12, 15)]
    # raise_for_status() turns the error answer into an exception nothing here catches: a doubt, no fail
    assert _at(result, Status.PASS) == [] and ("belvo.py", 12, 12) in _at(result, Status.WARN)
    assert ("belvo.py", 12, 12) not in _at(result, Status.FAIL)
    [dropped] = [f for f in result.findings if f.location and f.location.path.endswith("belvo.py")
                 and f.status is Status.FAIL]
    assert "raise_exception=True" in dropped.message


def test_blv210_passes_only_when_every_call_handles_its_errors(tmp_path):
    handled = {
        "app/belvo.py": """\
            import os
            from belvo.client import Client

            client = Client(os.environ["BELVO_ID"], os.environ["BELVO_PASSWORD"], os.environ["BELVO_URL"])

            def link(institution, username, password):
                created = client.Links.create(institution, username, password, timeout=20)
                if isinstance(created, list):
                    raise RuntimeError(created[0]["request_id"])
                return created
            """,
        "src/Belvo.php": """\
            <?php
            use Illuminate\\Support\\Facades\\Http;
            function owners(string $linkId) {
                $response = Http::timeout(20)->post(env('BELVO_API_URL') . '/api/owners/', ['link' => $linkId]);
                if ($response->failed()) {
                    throw new RuntimeException($response->body());
                }
                return $response->json();
            }
            """}
    result = run_check("BLV210", tmp_path, source=_scanned(tmp_path, handled))
    assert result.status is Status.PASS and result.decided_by == ("source",)
    assert "(2 sites)" in result.findings[0].message
    # A raising client whose error nobody catches here: a caller may, so the code cannot settle it.
    raising = {"server/belvo.js": """\
        const axios = require('axios');
        const api = axios.create({ baseURL: process.env.BELVO_URL, timeout: 5000 });
        async function owners(linkId) {
          const { data } = await api.post(`${process.env.BELVO_URL}/api/owners/`, { link: linkId });
          return data;
        }
        """}
    unsure = run_check("BLV210", tmp_path / "b", source=_scanned(tmp_path / "b", raising))
    assert unsure.status is Status.WARN and _at(unsure, Status.WARN) == [("belvo.js", 4, 26)]
    assert "axios raises on error answers" in unsure.findings[0].message


TIMEOUTS = {
    "app/client.py": """\
        import os
        import httpx

        BELVO_URL = os.environ["BELVO_URL"]

        def owners(link_id):
            with httpx.Client(timeout=None) as http:
                return http.post(f"{BELVO_URL}/api/owners/", json={"link": link_id})

        def accounts(link_id):
            with httpx.Client(timeout=10) as http:
                return http.post(f"{BELVO_URL}/api/accounts/", json={"link": link_id})
        """,
    "src/main/java/Belvo.java": """\
        import org.springframework.web.client.RestTemplate;
        public class Belvo {
            private final String belvoUrl = System.getenv("BELVO_URL");
            private final RestTemplate rest = new RestTemplate();
            public String owners(String link) {
                return rest.postForObject(belvoUrl + "/api/owners/", link, String.class);
            }
        }
        """,
    "Belvo/Client.cs": """\
        using System.Net.Http;
        using System.Threading;
        public class BelvoClient {
            private readonly HttpClient _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            private readonly string _belvoUrl = System.Environment.GetEnvironmentVariable("BELVO_URL");
            public async System.Threading.Tasks.Task<string> Owners() {
                var response = await _http.PostAsync($"{_belvoUrl}/api/owners/", null);
                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsStringAsync();
            }
        }
        """,
}


def test_blv208_source_fails_each_call_that_can_hang_counting_switched_off_timeouts(tmp_path):
    result = run_check("BLV208", tmp_path, source=_scanned(tmp_path, TIMEOUTS))
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    # timeout=None, a RestTemplate built without one, an infinite HttpClient timeout
    assert sorted(_at(result, Status.FAIL)) == [("Belvo.java", 6, 16), ("Client.cs", 7, 30), ("client.py", 8, 16)]
    assert "switches its timeout off" in next(f.message for f in result.findings if "client.py" in f.location.path)


def test_blv208_a_timeout_on_every_call_is_decided_by_source_until_the_stall_drills_prove_it(tmp_path):
    timed = {"app/client.py": TIMEOUTS["app/client.py"].replace("timeout=None", "timeout=5")}
    source = _scanned(tmp_path, timed)
    alone = run_check("BLV208", tmp_path, source=source)
    decided_by_source(alone, "integration")
    # Met with the stall drills: both agree, so it passes on both.
    both = run_check("BLV208", tmp_path, harness=_blv208("belvo GET /api/accounts/ timed out"), source=source,
                     config_body=BUDGET)
    assert both.status is Status.PASS and both.decided_by == ("harness", "source")
    # The drills passed, yet the code holds a call that can hang: the source decides.
    hanging = run_check("BLV208", tmp_path, harness=_blv208("belvo GET /api/accounts/ timed out"),
                        source=_scanned(tmp_path / "h", TIMEOUTS), config_body=BUDGET)
    assert hanging.status is Status.FAIL and hanging.decided_by == ("source",)


def test_request_id_checks_count_a_logged_id_or_error_body_never_a_field_only_declared(tmp_path):
    declared = {"app/errors.go": """\
        package app

        import "log"

        type BelvoError struct {
        \tRequestID string `json:"request_id"`
        }

        func Sync(baseURL string) {
        \tresp, err := client.Get(baseURL + "/api/institutions/")
        \tif err != nil {
        \t\tlog.Printf("belvo call failed")
        \t}
        \t_ = resp
        }
        """}
    unlogged = run_check("BLV201", tmp_path, source=_scanned(tmp_path, declared))
    assert unlogged.status is Status.WARN and unlogged.decided_by == ("source",)
    assert "no log call in the code names the request_id" in unlogged.findings[0].message
    body = {"server/belvo.js": """\
        const { default: Client } = require('belvo');
        const client = new Client(process.env.BELVO_ID, process.env.BELVO_PASSWORD, process.env.BELVO_URL);
        async function link(institution, username, password) {
          try {
            return await client.links.register(institution, username, password);
          } catch (error) {
            console.error('belvo error', error.detail);
            throw error;
          }
        }
        """}
    source = _scanned(tmp_path / "b", body)
    for check_id in ("BLV201", "BLV202", "BLV203", "BLV207"):
        weak = decided_by_source(run_check(check_id, tmp_path, source=source), "integration")
        assert weak.findings[0].location.line == 7 and weak.findings[0].location.col == 5
    # Met with the drill: the logs hold the minted id and the code logs the error body: a pass on both.
    logged = RecordedHarness({"errors-401": _on_sync(ERRORS_401, "unauthorized", 401, "rid-401", "rid-401 rejected")})
    met = run_check("BLV202", tmp_path, harness=logged, source=source)
    assert met.status is Status.PASS and met.decided_by == ("harness", "source")
    silent = RecordedHarness({"errors-401": _on_sync(ERRORS_401, "unauthorized", 401, "rid-401", "rejected")})
    assert run_check("BLV202", tmp_path, harness=silent, source=source).decided_by == ("harness",)


def test_blv209_source_sees_429_handling_but_only_the_drills_prove_the_waits(tmp_path):
    handled = {"lib/belvo.rb": """\
        require 'faraday'
        class Belvo
          def initialize
            @conn = Faraday.new(url: ENV['BELVO_URL'], request: { timeout: 15 })
          end

          def owners(link_id)
            response = @conn.post('/api/owners/', link: link_id)
            sleep(response.headers['Retry-After'].to_i) if response.status == 429
            response
          end
        end
        """}
    result = decided_by_source(run_check("BLV209", tmp_path, source=_scanned(tmp_path, handled)), "integration")
    assert (result.findings[0].location.line, result.findings[0].location.col) == (9, 29)


SERVER_LOGS_FRONT_END_DROPS = {
    "app/belvo.py": """\
        import logging
        import requests

        log = logging.getLogger(__name__)
        API = "https://api.belvo.com"

        def accounts(link):
            res = requests.post(API + "/api/accounts/", json={"link": link}, timeout=10)
            if res.status_code >= 400:
                log.error("belvo error %s: %s", res.status_code, res.text)
                return None
            return res.json()
        """,
    "web/token.js": """\
        const API = 'https://api.belvo.com';
        export async function widgetToken() {
          const res = await fetch(`${API}/api/token/`, { method: 'POST' });
          if (!res.ok) throw new Error(`token request failed: ${res.status}`);
          return res.json();
        }
        """,
}


def test_a_drill_that_proves_the_server_flows_and_code_that_drops_a_body_elsewhere_both_show(tmp_path):
    """The harness proves the request_id of each 400 logged on the flows it ran; the code shows another
    Belvo call (a front-end token request) that throws the body away. Both show, with their paths, and the
    verdict names the call path that fails."""
    from belvo_check.registry import load_registry
    from belvo_check.report import evidence_level

    source = _scanned(tmp_path, SERVER_LOGS_FRONT_END_DROPS)
    harness = _blv201({"login": "error request_id=rid-login", "down": "error request_id=rid-down",
                       "invalid": "error request_id=rid-invalid"})
    result = run_check("BLV201", tmp_path, harness=harness, source=source)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert result.judged_on == ("harness", "source")
    observed = [f for f in result.findings if f.status is Status.PASS and "minted ids found" in f.message]
    assert len(observed) == 3  # what the drills proved stays in the report
    [dropped] = [f for f in result.findings if f.status is Status.FAIL]
    assert (dropped.location.path.endswith("web/token.js"), dropped.location.line) == (True, 4)
    assert "drops Belvo's answer" in dropped.message
    level = evidence_level(load_registry().get("BLV201").meta, result)
    assert level == f"decided by source at {dropped.location}; the harness judged only the paths it ran"
