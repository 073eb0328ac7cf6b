"""A real run of the config checks, shared by the report-format tests."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone

import pytest

from reporttest import CONFIG, SECRET_ID, SECRET_PASSWORD, SELECT


@pytest.fixture
def report(tmp_path, monkeypatch):
    """A Report from a real in-process run of the config, webhook, key and update checks."""
    from belvo_check.config import load_config
    from belvo_check.evidence import Context
    from belvo_check.registry import load_registry
    from belvo_check.report import Report
    from belvo_check.runner import run_checks

    monkeypatch.setenv("BELVO_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("BELVO_SECRET_PASSWORD", SECRET_PASSWORD)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "belvo-check.yaml").write_text(textwrap.dedent(CONFIG))
    loaded = load_config("belvo-check.yaml")
    checks = load_registry().select(SELECT)
    ctx = Context(loaded)
    started = datetime.now(timezone.utc)
    try:
        results = run_checks(checks, ctx)
    finally:
        ctx.close()
    metas = {c.meta.id: c.meta for c in checks}
    return Report(results=[(metas[r.check_id], r) for r in results], tool_version="0.1.0",
                  config_path="belvo-check.yaml", config_sha256=loaded.sha256, environment="production",
                  started_at=started, finished_at=datetime.now(timezone.utc))
