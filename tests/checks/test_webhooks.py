"""Section 4 checks (BLV401-BLV409): the configured URLs, recorded probe exchanges, and recorded
reactions of the integration to a delivery."""

from __future__ import annotations

from belvo_check.model import Status
from belvo_check.probes.deliveries import DuplicateRun, Exchange
from tests.checks.recorded import (RecordedProbes, answered, decided_by_source, delivered, reaction,
                                    run_check, scanned, statuses)

URLS = """\
    webhooks:
      urls: {{sandbox: {sandbox}, production: {production}}}
    """
HARNESS = "integration: {start: 'app serve', flows: {create_link: 'app link'}}\n"


def test_blv401_passes_distinct_urls_and_fails_a_shared_one(tmp_path):
    distinct = URLS.format(sandbox="https://staging.acme.mx/hooks", production="https://acme.mx/hooks")
    assert run_check("BLV401", tmp_path, config_body=distinct).status is Status.PASS
    shared = URLS.format(sandbox="https://acme.mx/hooks/", production="https://acme.mx/hooks")
    assert run_check("BLV401", tmp_path, config_body=shared).status is Status.FAIL


def test_blv402_fails_a_tunnel_and_plain_http(tmp_path):
    tunnel = URLS.format(sandbox="https://staging.acme.mx/h", production="http://abc.ngrok-free.app/h")
    result = run_check("BLV402", tmp_path, config_body=tunnel)
    assert result.status is Status.FAIL and "is not https" in result.findings[0].message and "tunnel" in \
        result.findings[0].message
    public = URLS.format(sandbox="https://staging.acme.mx/h", production="https://acme.mx/h")
    assert run_check("BLV402", tmp_path, config_body=public).status is Status.PASS


def test_blv403_and_blv404_pass_2xx_in_time_and_fail_a_slow_or_refused_delivery(tmp_path):
    fine = RecordedProbes({"documented": [delivered("ACCOUNTS historical_update"), delivered("LINK token_required")],
                           "tolerance": [delivered("a new code")]})
    assert run_check("BLV403", tmp_path, probe=fine).status is Status.PASS
    assert run_check("BLV404", tmp_path, probe=fine).status is Status.PASS
    slow = RecordedProbes({"documented": [delivered("ACCOUNTS historical_update", latency_ms=6200)],
                           "tolerance": [delivered("a new code", status=500)]})
    result = run_check("BLV403", tmp_path, probe=slow)
    assert result.status is Status.FAIL and "after 6200 ms (> 5 s)" in result.findings[0].message
    assert "answered 500" in run_check("BLV404", tmp_path, probe=slow).findings[0].message


def _duplicate(before, first, second) -> RecordedProbes:
    probe = delivered("TRANSACTIONS new_transactions_available, delivered twice").probe
    run = DuplicateRun(first=answered(200), second=answered(200), probe=probe, before=before, after_first=first,
                       after_second=second)
    return RecordedProbes(duplicate_run=run)


def test_blv405_passes_a_duplicate_that_changes_nothing_and_fails_one_acted_on_again(tmp_path):
    rows = [{"belvo_id": "tx-1"}]
    assert run_check("BLV405", tmp_path, probe=_duplicate({"transactions": []}, {"transactions": rows},
                                                          {"transactions": rows})).status is Status.PASS
    result = run_check("BLV405", tmp_path, probe=_duplicate({"transactions": []}, {"transactions": rows},
                                                            {"transactions": rows * 2}))
    assert result.status is Status.FAIL and "it added 1 rows in transactions" in result.findings[0].message


def test_blv405_warns_when_no_store_can_show_the_effect(tmp_path):
    result = run_check("BLV405", tmp_path, probe=_duplicate(None, None, None))
    assert result.status is Status.WARN and "without a store read-back" in result.findings[0].message


