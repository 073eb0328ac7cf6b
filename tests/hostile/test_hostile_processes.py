"""Integrations that daemonise (setsid, double fork, stdio detached, SIGTERM ignored) leave
nothing running once belvo-check exits: no process, no listening port."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT
from tests.hostile.processes import CHILD, cli_env, port_open, processes_with

FLOW_CONFIG = """version: 1
environment: sandbox
integration:
  flows:
    widget_token: '{{python}} "{child}" daemon {marker} "{folder}" {options}'
  timeout: 60
"""

START_CONFIG = """version: 1
environment: sandbox
integration:
  start: '{{python}} "{child}" daemon {marker} "{folder}" && exec {{python}} "{child}" serve {{receiver_port}} {marker} "{folder}"'
  ready: http://127.0.0.1:{{receiver_port}}/
  flows:
    widget_token: '{{python}} -c pass {{receiver_port}}'
  timeout: 60
"""


def run_with_widget_flow(tmp_path, config_text: str) -> subprocess.CompletedProcess:
    config = tmp_path / "belvo-check.yaml"
    config.write_text(config_text)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--select", "BLV101",
                           "--format", "json"], cwd=ROOT, env=cli_env(scratch), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["results"][0]["id"] == "BLV101"
    assert list(scratch.iterdir()) == []
    return done


def daemon_ports(folder) -> list[int]:
    return [int(path.read_text()) for path in folder.glob("*.port")]


@pytest.mark.parametrize("options", ["", "--clear-env"], ids=["daemon", "daemon-without-environment"])
def test_daemon_left_by_a_flow_does_not_outlive_the_run(tmp_path, options):
    marker, folder = f"belvo-check-hostile-{uuid.uuid4().hex}", tmp_path / "daemons"
    folder.mkdir()
    run_with_widget_flow(tmp_path, FLOW_CONFIG.format(child=CHILD, marker=marker, folder=folder, options=options))
    ports = daemon_ports(folder)
    assert ports, "the flow never left its daemon"
    assert processes_with(marker) == []
    assert not any(port_open(port) for port in ports)


def test_daemon_left_by_the_start_command_does_not_outlive_the_run(tmp_path):
    marker, folder = f"belvo-check-hostile-{uuid.uuid4().hex}", tmp_path / "daemons"
    folder.mkdir()
    run_with_widget_flow(tmp_path, START_CONFIG.format(child=CHILD, marker=marker, folder=folder))
    ports = daemon_ports(folder)
    assert ports and (folder / "serving").exists(), "the receiver never started"
    assert processes_with(marker) == []
    receiver_port = int((folder / "serving").read_text())
    assert not any(port_open(port) for port in [*ports, receiver_port])
