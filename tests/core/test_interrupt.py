"""An interrupted run (Ctrl-C, CI cancelling the job, a closed terminal) leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.conftest import ROOT

CONFIG = """version: 1
environment: sandbox
integration:
  env: {{APP_URL: "{{sim_url}}"}}
  flows:
    widget_token: python3 -c "import os, time; os.fork(); time.sleep(300)" {marker}
  timeout: 600
"""


def processes_with(marker: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if marker.encode() in handle.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_interrupted_run_stops_integration_processes_and_removes_workdirs(tmp_path, signum):
    marker = f"belvo-interrupt-{uuid.uuid4().hex}"
    config = tmp_path / "belvo-check.yaml"
    config.write_text(CONFIG.format(marker=marker))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    env["TMPDIR"] = str(scratch)
    run = subprocess.Popen([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--select", "BLV101"],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: len(processes_with(marker)) >= 2, 60), "the integration never started"
        run.send_signal(signum)
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert wait_for(lambda: not processes_with(marker), 10), "integration processes were left running"
    assert list(scratch.iterdir()) == [], "scratch folders were left behind"