def test_blv406_judges_refusals_by_status(tmp_path):
    refused = RecordedProbes({"authorization": [delivered("no Authorization header", 401),
                                                delivered("a wrong Authorization value", 403)]})
    assert run_check("BLV406", tmp_path, probe=refused).status is Status.PASS
    accepted = RecordedProbes({"authorization": [delivered("no Authorization header", 200),
                                                 delivered("a wrong Authorization value", 401)]})
    assert run_check("BLV406", tmp_path, probe=accepted).status is Status.FAIL
    unclear = RecordedProbes({"authorization": [delivered("no Authorization header", 404),
                                                delivered("a wrong Authorization value", 401)]})
    assert run_check("BLV406", tmp_path, probe=unclear).status is Status.WARN
    no_auth = RecordedProbes(auth_value=None)
    assert run_check("BLV406", tmp_path, probe=no_auth).status is Status.SKIP


def test_blv407_reports_the_latency_of_the_burst(tmp_path):
    burst = RecordedProbes({"burst": [delivered(f"burst delivery {i}", latency_ms=100 * i) for i in range(1, 5)]})
    result = run_check("BLV407", tmp_path, probe=burst)
    assert result.status is Status.PASS and "4 at once: p50" in result.findings[0].message


def test_blv408_fails_a_webhook_not_followed_by_a_fetch(tmp_path):
    fetched = RecordedProbes(reactions={
        "historical_update": reaction("TRANSACTIONS historical_update", "GET /api/transactions/?link=l -> 200"),
        "new_transactions_available": reaction("TRANSACTIONS new_transactions_available",
                                               "GET /api/transactions/?link=l -> 200")})
    assert run_check("BLV408", tmp_path, config_body=HARNESS, probe=fetched).status is Status.PASS
    fetched.reactions["historical_update"].seen = []
    result = run_check("BLV408", tmp_path, config_body=HARNESS, probe=fetched)
    assert result.status is Status.FAIL and "followed TRANSACTIONS historical_update" in result.findings[0].message


def test_blv408_and_blv409_skip_without_the_receiver_belvo_check_starts(tmp_path):
    for check_id in ("BLV408", "BLV409"):
        result = run_check(check_id, tmp_path, probe=RecordedProbes())
        assert result.status is Status.SKIP and "integration.start" in result.findings[0].message


def test_blv409_says_which_evidence_marked_the_link(tmp_path):
    marked = RecordedProbes(reactions={"token_required": reaction("LINK token_required", "store: {'status': 'x'}"),
                                       "invalid_credentials": reaction("LINK invalid_credentials", "log: reconnect l")})
    result = run_check("BLV409", tmp_path, config_body=HARNESS, probe=marked)
    assert result.status is Status.PASS and result.findings[0].message.startswith("the store and logs marked")
    marked.reactions["invalid_credentials"].seen = []
    assert statuses(run_check("BLV409", tmp_path, config_body=HARNESS, probe=marked)) == [Status.FAIL]


def test_blv409_counts_a_log_line_that_only_records_the_delivery_as_no_mark():
    from belvo_check.checks.webhooks import marks_reauth, says_reauth
    from belvo_check.probes.payloads import payload

    probe = payload("LINK", "token_required", link_id="link-1")
    assert says_reauth("link link-1 needs the user to reconnect", probe)
    assert not says_reauth(f"received webhook {probe.webhook_id} LINK token_required", probe)
    assert marks_reauth({"belvo_id": "link-1", "status": "token_required"})
    assert not marks_reauth({"belvo_id": "link-1", "status": "valid"})


def test_blv402_names_a_reserved_domain_for_what_it_is(tmp_path):
    reserved = URLS.format(sandbox="https://staging.acme.mx/h", production="https://hooks.acme.example/h")
    result = run_check("BLV402", tmp_path, config_body=reserved)
    assert result.status is Status.FAIL
    assert "is a reserved name that cannot be a real receiver" in result.findings[0].message
    assert "local host name" not in result.findings[0].message


def test_blv403_reports_the_margin_to_the_limit(tmp_path):
    fine = RecordedProbes({"documented": [delivered("ACCOUNTS historical_update", latency_ms=1250)]})
    finding = run_check("BLV403", tmp_path, probe=fine).findings[0]
    assert "slowest 1250 ms, 3.75 s inside the 5 s limit" in finding.message
    assert "margin: slowest 1250 ms" in finding.evidence


