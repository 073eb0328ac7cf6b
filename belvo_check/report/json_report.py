"""The JSON report. Its shape is versioned and published in belvo_check/schemas/report-v1.json."""

from __future__ import annotations

import json

from belvo_check.report import Report, evidence_level, headline
from belvo_check.model import Status
from belvo_check.report.findings import evidence_not_run, evidence_used, fingerprint, gap_hints, gaps, \
    judged_against, verdict

SCHEMA_VERSION = 1


def to_dict(report: Report) -> dict:
    said_once = gap_hints(report)  # in "gaps", with every check each concerns
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "belvo-check", "version": report.tool_version},
        "config": {"path": report.config_path, "sha256": report.config_sha256},
        "environment": report.environment,
        "judged_against": judged_against(report),
        "integration": report.provenance.as_dict() if report.provenance else None,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "fail_on": report.fail_on.value,
        "verdict": report.verdict.key,
        "verdict_text": verdict(report),
        "evidence": {"used": [kind.value for kind in evidence_used(report)],
                     "not_run": [kind.value for kind in evidence_not_run(report)]},
        "gaps": [{"reason": gap.reason, "enable": gap.enable, "skipped": list(gap.skipped),
                  "decided_without": list(gap.decided_without)} for gap in gaps(report)],
        "verified": report.verified,
        "unverified": [meta.id for meta in report.unverified],
        "exit_code": report.exit_code,
        "summary": report.counts,
        "notes": report.notes,
        "results": [
            {
                "id": meta.id,
                "section": meta.section.number,
                "section_name": meta.section.name,
                "title": headline(meta, result.status),
                "checklist": meta.checklist,
                "evidence_kinds": [e.value for e in meta.evidence],
                "status": result.status.value,
                "decided_by": list(result.decided_by),
                "evidence_level": evidence_level(meta, result) or None,
                "duration_ms": round(result.duration * 1000, 1),
                # Failing findings first, so the reason for the status leads (stable otherwise).
                "findings": [_finding(report, meta.id, f, said_once)
                             for f in sorted(result.findings, key=lambda f: -f.status.rank)],
            }
            for meta, result in report.results
        ],
    }


def _finding(report: Report, check_id: str, finding, said_once: set[str]) -> dict:
    applied = report.applied_to(check_id, finding)
    return {
        "status": finding.status.value,
        "message": finding.message,
        "hint": None if finding.status is Status.SKIP and finding.hint in said_once else finding.hint,
        "evidence": finding.evidence,
        "location": None if finding.location is None else
        {"path": finding.location.path, "line": finding.location.line, "col": finding.location.col},
        "fingerprint": fingerprint(check_id, finding),
        "suppression": None if applied is None else
        {"would_be": applied.was.value, "why": applied.why, "expired": applied.expired},
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
