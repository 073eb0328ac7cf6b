"""Probes through the receiver the harness starts: the example integration, and test receivers
started by integration.start (they acknowledge, but never fetch nor mark links)."""

from __future__ import annotations

import re
import sys

from belvo_check.model import Status
from belvo_check.probes.deliveries import Probes
from tests.conftest import ROOT, run_cli
from tests.probes.helpers import RECEIVERS

EXPECTED_SAMPLE = {"BLV403": "pass", "BLV404": "pass", "BLV405": "pass", "BLV406": "fail", "BLV407": "pass",
                   "BLV408": "pass", "BLV409": "pass"}


def test_sample_config_webhook_section_judged_by_real_deliveries():
    import json

    done = run_cli("run", "-c", "sample-config.yaml", "--select", "webhooks", "--format", "json", timeout=240)
    report = json.loads(done.stdout)
    checks = {c["id"]: c for c in report["results"]}
    got = {check: checks[check]["status"] for check in EXPECTED_SAMPLE}
    assert got == EXPECTED_SAMPLE, {c: checks[c]["findings"] for c in EXPECTED_SAMPLE}
    for check in ("BLV403", "BLV404", "BLV407"):
        assert " ms  " in checks[check]["findings"][0]["evidence"]  # latencies are in the evidence
    assert "Authorization" in checks["BLV406"]["findings"][0]["message"]
    assert "GET /api/transactions/?link=" in checks["BLV408"]["findings"][0]["evidence"]


def harness_config(receiver: str, store_links: bool) -> str:
    links = "\n    links: SELECT belvo_id, status FROM links" if store_links else ""
    return f"""\
version: 1
environment: sandbox
webhooks:
  urls: {{sandbox: https://staging.acme.example.mx/hooks/belvo, production: https://acme.example.mx/hooks/belvo}}
  probe_url: http://127.0.0.1:{{receiver_port}}/hooks/belvo
integration:
  cwd: {ROOT / "examples" / "acme"}
  env:
    BELVO_API_URL: "{{sim_url}}"
    BELVO_SECRET_ID: "{{secret_id}}"
    BELVO_SECRET_PASSWORD: "{{secret_password}}"
    ACME_DB: "{{workdir}}/acme.db"
    RECEIVER_AUTH: "{{webhook_authorization}}"
  start: {sys.executable} {RECEIVERS / receiver}.py --db {{workdir}}/receiver.db --port {{receiver_port}}
  ready: http://127.0.0.1:{{receiver_port}}/health
  flows:
    create_link: {sys.executable} -m acme link create --institution {{institution}} --username {{username}} --password {{password}} --external-id {{external_id}}
  store:
    sqlite: "{{workdir}}/receiver.db"
    transactions: SELECT belvo_id FROM transactions{links}
  timeout: 30
"""


def test_receiver_that_never_fetches_nor_marks_links(run_webhook_checks, monkeypatch):
    monkeypatch.setattr(Probes, "FETCH_WAIT", 2.0)
    monkeypatch.setattr(Probes, "MARK_WAIT", 1.5)
    results = run_webhook_checks(harness_config("good", store_links=False),
                                 selectors=("BLV403", "BLV406", "BLV408", "BLV409"))
    assert results["BLV403"].status is Status.PASS  # the harness receiver is probed, authenticated
    assert "integration.start" in results["BLV403"].findings[0].evidence
    assert results["BLV406"].status is Status.PASS  # it enforces the value the harness minted
    assert results["BLV408"].status is Status.FAIL
    assert "no GET /api/transactions/" in results["BLV408"].findings[0].message
    assert results["BLV409"].status is Status.FAIL
    assert "neither the store nor the logs" in results["BLV409"].findings[0].message


def test_link_status_in_the_store_passes_409(run_webhook_checks, monkeypatch):
    monkeypatch.setattr(Probes, "MARK_WAIT", 3.0)
    results = run_webhook_checks(harness_config("unauthenticated", store_links=True),
                                 selectors=("BLV406", "BLV409"))
    assert results["BLV406"].status is Status.FAIL  # the minted value is ignored
    assert results["BLV409"].status is Status.PASS, results["BLV409"].findings
    assert "store: " in results["BLV409"].findings[0].evidence


WEBHOOK_ONLY = ROOT / "tests" / "fixtures" / "integrations" / "py-webhook-only" / "app.py"


def test_a_correct_idempotent_receiver_passes_the_duplicate_probe(run_webhook_checks):
    """A receiver that fetches what a webhook announces and upserts it: its link is already stored
    when the probe starts, so only new data made available first lets its first delivery show."""
    config = harness_config("good", store_links=False).replace(
        f"{sys.executable} {RECEIVERS / 'good'}.py --db {{workdir}}/receiver.db --port {{receiver_port}}",
        f"{sys.executable} {WEBHOOK_ONLY} serve --port {{receiver_port}}").replace(
        'RECEIVER_AUTH: "{webhook_authorization}"',
        'WEBHOOK_AUTH: "{webhook_authorization}"\n    APP_DB: "{workdir}/receiver.db"')
    result = run_webhook_checks(config, selectors=("BLV405",))["BLV405"]
    finding = result.findings[0]
    assert result.status is Status.PASS, (finding.message, finding.evidence)
    assert "5 new transactions made available" in finding.evidence
    assert re.search(r"for the link [1-9]\d* time\(s\) after the first delivery, 0 after the duplicate",
                     finding.evidence)
    assert "after the first delivery transactions: 65 rows" in finding.evidence