def test_blv405_says_why_the_first_delivery_left_no_trace(tmp_path):
    rows = {"transactions": [{"belvo_id": "tx-1"}]}
    with_new_data = _duplicate(rows, rows, rows)
    with_new_data.duplicate_run.new_ids = ["tx-2", "tx-3"]
    with_new_data.duplicate_run.fetches = (0, 0)
    result = run_check("BLV405", tmp_path, probe=with_new_data)
    assert result.status is Status.WARN and "although 2 new transactions were available" in result.findings[0].message
    assert "0 time(s) after the first delivery, 0 after the duplicate" in result.findings[0].evidence
    without_harness = run_check("BLV405", tmp_path, probe=_duplicate(rows, rows, rows))
    assert without_harness.status is Status.WARN
    assert "no new data can be made available first" in without_harness.findings[0].message


def test_blv405_passes_when_new_data_is_stored_once(tmp_path):
    before = {"transactions": [{"belvo_id": "tx-1"}]}
    after = {"transactions": [{"belvo_id": "tx-1"}, {"belvo_id": "tx-2"}]}
    probes = _duplicate(before, after, after)
    probes.duplicate_run.new_ids, probes.duplicate_run.fetches = ["tx-2"], (3, 0)
    result = run_check("BLV405", tmp_path, probe=probes)
    assert result.status is Status.PASS
    assert "1 new transactions made available" in result.findings[0].evidence


def test_blv406_reports_a_time_out_as_a_time_out(tmp_path):
    silent = Exchange(delivered("no Authorization header").probe,
                      answered(None, 7000, error="timed out: no complete answer within the 7 s timeout",
                               timed_out=True))
    probes = RecordedProbes({"authorization": [silent, delivered("a wrong Authorization value", 401)]})
    finding = run_check("BLV406", tmp_path, probe=probes).findings[0]
    assert finding.status is Status.WARN
    assert finding.message.startswith("no answer") and "timed out" in finding.message
    assert "refused" not in finding.message


# ----------------------------------------------------------------------------- source evidence

LINKS_NO_RECEIVER = {"app/links.py": """\
    import requests
    def create_link(institution, username, password):
        return requests.post(BELVO_URL + "/api/links/", json={"institution": institution}, timeout=10)
    """}
GIN_RECEIVER = {"hooks/main.go": """\
    package hooks

    // Belvo deliveries
    func Routes(r *gin.Engine) {
    \tr.POST("/webhooks/belvo", func(c *gin.Context) {
    \t\tif c.GetHeader("Authorization") != secret {
    \t\t\tc.AbortWithStatus(http.StatusUnauthorized)
    \t\t\treturn
    \t\t}
    \t\tif fresh, _ := cache.SetNX(c, "hook:"+hook.WebhookID, 1, 0).Result(); !fresh {
    \t\t\treturn
    \t\t}
    \t})
    }
    """}


def _at(result, status: Status) -> list[tuple[str, int | None, int | None]]:
    return [(f.location.path.rsplit("repo/", 1)[-1], f.location.line, f.location.col)
            for f in result.findings if f.status is status and f.location]


def test_blv403_source_fails_code_that_creates_links_with_no_receiver_and_names_a_receiver_alone_in_a_skip(tmp_path):
    bare = scanned(tmp_path / "a" / "repo", LINKS_NO_RECEIVER)
    result = run_check("BLV403", tmp_path, source=bare)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert "no webhook receiver route found although the code creates links" in result.findings[0].message
    served = scanned(tmp_path / "b" / "repo", {**LINKS_NO_RECEIVER, **GIN_RECEIVER})
    alone = run_check("BLV403", tmp_path, source=served)
    # A route says where deliveries arrive, not that each is answered within 5 s: never a pass alone.
    assert alone.status is Status.SKIP and alone.decided_by == ()
    assert _at(alone, Status.SKIP) == [("hooks/main.go", 5, 2)]
    assert any("webhooks.probe_url" in (f.hint or "") + f.message for f in alone.findings)


def test_blv403_probe_and_source_meet(tmp_path):
    fine = RecordedProbes({"documented": [delivered("ACCOUNTS historical_update")]})
    served = scanned(tmp_path / "b" / "repo", {**LINKS_NO_RECEIVER, **GIN_RECEIVER})
    both = run_check("BLV403", tmp_path, probe=fine, source=served)
    assert both.status is Status.PASS and both.decided_by == ("probe",)
    # A receiver that answered outranks the source's "no route found", a conclusion from silence (the
    # receiver may live outside source.root); alone, that silence fails.
    bare = scanned(tmp_path / "a" / "repo", LINKS_NO_RECEIVER)
    apart = run_check("BLV403", tmp_path, probe=fine, source=bare)
    assert apart.status is Status.PASS and apart.decided_by == ("probe",)
    assert run_check("BLV403", tmp_path, source=bare).status is Status.FAIL


