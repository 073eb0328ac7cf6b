"""SARIF 2.1.0, for code scanning: a rule per check, a result per problem finding.

Checks that errored or skipped are not findings about the integration; they go to the
invocation's notifications, where SARIF viewers show tool trouble and missing coverage.
"""

from __future__ import annotations

import json
from datetime import timezone
from pathlib import PurePath
from urllib.parse import quote

from belvo_check.model import Location, Status
from belvo_check.report import Verdict
from belvo_check.report.findings import Item, gap_hints, gaps, items, printable, reproduce, verdict

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "belvoCheckFinding/v1"
LEVEL = {Status.FAIL: "error", Status.WARN: "warning", Status.ERROR: "error"}


def to_sarif(report) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report) -> dict:
    metas = [meta for meta, _ in report.results]
    rule_index = {meta.id: index for index, meta in enumerate(metas)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "belvo-check",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_rule(meta) for meta in metas],
            }},
            # GitHub keeps one set of alerts per category: one per judged environment.
            "automationDetails": {"id": f"belvo-check/{report.environment}/"},
            "invocations": [_invocation(report)],
            "results": [_result(report, item, rule_index[item.meta.id])
                        for item in items(report, (Status.FAIL, Status.WARN, Status.IGNORED))],
            "properties": {"environment": report.environment, "configSha256": report.config_sha256,
                           "verdict": report.verdict.key, "verdictText": verdict(report), "summary": report.counts},
        }],
    }


def _rule(meta) -> dict:
    return {
        "id": meta.id,
        "name": "".join(word.capitalize() for word in meta.title.replace("_", " ").split() if word.isalnum()),
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": meta.checklist},
        "messageStrings": {"failure": {"text": meta.failure_title}},
        "help": {"text": meta.hint, "markdown": meta.docs or meta.hint},
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": {"section": f"{meta.section.number}. {meta.section.title}",
                       "evidence": [e.value for e in meta.evidence],
                       "tags": ["belvo", meta.section.name]},
    }


def _result(report, item: Item, index: int) -> dict:
    finding = item.finding
    applied = report.applied_to(item.meta.id, finding)
    text = finding.message + (f"\nFix: {finding.hint}" if finding.hint else "") + \
        (f"\n{applied.note}" if applied and applied.expired else "")
    result = {
        "ruleId": item.meta.id,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVEL[applied.was if finding.status is Status.IGNORED else finding.status],
        "message": {"text": printable(text)},
        "locations": [_location(item.location)],
        "partialFingerprints": {FINGERPRINT_KEY: item.fingerprint},
        "properties": {"evidence": printable(finding.evidence) or None,
                       "reproduce": reproduce(report, item.meta, finding)},
    }
    if finding.status is Status.IGNORED:
        # Code scanning shows these as dismissed, with the reason, rather than hiding them.
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": printable(applied.why)}]
    return result


def _location(location: Location) -> dict:
    path = PurePath(location.path)
    uri = path.as_uri() if path.is_absolute() else quote(path.as_posix())
    artifact = {"uri": uri} if path.is_absolute() else {"uri": uri, "uriBaseId": "%SRCROOT%"}
    physical: dict = {"artifactLocation": artifact}
    if location.line:
        physical["region"] = {"startLine": location.line, **({"startColumn": location.col} if location.col else {})}
    return {"physicalLocation": physical}


def _invocation(report) -> dict:
    # Missing coverage: each skipped check says why; what brings the evidence back is said once per
    # reason, for every check it concerns (the notifications without an associated rule).
    said_once = gap_hints(report)
    notes = []
    for item in items(report, (Status.ERROR, Status.SKIP)):
        level = "error" if item.finding.status is Status.ERROR else "note"
        hint = f" ({item.finding.hint})" if item.finding.hint and item.finding.hint not in said_once else ""
        notes.append({"level": level, "message": {"text": printable(f"{item.meta.id}: {item.finding.message}{hint}")},
                      "associatedRule": {"id": item.meta.id}})
    level = "warning" if report.verdict is Verdict.INCOMPLETE else "note"
    notes += [{"level": level, "message": {"text": printable(f"evidence not gathered: {gap.describe()}")},
               "properties": {"checks": list(gap.checks)}} for gap in gaps(report)]
    return {
        "executionSuccessful": not report.count(Status.ERROR),
        "startTimeUtc": _utc(report.started_at),
        "endTimeUtc": _utc(report.finished_at),
        "toolExecutionNotifications": notes,
    }


def _utc(moment) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
