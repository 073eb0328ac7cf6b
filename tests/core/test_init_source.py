"""`belvo-check init` writes a `source:` section the static checks read at once: the repository root
relative to the config, and the folders whose package.json names a front-end framework (without the
server code such a framework keeps there). What it writes validates, and an untouched run is never READY."""

from __future__ import annotations

import json
import textwrap

import yaml

from belvo_check.config import load_config
from belvo_check.source import from_config
from tests.conftest import run_cli

MINT = textwrap.dedent("""\
    export async function widgetToken() {{
      const r = await fetch("https://sandbox.belvo.com/api/token/", {{method: "POST",
        body: JSON.stringify({{id: {env}_BELVO_SECRET_ID, password: {env}_BELVO_SECRET_PASSWORD}})}});
      return r.json();
    }}
    """)


def make_repo(root):
    """A back end, a Vite/React front end (minting the widget token with keys it ships: a real defect)
    holding a Vue package of its own, and a Next.js site whose API route mints the token server side."""
    files = {
        "server/app.py": "import os\nfrom belvo.client import Client\n"
                         "client = Client(os.environ['BELVO_SECRET_ID'], os.environ['BELVO_SECRET_PASSWORD'])\n",
        "web/package.json": json.dumps({"dependencies": {"react": "^18"}, "devDependencies": {"vite": "^5"}}),
        "web/src/belvo.js": MINT.format(env="import.meta.env.VITE"),
        "web/widgets/package.json": json.dumps({"dependencies": {"vue": "^3"}}),
        "site/package.json": json.dumps({"dependencies": {"next": "14.2.0", "react": "^18"}}),
        "site/pages/index.js": "export default function Home() { return null; }\n",
        "site/pages/api/token.js": MINT.format(env="process.env"),
        "tools/package.json": json.dumps({"dependencies": {"express": "^4"}}),  # no front end
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_init_marks_front_end_folders_without_their_server_code_and_is_never_ready(tmp_path):
    make_repo(tmp_path)
    assert run_cli("init", "--yes", cwd=tmp_path).returncode == 0
    config = tmp_path / "belvo-check.yaml"
    validated = run_cli("config", "validate", "-c", str(config), cwd=tmp_path)
    assert validated.returncode == 0 and "valid" in validated.stdout, validated.stderr
    source = yaml.safe_load(config.read_text())["source"]
    assert source["root"] == "."
    assert source["frontend"][0] == "site/**" and "!site/pages/api/**" in source["frontend"]
    assert source["frontend"][-1] == "web/**"  # web/widgets is inside it: no second glob
    assert not any(glob.startswith(("tools", "server", "!web")) for glob in source["frontend"])
    assert "# web/package.json: react, vite" in config.read_text()

    # As belvo-check reads the globs: the key-shipping front end is flagged, the Next API route is not.
    flagged = {f.path for f in from_config(load_config(config)).of("secret_frontend")}
    assert flagged == {"web/src/belvo.js"}

    ran = run_cli("run", "-c", str(config), "--format", "json", cwd=tmp_path)
    assert ran.returncode != 0 and json.loads(ran.stdout)["verdict"] != "ready", ran.stderr


def test_a_front_end_at_the_root_is_only_pointed_out(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"next": "14", "react": "18"}}))
    assert run_cli("init", "--yes", cwd=tmp_path).returncode == 0
    text = (tmp_path / "belvo-check.yaml").read_text()
    # Marking the whole tree front end would put the back end's keys in the browser: the user says which.
    assert yaml.safe_load(text)["source"] == {"root": "."}
    assert "# frontend: [\"web/**\"]         # the root package.json names react, next: list the folders" in text


def test_the_source_root_is_the_repository_relative_to_the_config(tmp_path):
    make_repo(tmp_path)
    (tmp_path / "ops").mkdir()
    assert run_cli("init", "ops/belvo-check.yaml", "--root", ".", "--yes", cwd=tmp_path).returncode == 0
    config = tmp_path / "ops" / "belvo-check.yaml"
    assert yaml.safe_load(config.read_text())["source"]["root"] == ".."
    assert run_cli("config", "validate", "-c", str(config)).returncode == 0  # from anywhere
    assert {f.path for f in from_config(load_config(config)).of("secret_frontend")} == {"web/src/belvo.js"}


def test_init_names_every_belvo_host_the_code_calls_legacy_ones_too(tmp_path):
    from belvo_check.init import inspect

    (tmp_path / "api.js").write_text("const API = 'https://API.belvo.co';\n"
                                     "const SANDBOX = 'https://sandbox.belvo.com/api/';\n"
                                     "const DOCS = 'https://developers.belvo.com/docs';\n")
    found = inspect(tmp_path)
    assert found.hosts == {"api.belvo.co": "api.js:1", "sandbox.belvo.com": "api.js:2"}
