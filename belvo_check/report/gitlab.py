"""GitLab Code Quality JSON (a subset of Code Climate's format), for merge request widgets.

https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
"""

from __future__ import annotations

import hashlib
import json

from belvo_check.model import Status
from belvo_check.report import Verdict
from belvo_check.report.findings import gaps, items, printable, verdict

SEVERITY = {Status.ERROR: "critical", Status.FAIL: "major", Status.WARN: "minor"}


def to_gitlab(report) -> str:
    issues = [{
        "type": "issue",
        "check_name": item.meta.id,
        "description": printable(f"{item.meta.id}: {item.finding.message}"),
        "content": {"body": printable("\n\n".join(filter(None, (item.finding.hint, item.finding.evidence))))},
        "categories": ["Bug Risk"],
        "severity": SEVERITY[item.finding.status],
        "fingerprint": item.fingerprint,
        "location": {"path": item.location.path, "lines": {"begin": item.location.line or 1}},
    } for item in items(report)]
    if report.verdict is Verdict.INCOMPLETE:
        # An INCOMPLETE run says once, on the config that would bring the evidence back, what it went without.
        text = f"{verdict(report)}: " + "; ".join(gap.describe() for gap in gaps(report))
        issues.append({"type": "issue", "check_name": "belvo-check/evidence", "description": printable(text),
                       "categories": ["Bug Risk"], "severity": "info",
                       "fingerprint": hashlib.sha256(f"evidence\0{report.environment}".encode()).hexdigest()[:16],
                       "location": {"path": printable(report.config_path), "lines": {"begin": 1}}})
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
