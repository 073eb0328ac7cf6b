"""An interrupted run (Ctrl-C, CI cancelling the job, a closed terminal) leaves nothing behind."""

from __future__ import annotations

import signal
import uuid

import pytest

from tests.hostile.processes import CHILD, interrupt, port_open, processes_with, start_cli, wait_for

# A daemon that left the flow's session, then a forked pair still running in the flow's group.
CONFIG = """version: 1
environment: sandbox
integration:
  env: {{APP_URL: "{{sim_url}}"}}
  flows:
    widget_token: '{{python}} "{child}" daemon {marker} "{folder}" && python3 -c "import os, time; os.fork(); time.sleep(300)" {marker}'
  timeout: 600
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_interrupted_run_stops_integration_processes_and_removes_workdirs(tmp_path, signum):
    marker, folder = f"belvo-interrupt-{uuid.uuid4().hex}", tmp_path / "daemon"
    folder.mkdir()
    config = tmp_path / "belvo-check.yaml"
    config.write_text(CONFIG.format(marker=marker, child=CHILD, folder=folder))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    run = start_cli("run", "-c", str(config), "--select", "BLV101", scratch=scratch)
    try:
        assert wait_for(lambda: len(processes_with(marker)) >= 3 or run.poll() is not None, 60)
        assert run.poll() is None, run.communicate()
    finally:
        _, stderr = interrupt(run, signum)
    assert run.returncode == 130, stderr
    assert stderr.startswith("interrupted") and len(stderr.splitlines()) == 1, stderr
    assert processes_with(marker) == [], "integration processes were left running"
    assert not any(port_open(int(port.read_text())) for port in folder.glob("*.port"))
    assert list(scratch.iterdir()) == [], "scratch folders were left behind"
