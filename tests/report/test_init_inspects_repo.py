"""`belvo-check init` on a real (small) repository: what it finds, what it never copies, and that
the config it writes is valid and runs real checks."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import textwrap

import yaml

from belvo_check.init import Answers, inspect, write_config
from reporttest import drain
from tests.conftest import run_cli

SECRET_VALUE = "live-pw-9c1f7e2ab04d"


def make_repo(root):
    (root / "src").mkdir()
    (root / "package.json").write_text(json.dumps({
        "name": "fintech", "dependencies": {"belvo": "^0.28.0", "express": "^4"},
        "scripts": {"sync": "node src/sync.js", "serve": "node src/server.js"}}))
    (root / "src" / "server.js").write_text(textwrap.dedent("""\
        const belvo = require('belvo');
        const base = process.env.BELVO_BASE_URL || 'https://sandbox.belvo.com';
        const client = new belvo.default(process.env.BELVO_KEY_ID, process.env.BELVO_KEY_PASSWORD, base);
        app.post('/api/webhooks/belvo', (req, res) => {
          if (req.headers.authorization !== process.env.BELVO_WEBHOOK_SECRET) return res.sendStatus(401);
        });
        """))
    (root / ".env").write_text(f"BELVO_KEY_ID=id-123456\nBELVO_KEY_PASSWORD={SECRET_VALUE}\n")
    (root / "node_modules" / "belvo").mkdir(parents=True)  # vendored code is never read
    (root / "node_modules" / "belvo" / "index.js").write_text("process.env.BELVO_VENDORED_URL\n")


def test_inspect_finds_the_sdk_variables_routes_and_commands(tmp_path):
    make_repo(tmp_path)
    found = inspect(tmp_path)
    assert found.languages == {"JavaScript": 1}
    assert found.sdks["belvo (npm)"] == "package.json"
    assert found.hosts == {"sandbox.belvo.com": "src/server.js:2"}
    assert {"BELVO_BASE_URL", "BELVO_KEY_ID", "BELVO_KEY_PASSWORD", "BELVO_WEBHOOK_SECRET"} <= set(found.env_names)
    assert "BELVO_VENDORED_URL" not in found.env_names
    assert found.routes == {"/api/webhooks/belvo": "src/server.js:4"}
    assert ("npm run sync", "package.json scripts") in found.commands
    assert found.env_files == [".env"]


def test_the_written_config_uses_what_was_found_never_a_value_and_runs(tmp_path):
    make_repo(tmp_path)
    config = tmp_path / "belvo-check.yaml"
    write_config(config, tmp_path, Answers("production", webhook_production="https://fintech.example.mx/hooks"))
    text = config.read_text()
    assert SECRET_VALUE not in text and "id-123456" not in text
    assert text.startswith("# yaml-language-server: $schema=")
    data = yaml.safe_load(text)
    assert data["belvo"] == {"base_url": "https://api.belvo.com", "secret_id": "${BELVO_KEY_ID}",
                             "secret_password": "${BELVO_KEY_PASSWORD}"}
    assert data["webhooks"]["urls"] == {"production": "https://fintech.example.mx/hooks"}
    assert "#     BELVO_BASE_URL: \"{sim_url}\"   # the base-URL variable read in src/server.js:2" in text
    assert "probe_url: http://127.0.0.1:{receiver_port}/api/webhooks/belvo" in text
    assert "npm run serve" in text

    ran = run_cli("run", "-c", str(config), "--format", "json", cwd=tmp_path,
                  env={"BELVO_KEY_ID": "id-123456", "BELVO_KEY_PASSWORD": SECRET_VALUE})
    assert ran.returncode in (1, 4), ran.stderr  # an untouched init config is never READY
    assert json.loads(ran.stdout)["verdict"] != "ready"
    report = {r["id"]: r for r in json.loads(ran.stdout)["results"]}
    results = {check: r["status"] for check, r in report.items()}
    assert results["BLV702"] == "pass"  # real checks ran on what init wrote
    # The config's base URL is right, but the code falls back to sandbox when the variable is unset:
    # the source scan that init's `source:` enables decides BLV701.
    assert results["BLV701"] == "warn" and report["BLV701"]["decided_by"] == ["source"]
    assert any(f["location"] and f["location"]["path"].endswith("src/server.js") and f["location"]["line"] == 2
               for f in report["BLV701"]["findings"] if f["status"] == "warn")
    assert results["BLV401"] == "warn"  # no sandbox URL was given
    assert SECRET_VALUE not in ran.stdout + ran.stderr


def test_on_a_terminal_init_asks_only_for_what_it_did_not_find(tmp_path):
    make_repo(tmp_path)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    child = subprocess.Popen([sys.executable, "-m", "belvo_check", "init", "--webhook-url-sandbox",
                              "https://staging.fintech.example.mx/hooks"], cwd=tmp_path, stdin=slave, stdout=slave,
                             stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    while b"Production webhook URL" not in seen:  # the one thing neither the repository nor a flag gave
        chunk = os.read(master, 4096)
        assert chunk, seen
        seen += chunk
    os.write(master, b"https://fintech.example.mx/hooks\n")
    seen += drain(master)
    assert child.wait(timeout=60) == 0, seen
    assert b"Sandbox webhook URL" not in seen  # given as a flag: not asked
    urls = yaml.safe_load((tmp_path / "belvo-check.yaml").read_text())["webhooks"]["urls"]
    assert urls == {"sandbox": "https://staging.fintech.example.mx/hooks", "production": "https://fintech.example.mx/hooks"}
