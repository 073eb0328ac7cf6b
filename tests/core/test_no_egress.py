"""The harness runs integration commands with a dead proxy: hard-coded real hosts stay unreachable."""

from __future__ import annotations

import subprocess
import sys

from belvo_check.config import load_config
from belvo_check.evidence import Context
from belvo_check.harness.integration import Integration

CONFIG = """version: 1
environment: sandbox
integration:
  env: {APP_URL: "{sim_url}"}
  flows: {sync: "true"}
"""

# A client that ignores the simulator URL and calls a real host; with the proxy variables set it
# must fail at the loopback discard port, never resolve or reach that host.
CALL_OUT = """
import urllib.request
try:
    urllib.request.urlopen("http://api.belvo.com.invalid/api/", timeout=5)
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def test_commands_get_a_dead_proxy_but_loopback_stays_direct(write_config):
    integration = Integration(Context(load_config(write_config(CONFIG), environ={})))
    env = integration.env({"sim_url": "http://127.0.0.1:1"})
    assert env["HTTPS_PROXY"] == env["HTTP_PROXY"] == "http://127.0.0.1:9"
    assert "127.0.0.1" in env["NO_PROXY"] and env["APP_URL"] == "http://127.0.0.1:1"
    done = subprocess.run([sys.executable, "-c", CALL_OUT], env=env, capture_output=True, text=True, timeout=30)
    assert "Connection refused" in done.stdout, done.stdout + done.stderr
