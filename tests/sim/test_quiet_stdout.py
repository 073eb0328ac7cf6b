"""Simulators never write to stdout: belvo-check's JSON report travels there.

Many simulators start and serve side by side in one process (one per harness scenario). None
may reconfigure logging so that another one's requests are printed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT

CHILD = textwrap.dedent("""
    import logging.config, sys, threading, urllib.request
    from belvo_check.sim import Simulator

    # The leak needs a start to reconfigure logging while another simulator serves; that window
    # is too short to hit reliably, so catch the reconfiguration itself.
    def refuse(config):
        raise SystemExit("a simulator reconfigured process-wide logging")

    logging.config.dictConfig = refuse
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    first = Simulator(seed=1).start()

    def hammer():
        for _ in range(30):
            try:
                opener.open(first.url + "/api/institutions/", timeout=10)
            except Exception:
                pass  # 401 without keys: the request still happened, and would be logged

    worker = threading.Thread(target=hammer)
    worker.start()
    others = [Simulator(seed=n).start() for n in range(2, 8)]  # starting while the first serves
    worker.join()
    for sim in [first, *others]:
        sim.stop()
    sys.stdout.write("REPORT")
""")


def test_simulators_starting_beside_a_busy_one_print_nothing():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "REPORT"
