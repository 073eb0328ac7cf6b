"""The hostile printer integration (integrations/hostile_printer.py) and the keys it is given:
a config that runs it, and belvo-check commands run against it."""
from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

from tests.conftest import ROOT

HERE = Path(__file__).resolve().parent
# Chosen so every encoding differs from the value: '/', '+', '@', ' ', '?', non-ASCII, and bytes
# ("?>?", "~~~") whose base64 holds '/' and '+', so standard and URL-safe base64 differ too.
SECRET_ID = "hostile-id-" + secrets.token_hex(8)
SECRET_PASSWORD = "p@ss/wörd+?>?~~~ " + secrets.token_hex(6)
AUTHORIZATION = "Token Hostile-" + secrets.token_hex(8)
# Variables that would change how belvo-check renders: each test sets what it means to test.
RENDERING = ("FORCE_COLOR", "NO_COLOR", "CI", "COLUMNS", "LINES", "TERM")


def every_form() -> dict[str, tuple[str, bool]]:
    """name -> (text, compare case-insensitively): every shape of every key that must never be shown."""
    forms: dict[str, tuple[str, bool]] = {}
    pair = f"{SECRET_ID}:{SECRET_PASSWORD}"
    for name, value in (("id", SECRET_ID), ("password", SECRET_PASSWORD), ("pair", pair),
                        ("authorization", AUTHORIZATION), ("auth-credential", AUTHORIZATION.split(" ", 1)[1])):
        raw = value.encode()
        forms[name] = (value, name.startswith("auth"))
        for kind, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
            forms[f"{name}-{kind}"] = (encode(raw).decode(), False)
            forms[f"{name}-{kind}-unpadded"] = (encode(raw).decode().rstrip("="), False)
            for offset in (1, 2):  # inside a longer base64 text: what depends on the value alone
                inner = encode(b"x" * offset + raw + b"yyy").decode()
                forms[f"{name}-{kind}-at-{offset}"] = (inner[4: 4 * ((offset + len(raw)) // 3)], False)
        forms[f"{name}-hex"] = (raw.hex(), True)
        forms[f"{name}-json"] = (json.dumps(value)[1:-1], False)
        for kind, encoded in (("quote", quote(value, safe="")), ("quote-path", quote(value)),
                              ("quote-plus", quote_plus(value))):
            forms[f"{name}-{kind}"] = (encoded, False)
    basic = base64.b64encode(pair.encode()).decode()
    forms["basic-header"] = (f"Basic {basic}", True)
    forms["basic-header-unpadded"] = (f"Basic {basic.rstrip('=')}", True)
    return forms


def leaked(text: str) -> list[str]:
    lowered = text.lower()
    return [name for name, (form, fold) in every_form().items() if (form.lower() in lowered if fold else form in text)]


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


def run_printer(tmp_path: Path, *argv: str, leak: str = "", escapes: bool = False, env: dict | None = None,
                **popen) -> subprocess.CompletedProcess:
    """`belvo-check ARGV -c <the printer's config>`; HOSTILE_LEAK / HOSTILE_ESCAPES pick what the
    printer prints. Extra keyword arguments go to subprocess.run (e.g. stdout=<a pty>)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_") and k not in RENDERING}
    full_env.update(HOSTILE_SECRET_ID=SECRET_ID, HOSTILE_SECRET_PASSWORD=SECRET_PASSWORD,
                    HOSTILE_WEBHOOK_AUTH=AUTHORIZATION, HOSTILE_LEAK=leak, HOSTILE_ESCAPES="1" if escapes else "",
                    **(env or {}))
    if "stdout" in popen:
        popen.setdefault("stderr", subprocess.PIPE)
    else:
        popen["capture_output"] = True
    return subprocess.run([sys.executable, "-m", "belvo_check", *argv, "-c", str(write_config(tmp_path))],
                          cwd=ROOT, env=full_env, text=True, timeout=180, **popen)


def run_blv704(tmp_path: Path, *args: str, **options) -> subprocess.CompletedProcess:
    """`belvo-check run --select BLV704 ARGS` against the printer."""
    return run_printer(tmp_path, "run", "--select", "BLV704", *args, **options)
