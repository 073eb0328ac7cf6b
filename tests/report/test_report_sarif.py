"""SARIF from a real run, validated against the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from belvo_check.model import Status
from belvo_check.report.sarif import FINGERPRINT_KEY, to_sarif

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json").read_text())


def test_sarif_is_valid_and_holds_every_problem(report):
    log = json.loads(to_sarif(report))
    jsonschema.Draft4Validator(SCHEMA).validate(log)

    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [meta.id for meta, _ in report.results]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    # Exactly the fail and warn findings, with the right levels.
    assert set(by_rule) == {"BLV401", "BLV701", "BLV802"}
    assert by_rule["BLV401"]["level"] == "error" and by_rule["BLV802"]["level"] == "warning"
    # A config finding points at its key; a finding without a location at the config file.
    region = by_rule["BLV701"]["locations"][0]["physicalLocation"]
    assert region["artifactLocation"] == {"uri": "belvo-check.yaml", "uriBaseId": "%SRCROOT%"}
    assert region["region"] == {"startLine": 4, "startColumn": 3}
    assert "region" not in by_rule["BLV802"]["locations"][0]["physicalLocation"]
    assert "belvo-check run -c belvo-check.yaml --select BLV701 -v" in by_rule["BLV701"]["properties"]["reproduce"]
    # Skipped checks are reported as missing coverage, not as findings.
    notes = run["invocations"][0]["toolExecutionNotifications"]
    skipped = {n["associatedRule"]["id"] for n in notes if "associatedRule" in n}
    assert skipped == {meta.id for meta, r in report.results if r.status is Status.SKIP}
    assert run["invocations"][0]["executionSuccessful"] is True


def test_fingerprint_ignores_run_to_run_noise_but_not_the_problem():
    from belvo_check.model import Finding, Location
    from belvo_check.report.findings import fingerprint

    def fp(message, path=None):
        return fingerprint("BLV203", Finding(Status.FAIL, message, location=Location(path, 3) if path else None))

    noisy = "none of the 4 request_id(s) (d60007ce7be0d18fa96c78d8770ad2fe) appear; receiver 127.0.0.1:46121"
    assert fp(noisy) == fp(noisy.replace("4", "5").replace("d60007ce", "0e6a33fb").replace("46121", "38013"))
    assert fp(noisy) != fp("the request_id of the 500 is logged only at debug level")
    assert fp(noisy) != fp(noisy, "other.yaml")
    assert fingerprint("BLV204", Finding(Status.FAIL, noisy)) != fp(noisy)
