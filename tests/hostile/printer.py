"""The hostile printer integration (integrations/hostile_printer.py) and the keys it is given:
a config that runs it, and one `belvo-check run` of BLV704 against it."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HERE = Path(__file__).resolve().parent
# Chosen so every encoding differs from the value: '/', '+', '@', ' ', '?', non-ASCII, and bytes
# ("?>?", "~~~") whose base64 holds '/' and '+', so standard and URL-safe base64 differ too.
SECRET_ID = "hostile-id-" + secrets.token_hex(8)
SECRET_PASSWORD = "p@ss/wörd+?>?~~~ " + secrets.token_hex(6)
AUTHORIZATION = "Token Hostile-" + secrets.token_hex(8)
# Variables that would change how belvo-check renders: each test sets what it means to test.
RENDERING = ("FORCE_COLOR", "NO_COLOR", "CI", "COLUMNS", "LINES", "TERM")


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "belvo-check.yaml"
    config.write_text(f"""\
version: 1
environment: sandbox
belvo:
  secret_id: ${{HOSTILE_SECRET_ID}}
  secret_password: ${{HOSTILE_SECRET_PASSWORD}}
webhooks:
  authorization: ${{HOSTILE_WEBHOOK_AUTH}}
integration:
  cwd: {json.dumps(str(HERE / "integrations"))}
  env:
    BELVO_API_URL: "{{sim_url}}"
    BELVO_SECRET_ID: "{{secret_id}}"
    BELVO_SECRET_PASSWORD: "{{secret_password}}"
    HOSTILE_AUTH: "{{webhook_authorization}}"
    HOSTILE_WORKDIR: "{{workdir}}"
  flows:
    create_link: "{{python}} hostile_printer.py create"
    sync: "{{python}} hostile_printer.py sync"
    widget_token: "{{python}} hostile_printer.py token"
  logs: [stdout, stderr, "{{workdir}}/hostile.log"]
  timeout: 30
""")
    return config


def run_blv704(tmp_path: Path, *args: str, leak: str = "", escapes: bool = False, env: dict | None = None,
               **popen) -> subprocess.CompletedProcess:
    """`belvo-check run --select BLV704 ARGS` against the printer; HOSTILE_LEAK / HOSTILE_ESCAPES pick
    what it prints. Extra keyword arguments go to subprocess.run (e.g. stdout=<a pty>)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_") and k not in RENDERING}
    full_env.update(HOSTILE_SECRET_ID=SECRET_ID, HOSTILE_SECRET_PASSWORD=SECRET_PASSWORD,
                    HOSTILE_WEBHOOK_AUTH=AUTHORIZATION, HOSTILE_LEAK=leak, HOSTILE_ESCAPES="1" if escapes else "",
                    **(env or {}))
    if "stdout" in popen:
        popen.setdefault("stderr", subprocess.PIPE)
    else:
        popen["capture_output"] = True
    return subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(write_config(tmp_path)),
                           "--select", "BLV704", *args], cwd=ROOT, env=full_env, text=True, timeout=180, **popen)
