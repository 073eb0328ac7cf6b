"""The JSON report. Its shape is versioned and published in belvo_check/schemas/report-v1.json."""

from __future__ import annotations

import json

from belvo_check.report import Report, headline

SCHEMA_VERSION = 1


def to_dict(report: Report) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "belvo-check", "version": report.tool_version},
        "config": {"path": report.config_path, "sha256": report.config_sha256},
        "environment": report.environment,
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "fail_on": report.fail_on.value,
        "verdict": "ready" if report.ready else "not_ready",
        "exit_code": report.exit_code,
        "summary": report.counts,
        "results": [
            {
                "id": meta.id,
                "section": meta.section.number,
                "section_name": meta.section.name,
                "title": headline(meta, result.status),
                "checklist": meta.checklist,
                "evidence_kinds": [e.value for e in meta.evidence],
                "status": result.status.value,
                "duration_ms": round(result.duration * 1000, 1),
                "findings": [
                    {
                        "status": f.status.value,
                        "message": f.message,
                        "hint": f.hint,
                        "evidence": f.evidence,
                        "location": None if f.location is None else
                        {"path": f.location.path, "line": f.location.line, "col": f.location.col},
                    }
                    for f in result.findings
                ],
            }
            for meta, result in report.results
        ],
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"
