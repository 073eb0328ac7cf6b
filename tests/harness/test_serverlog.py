"""The flake behind an unparsable `belvo-check run --format json`: simulator access lines on stdout.

uvicorn configures process-global logging each time a simulator starts. The harness runs scenarios
side by side, so one simulator can start (re-adding a stdout handler to "uvicorn.access") while
another serves a request. These tests force that interleaving deterministically instead of
hoping for it: start a simulator, replay the other start's dictConfig, then make a request.
"""
from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from belvo_check.harness.serverlog import silence_access_log

ROOT = Path(__file__).resolve().parents[2]

# In a child process: the guard is process-wide and permanent, and without it the test must see
# the leak, so neither case may share the pytest worker's logging state.
CHILD = textwrap.dedent("""
    import logging.config, sys, urllib.request
    import uvicorn.config
    from belvo_check.harness.serverlog import silence_access_log
    from belvo_check.sim import Simulator
    if sys.argv[1] == "guarded":
        silence_access_log()
    sim = Simulator(seed=1).start()
    try:
        # What a second simulator's start does to the global loggers while this one serves.
        logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
        try:
            urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sim.url + "/api/institutions/", timeout=10)
        except Exception:
            pass  # 401 without keys: the request still happened, and that is what gets logged
    finally:
        sim.stop()
    sys.stdout.write("REPORT")
""")


def _child(mode: str) -> str:
    proc = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_concurrent_simulator_start_leaks_access_lines_to_stdout_without_the_guard():
    # Proves the mechanism (and that the next test is not passing vacuously).
    out = _child("bare")
    assert '"GET /api/institutions/ HTTP/1.1"' in out and out.endswith("REPORT")


def test_the_harness_guard_keeps_stdout_for_the_report_only():
    assert _child("guarded") == "REPORT"


def test_guard_is_idempotent():
    silence_access_log()
    silence_access_log()
    drops = [f for f in logging.getLogger("uvicorn.access").filters if type(f).__name__ == "_DropAll"]
    assert len(drops) == 1
