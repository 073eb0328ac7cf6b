"""The harness against misbehaving integrations, placeholders, and the receiver API."""
from __future__ import annotations

import os
import tempfile
import textwrap
import uuid
from pathlib import Path

import pytest

from belvo_check.config import load_config
from belvo_check.errors import ConfigError
from belvo_check.evidence import Context, EvidenceUnavailable
from belvo_check.harness.template import render
from belvo_check.registry import load_registry
from belvo_check.runner import run_checks

from tests.hostile.processes import processes_with as _running

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, integration: str) -> Path:
    path = tmp_path / "belvo-check.yaml"
    path.write_text("version: 1\nenvironment: sandbox\nintegration:\n" + textwrap.indent(
        textwrap.dedent(integration), "  "))
    return path


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """Drill workdirs land here, so the test can prove they are removed."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def test_render_quotes_values_in_commands():
    values = {"link_id": "a b; rm -rf /", "workdir": "/w"}
    assert render("sync {link_id}", values, key="k", shell=True) == "sync 'a b; rm -rf /'"
    assert render("{workdir}/db {{x}}", values, key="k") == "/w/db {x}"


def test_unknown_placeholder_is_a_config_error(tmp_path):
    path = _config(tmp_path, "flows: {sync: 'app sync {linkid}'}\n")
    with pytest.raises(ConfigError, match=r"integration\.flows\.sync.*\{linkid\}.*\{link_id\}"):
        load_config(path)


def test_missing_flow_skips_naming_the_key(tmp_path):
    ctx = Context(load_config(_config(tmp_path, "flows: {widget_token: 'true'}\n")))
    checks = [c for c in load_registry().all() if c.meta.id in ("BLV203", "BLV302")]
    try:
        results = run_checks(checks, ctx)
    finally:
        ctx.close()
    for result in results:
        assert result.status.value == "skip"
        assert "integration.flows." in result.findings[0].message


def test_flows_that_never_call_the_simulator_earn_no_verdict(tmp_path):
    # Commands that succeed without calling Belvo at all (the URL is not wired to {sim_url}):
    # nothing the simulator did can be judged, so no check may pass or fail on it.
    ctx = Context(load_config(_config(tmp_path, "flows: {create_link: 'true', sync: 'true'}\n")))
    checks = [c for c in load_registry().all() if c.meta.id in ("BLV201", "BLV301", "BLV303", "BLV603")]
    try:
        results = run_checks(checks, ctx)
    finally:
        ctx.close()
    for result in results:
        assert result.status.value == "warn", (result.check_id, result.findings)
        assert "never called the simulator" in result.findings[0].message


def test_hanging_crashing_forking_integration_cannot_hang_the_run(tmp_path, own_tmp):
    marker = f"bc-{uuid.uuid4().hex}"
    path = _config(tmp_path, f"""\
        flows:
          create_link: "sh -c 'sleep 300 # {marker}' & echo started; sleep 300"
          sync: "python3 -c 'raise SystemExit(1/0)'"
        timeout: 1
        """)
    ctx = Context(load_config(path))
    checks = [c for c in load_registry().all() if c.meta.id in ("BLV203", "BLV206")]
    try:
        results = run_checks(checks, ctx)
    finally:
        ctx.close()
    assert {r.status.value for r in results} == {"fail"}
    assert "killed it at the flow budget, integration.timeout" in results[0].findings[0].message
    assert _running(marker) == []
    assert list(own_tmp.iterdir()) == []


def test_receiver_is_started_once_and_stopped(tmp_path, own_tmp):
    acme = ROOT / "examples" / "acme"
    path = _config(tmp_path, f"""\
        cwd: {acme}
        env: {{BELVO_API_URL: "{{sim_url}}", BELVO_SECRET_ID: "{{secret_id}}", BELVO_SECRET_PASSWORD: "{{secret_password}}",
              ACME_DB: "{{workdir}}/acme.db", ACME_WEBHOOK_AUTH: "{{webhook_authorization}}"}}
        start: python -m acme serve --port {{receiver_port}}
        ready: http://127.0.0.1:{{receiver_port}}/health
        flows:
          create_link: python -m acme link create --institution {{institution}} --username {{username}} --password {{password}} --external-id {{external_id}}
        store: {{sqlite: "{{workdir}}/acme.db", links: "SELECT belvo_id, institution_user_id, status FROM links"}}
        """)
    ctx = Context(load_config(path))
    try:
        harness = ctx.evidence("harness")
        receiver = harness.receiver()
        assert harness.receiver() is receiver
        assert receiver.url.startswith("http://127.0.0.1:") and receiver.url.endswith("/hooks/belvo")
        assert receiver.authorization.startswith("Bearer belvo-check-")
        link = receiver.create_link()
        assert link and link in receiver.sim.state.link_ids()
        assert [row["belvo_id"] for row in receiver.store()["links"]] == [link]
        assert "webhook" in receiver.logs()
        pid = receiver._process.popen.pid
    finally:
        ctx.close()
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert list(own_tmp.iterdir()) == []


def test_receiver_needs_start(tmp_path):
    ctx = Context(load_config(_config(tmp_path, "flows: {sync: 'true'}\n")))
    try:
        with pytest.raises(EvidenceUnavailable) as info:
            ctx.evidence("harness").receiver()
        assert "integration.start" in info.value.message and "start:" in info.value.enable
    finally:
        ctx.close()