def test_blv405_and_blv406_judge_the_receivers_code_where_it_is(tmp_path):
    rails = scanned(tmp_path / "repo", {
        "config/routes.rb": """\
            Rails.application.routes.draw do
              post '/webhooks/belvo', to: 'belvo_webhooks#create'
            end
            """,
        "app/controllers/belvo_webhooks_controller.rb": """\
            class BelvoWebhooksController < ApplicationController
              def create
                head :unauthorized and return unless secure_compare(request.headers['Authorization'], ENV['HOOK'])
                head :ok
              end
            end
            """})
    auth = run_check("BLV406", tmp_path, source=rails)
    decided_by_source(auth, "probe")  # the code shows it; the probe that would prove it is named once
    assert _at(auth, Status.PASS) == [("app/controllers/belvo_webhooks_controller.rb", 1, 7)]
    assert "compares the Authorization header" in auth.findings[0].message
    dedupe = run_check("BLV405", tmp_path, source=rails)
    assert dedupe.status is Status.WARN and dedupe.decided_by == ("source",)
    assert "no de-duplication by webhook_id" in dedupe.findings[0].message
    assert _at(dedupe, Status.WARN) == [("app/controllers/belvo_webhooks_controller.rb", 1, 7)]
    refused = RecordedProbes({"authorization": [delivered("no Authorization header", 401),
                                                delivered("a wrong Authorization value", 401)]})
    met = run_check("BLV406", tmp_path, probe=refused, source=rails)
    assert met.status is Status.PASS and met.decided_by == ("probe", "source")


def test_blv405_a_payload_read_of_webhook_id_is_not_a_lookup(tmp_path):
    express = scanned(tmp_path / "repo", {"server/hooks.js": """\
        // Belvo webhooks
        app.post('/webhooks/belvo', (req, res) => {
          console.log('delivery', req.body['webhook_id']);
          if ('webhook_id' in req.body) res.status(200).end();
        });
        """})
    result = run_check("BLV405", tmp_path, source=express)
    assert result.status is Status.WARN and _at(result, Status.WARN) == [("server/hooks.js", 2, 1)]
    assert "no de-duplication" in result.findings[0].message


def test_blv408_a_receiver_dispatching_on_codes_must_name_single_and_recurrent_data_codes(tmp_path):
    recurrent_only = scanned(tmp_path / "a" / "repo", {"server/hooks.js": """\
        const express = require('express');
        const app = express();
        app.post('/webhooks/belvo', (req, res) => {
          res.sendStatus(200);
          if (req.body.webhook_code === 'new_transactions_available') {
            syncTransactions(req.body.link_id);
          }
        });
        """})
    result = run_check("BLV408", tmp_path, source=recurrent_only)
    assert result.status is Status.WARN and result.decided_by == ("source",)
    [(path, line, col)] = _at(result, Status.WARN)
    assert (path, line) == ("server/hooks.js", 5) and col
    assert "not historical_update" in result.findings[0].message
    both = scanned(tmp_path / "b" / "repo", {"app/hooks.py": """\
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/webhooks/belvo")
        def belvo_webhook():
            code = request.json["webhook_code"]
            if code in ("historical_update", "new_transactions_available"):
                fetch_transactions(request.json["link_id"])
            return "", 200
        """})
    named = [f for f in both.findings if f.concept == "webhook_codes"]
    assert [(f.verdict, f.path, f.line) for f in named] == [("ok", "app/hooks.py", 6)]
    # A receiver that fetches on any code names none: nothing to say about codes.
    generic = scanned(tmp_path / "c" / "repo", {"app/hooks.py": """\
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/webhooks/belvo")
        def belvo_webhook():
            if request.json["webhook_type"] == "TRANSACTIONS":
                fetch_transactions(request.json["link_id"])
            return "", 200
        """})
    assert not [f for f in generic.findings if f.concept == "webhook_codes"]
