"""JUnit XML from a real run, parsed back with xml.etree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from belvo_check.model import Status
from belvo_check.report.junit import to_junit


def cases(xml: str) -> dict[str, ET.Element]:
    return {case.get("name").split()[0]: case for case in ET.fromstring(xml).iter("testcase")}


def test_a_testcase_per_check_with_fail_skip_and_warn_mapped(report):
    root = ET.fromstring(to_junit(report))
    by_id = cases(to_junit(report))
    assert set(by_id) == {meta.id for meta, _ in report.results}
    assert by_id["BLV401"].find("failure") is not None
    assert "--select BLV401" in by_id["BLV401"].find("failure").text
    assert by_id["BLV403"].find("skipped").get("message") == "webhooks.probe_url is not configured"
    # A warn does not block under --fail-on fail: the testcase passes and says what it found.
    assert by_id["BLV802"].find("failure") is None
    assert "warn: nobody has attested" in by_id["BLV802"].find("system-out").text
    assert [c.tag for c in by_id["BLV402"]] == ["system-out"]
    counts = report.counts
    assert root.get("tests") == str(len(report.results))
    assert root.get("failures") == str(counts["fail"]) and root.get("skipped") == str(counts["skip"])
    assert {s.get("name") for s in root.iter("testsuite")} == {"4. Webhooks", "7. URLs and API keys",
                                                               "8. Subscribe to updates"}


def test_warn_fails_under_fail_on_warn_and_error_is_an_error(report):
    report.fail_on = Status.WARN
    meta, result = report.results[0]
    crashed = replace(result, status=Status.ERROR, findings=[
        replace(result.findings[0], status=Status.ERROR, message="the check crashed: KeyError: 'x'\x1b[2J")])
    report.results[0] = (meta, crashed)
    xml = to_junit(report)
    by_id = cases(xml)
    assert by_id["BLV802"].find("failure").get("type") == "warn"
    error = by_id[meta.id].find("error")
    assert "KeyError" in error.text and "\x1b" not in xml
    assert ET.fromstring(xml).get("errors") == "1"
