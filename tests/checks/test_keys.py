"""Section 7 checks (BLV701-BLV704): the config, recorded live calls, and recorded drill output."""

from __future__ import annotations

import base64

import pytest

from belvo_check.harness.drills import ERRORS_401, PLAIN, WIDGET
from belvo_check.model import Status
from tests.checks.recorded import Keys, RecordedHarness, call, decided_by_source, flow, live_calls, outcome, run_check

KEYS = "belvo:\n  base_url: %s\n  secret_id: ${T_BELVO_ID}\n  secret_password: ${T_BELVO_PASSWORD}\n"


def test_blv701_passes_the_production_api_and_fails_sandbox_or_a_look_alike(tmp_path):
    assert run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://api.belvo.com}\n").status \
        is Status.PASS
    sandbox = run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://sandbox.belvo.com}\n")
    assert sandbox.status is Status.FAIL and "pointed at Belvo sandbox" in sandbox.findings[0].message
    look_alike = run_check("BLV701", tmp_path, config_body="belvo: {base_url: https://api.belvo.co}\n")
    assert look_alike.status is Status.FAIL


def test_blv702_skips_unset_keys_and_passes_two_variables(tmp_path, monkeypatch):
    body = KEYS % "https://api.belvo.com"
    result = run_check("BLV702", tmp_path, config_body=body)
    assert result.status is Status.SKIP and "T_BELVO_ID" in result.findings[0].message
    monkeypatch.setenv("T_BELVO_ID", "sid-4f1c9a7e2b")
    monkeypatch.setenv("T_BELVO_PASSWORD", "spw-9d3e7b1a6c5f")
    assert run_check("BLV702", tmp_path, config_body=body).status is Status.PASS


def test_blv703_judges_the_live_answers_and_skips_without_live(tmp_path):
    assert run_check("BLV703", tmp_path, with_live=True, live=live_calls(200, 200)).status is Status.PASS
    rejected = run_check("BLV703", tmp_path, with_live=True, live=live_calls(401, 200))
    assert rejected.status is Status.FAIL and "rejected the keys with 401" in rejected.findings[0].message
    unreachable = run_check("BLV703", tmp_path, with_live=True, live=live_calls(None))
    assert unreachable.status is Status.FAIL and "could not be reached" in unreachable.findings[0].message
    offline = run_check("BLV703", tmp_path, live=live_calls(200, 200))
    assert offline.status is Status.SKIP and "--live" in offline.findings[0].hint


def _output(drill, stdout: str) -> object:
    flows = [flow(f, i, started=i, ended=i + 0.5, stdout=stdout if i == 0 else "") for i, f in enumerate(drill.flows)]
    return outcome(drill, flows, [call("POST", "/api/links/", 201, at=0.2)])


def _blv704(leak: str = "") -> RecordedHarness:
    return RecordedHarness({"plain": _output(PLAIN, leak or "synced 3 transactions"),
                            "errors-401": _output(ERRORS_401, "belvo 401 request_id=abc"),
                            "widget": _output(WIDGET, "token issued")})


def test_blv704_passes_clean_output_naming_what_was_searched(tmp_path):
    result = run_check("BLV704", tmp_path, harness=_blv704())
    assert result.status is Status.PASS
    assert "plain (" in result.findings[0].evidence and "errors-401 (" in result.findings[0].evidence


def test_blv704_finds_a_key_in_any_encoding_and_never_shows_it(tmp_path):
    keys = Keys()
    basic = base64.b64encode(f"{keys.secret_id}:{keys.secret_password}".encode()).decode()
    result = run_check("BLV704", tmp_path, harness=_blv704(f"DEBUG headers: Authorization: Basic {basic}"))
    assert result.status is Status.FAIL and "stdout of create_link (step 1) (drill plain)" in result.findings[0].message
    shown = f"{result.findings[0].message}\n{result.findings[0].evidence}"
    assert keys.secret_password not in shown and basic not in shown


def test_blv704_judges_only_drills_whose_flows_exist(tmp_path):
    harness = _blv704()
    harness.flows = ("widget_token",)
    assert run_check("BLV704", tmp_path, harness=harness).status is Status.PASS and harness.asked == ["widget"]


# ---- The source's evidence (real scans of small trees, several languages) ----

import json
import subprocess
import textwrap

from belvo_check.source.history import history_evidence
from tests.conftest import run_cli

PASSWORD = "Qw8eRt5yUi2oPa7sDf4g"  # looks like a key, used in no other test
KEY_ID = "f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
BASIC = base64.b64encode(f"{KEY_ID}:{PASSWORD}".encode()).decode()
SOURCE = "source: {root: repo%s}\n"


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / "repo" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path / "repo"


def _static(check_id, tmp_path, files, extra_source="", config=""):
    _tree(tmp_path, files)
    return run_check(check_id, tmp_path, config_body=config + SOURCE % extra_source)


def _at(result, status=None) -> dict[str, Status]:
    """'path:line:col' (relative to the tree) -> status of each located finding."""
    return {str(f.location).split("/repo/", 1)[1]: f.status for f in result.findings
            if f.location and "/repo/" in str(f.location) and (status is None or f.status is status)}


def test_blv701_config_right_but_code_falling_back_to_sandbox_is_a_warning_the_source_decides(tmp_path):
    result = _static("BLV701", tmp_path, {"app/settings.py": """\
        import os
        BELVO_URL = os.environ.get("BELVO_API_URL", "https://sandbox.belvo.com")
        """}, config="belvo: {base_url: https://api.belvo.com}\n")
    assert result.status is Status.WARN and result.decided_by == ("source",)
    assert _at(result) == {"app/settings.py:2:16": Status.WARN}
    # The config's own verdict stays, and nothing the source decided blames belvo.base_url.
    assert any(f.status is Status.PASS and "api.belvo.com" in f.message for f in result.findings)
    [warning] = [f for f in result.findings if f.status is Status.WARN]
    assert "base_url" not in warning.message and "base_url" not in (warning.hint or "").split("set it")[0]
    from belvo_check.registry import load_registry
    assert "belvo.base_url" not in load_registry().get("BLV701").meta.failure_title


def test_blv701_reads_hosts_in_code_and_deploy_files_of_every_language(tmp_path):
    result = _static("BLV701", tmp_path, {
        "config/belvo.json": '{\n  "belvo": {"url": "https://api.belvo.co"}\n}\n',
        "deploy/docker-compose.prod.yml": "services:\n  api:\n    environment:\n"
                                          "      BELVO_URL: https://sandbox.belvo.com\n",
        "cmd/belvo.go": 'package main\n\nconst base = "https://sandbox.belvo.com"\n',
        "src/Belvo.java": 'class Belvo {\n  String env = System.getenv().getOrDefault("BELVO_ENV", "sandbox");\n}\n',
        "lib/belvo.rb": "client = Belvo::Client.new(ENV['ID'], ENV['PW'], 'sandbox')\n",
        "tests/test_belvo.py": 'SANDBOX = "https://sandbox.belvo.com"\n',  # on purpose in a test: nothing
        "terraform.tfvars": 'belvo_url = "https://production.belvo.com"\n',
    }, config="belvo: {base_url: https://api.belvo.com}\n")
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    found = _at(result)
    assert found["config/belvo.json:2:29"] is Status.FAIL  # a look-alike
    assert found["deploy/docker-compose.prod.yml:4:26"] is Status.FAIL  # sandbox in a production file
    assert found["cmd/belvo.go:3:23"] is Status.FAIL  # sandbox hard-coded
    assert found["terraform.tfvars:1:22"] is Status.FAIL  # a look-alike
    assert found["lib/belvo.rb:1:10"] is Status.FAIL  # the SDK fixed to sandbox
    assert found["src/Belvo.java:2:32"] is Status.WARN  # falls back to sandbox when unset
    assert not [k for k in found if "tests/" in k]


def test_blv701_a_code_only_pass_is_decided_by_source_and_names_the_config(tmp_path):
    result = _static("BLV701", tmp_path, {".env.production": "BELVO_API_URL=https://api.belvo.com\n"})
    decided_by_source(result, "base_url")


def test_blv705_fails_literal_secrets_in_each_language_and_passes_placeholders_and_env_reads(tmp_path):
    result = _static("BLV705", tmp_path, {
        "app/belvo_client.py": f'from belvo.client import Client\nclient = Client("{KEY_ID}", "{PASSWORD}", URL)\n',
        "server/belvo.js": f"const belvo = require('belvo');\nconst BELVO_SECRET_PASSWORD = '{PASSWORD}';\n",
        "belvo/keys.go": f'package belvo\n\nvar BelvoSecretPassword = "{PASSWORD}"\n',
        "src/Keys.java": f'class Keys {{\n  static final String BELVO_SECRET_PASSWORD = "{PASSWORD}";\n}}\n',
        "config/belvo.rb": f"BELVO_SECRET_PASSWORD = '{PASSWORD}'\n",
        "src/keys.php": f"<?php\nreturn ['belvo_secret_password' => '{PASSWORD}'];\n",
        "Belvo/Keys.cs": f'class Keys {{ const string BelvoSecretPassword = "{PASSWORD}"; }}\n',
        "lib/http.py": f'import requests\nBELVO = "https://api.belvo.com"\nH = {{"Authorization": "Basic {BASIC}"}}\n',
        ".env.local": f"BELVO_SECRET_PASSWORD={PASSWORD}\n",
        "docs/setup.md": f"Set `BELVO_SECRET_PASSWORD={PASSWORD}` in belvo's dashboard.\n",
        "tests/test_keys.py": f'BELVO_SECRET_PASSWORD = "{PASSWORD}"\n',  # a test: a warning only
    })
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    found = _at(result)
    for place in ("app/belvo_client.py:2:", "server/belvo.js:2:", "belvo/keys.go:3:", "src/Keys.java:2:",
                  "config/belvo.rb:1:", "src/keys.php:2:", "Belvo/Keys.cs:1:", "lib/http.py:3:", ".env.local:1:",
                  "docs/setup.md:1:"):
        assert {s for k, s in found.items() if k.startswith(place)} == {Status.FAIL}, place  # the SDK's id too
    assert found["tests/test_keys.py:1:26"] is Status.WARN
    assert all(PASSWORD not in f"{f.message}{f.evidence}" and BASIC not in f"{f.message}{f.evidence}"
               for f in result.findings)

    clean = _static("BLV705", tmp_path / "clean", {
        "app/settings.py": "import os\nBELVO_SECRET_PASSWORD = os.environ['BELVO_SECRET_PASSWORD']\n",
        ".env.example": "BELVO_SECRET_ID=your_secret_id\nBELVO_SECRET_PASSWORD=<SECRET>\n",
        "config/belvo.rb": "BELVO_SECRET_PASSWORD = 'xxxxxxxxxxxx'\n",
    })
    assert clean.status is Status.PASS and clean.decided_by == ("source",)
    assert "3 files" in clean.findings[0].message


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   check=True, capture_output=True)


def test_blv706_finds_a_secret_removed_from_the_tree_in_history_once_by_fingerprint(tmp_path):
    root = _tree(tmp_path, {"app/settings.py": f'import os\nBELVO_SECRET_PASSWORD = "{PASSWORD}"\n'})
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "keys")
    (root / "app/settings.py").write_text('import os\nBELVO_SECRET_PASSWORD = os.environ["BELVO_SECRET_PASSWORD"]\n')
    (root / "app/other.py").write_text(f'BELVO_SECRET_PASSWORD = "{PASSWORD}"  # again\n')
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "from the environment")
    result = run_check("BLV706", tmp_path, config_body=SOURCE % "")
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert _at(result) == {"app/settings.py:2:26": Status.FAIL}  # first added there, one finding per secret
    assert "and 1 later commit" in result.findings[0].message and PASSWORD not in result.findings[0].evidence
    # The tree itself is clean of it in settings.py; BLV705 still sees the copy in other.py.
    assert "app/other.py:1:26" in _at(run_check("BLV705", tmp_path, config_body=SOURCE % ""))

    off = run_check("BLV706", tmp_path, config_body=SOURCE % ", history: false")
    assert off.status is Status.SKIP and "source.history is false" in off.findings[0].message


def test_blv706_passes_a_clean_history_and_skips_saying_why_it_could_not_read_one(tmp_path):
    root = _tree(tmp_path, {"app/settings.py": "import os\nBELVO_URL = os.environ['BELVO_URL']\n"})
    not_git = run_check("BLV706", tmp_path, config_body=SOURCE % "")
    assert not_git.status is Status.SKIP and "not a git repository" in not_git.findings[0].message
    _, why = history_evidence(root, git=str(tmp_path / "no-git-here"))
    assert "git is not installed" in why[0]
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "clean")
    # A folder inside the repository (a monorepo) is judged on the history of its own files.
    (root / "sub").mkdir()
    (root / "sub" / "belvo.py").write_text("import os\nBELVO_URL = os.environ['BELVO_URL']\n")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "sub")
    clean = run_check("BLV706", tmp_path, config_body="source: {root: repo/sub}\n")
    assert clean.status is Status.PASS and "commits" in clean.findings[0].message
    found, why = history_evidence(root)
    assert why is None and [f.verdict for f in found] == ["ok"] and "2 commits" in found[0].message


def test_blv707_front_end_secrets_and_token_minting_fail_and_only_a_configured_front_end_passes(tmp_path):
    frontend = ', frontend: ["web/**"]'
    result = _static("BLV707", tmp_path, {
        "web/src/link.ts": "export async function token() {\n"
                           "  return fetch('https://api.belvo.com/api/token/', {method: 'POST'});\n}\n",
        "web/.env": "NEXT_PUBLIC_BELVO_SECRET_PASSWORD=abc\n",
        "server/app.py": "import os\nBELVO = os.environ['BELVO_URL']\n",
    }, extra_source=frontend)
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    found = _at(result)
    assert found["web/src/link.ts:2:38"] is Status.FAIL and found["web/.env:1:1"] is Status.FAIL

    clean = {"web/src/app.tsx": "export const App = () => <div>belvo widget</div>;\n",
             "server/token.py": "import os, requests\nBELVO = os.environ['BELVO_URL']\n"}
    configured = _static("BLV707", tmp_path / "a", clean, extra_source=frontend)
    assert configured.status is Status.PASS and "1 front-end files" in configured.findings[0].message
    # Without source.frontend, finding nothing in what merely looks like front-end code proves nothing.
    unset = _static("BLV707", tmp_path / "b", clean)
    assert unset.status is Status.SKIP and "source.frontend is not configured" in unset.findings[0].message


def test_blv708_tls_verification_off_in_several_languages(tmp_path):
    result = _static("BLV708", tmp_path, {
        "app/belvo.py": 'import requests\nBELVO = "https://api.belvo.com"\nr = requests.get(BELVO, verify=False)\n',
        "server/belvo.js": "const https = require('https');\nconst belvo = new https.Agent({ rejectUnauthorized: false });\n",
        "util/http.go": "package util\n\nvar c = &tls.Config{InsecureSkipVerify: true}\n",  # no Belvo here: a warning
        "src/Belvo.cs": "// belvo\nhandler.ServerCertificateCustomValidationCallback = (a, b, c, d) => true;\n",
        "tests/test_http.py": "import requests\nrequests.get('https://localhost', verify=False)\n",  # tests: nothing
    })
    assert result.status is Status.FAIL and result.decided_by == ("source",)
    assert _at(result) == {"app/belvo.py:3:25": Status.FAIL, "server/belvo.js:2:33": Status.FAIL,
                           "util/http.go:3:21": Status.WARN, "src/Belvo.cs:2:9": Status.FAIL}
    clean = _static("BLV708", tmp_path / "clean", {"app/belvo.py": 'import requests\nBELVO = "https://api.belvo.com"\n'
                                                                   "requests.get(BELVO, timeout=5)\n"})
    assert clean.status is Status.PASS and clean.decided_by == ("source",)
    # A clean scan of a tree with no Belvo code proves nothing: source.root may be the wrong folder.
    elsewhere = _static("BLV708", tmp_path / "elsewhere", {"app/http.py": "import requests\nrequests.get(URL, timeout=5)\n"})
    assert elsewhere.status is Status.SKIP and "mentions Belvo" in elsewhere.findings[0].message


def test_an_inline_suppression_with_a_reason_silences_a_static_finding(tmp_path):
    _tree(tmp_path, {"app/dev.py": "import requests  # belvo\n"
                                   "# belvo-check: ignore[BLV708] local proxy with a self-signed cert, dev only\n"
                                   "requests.get('https://localhost:8443', verify=False)\n"})
    (tmp_path / "belvo-check.yaml").write_text("version: 1\nenvironment: production\n" + SOURCE % "")
    done = run_cli("run", "--select", "BLV708", "--format", "json", cwd=tmp_path)
    [tls] = json.loads(done.stdout)["results"]
    assert [f["status"] for f in tls["findings"]] == ["ignored"] and "self-signed" in tls["findings"][0]["suppression"]["why"]


def test_no_report_format_ever_holds_a_secret_value(tmp_path):
    root = _tree(tmp_path, {
        "app/belvo_client.py": f'from belvo.client import Client\nclient = Client("{KEY_ID}", "{PASSWORD}", "sandbox")\n',
        "lib/http.py": f'import requests\nBELVO = "https://api.belvo.com"\nH = {{"Authorization": "Basic {BASIC}"}}\n',
        "web/.env": f"NEXT_PUBLIC_BELVO_SECRET_PASSWORD={PASSWORD}\n",
    })
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "leak")
    (tmp_path / "belvo-check.yaml").write_text("version: 1\nenvironment: production\n"
                                               'source: {root: repo, frontend: ["web/**"]}\n')
    formats = ["json", "sarif", "junit", "gitlab", "markdown", "html"]
    done = run_cli("run", "--select", "keys", "--format", "rich", "--format", "github",
                   *[a for f in formats for a in ("--format", f"{f}={tmp_path / ('out.' + f)}")], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    outputs = [done.stdout, done.stderr] + [(tmp_path / f"out.{f}").read_text() for f in formats]
    assert "BLV705" in outputs[2] and "BLV706" in outputs[2] and "sha256:" in outputs[2]
    for text in outputs:
        assert PASSWORD not in text and BASIC not in text and KEY_ID not in text


def test_blv706_in_a_monorepo_reads_the_history_of_the_integrations_folder_only(tmp_path):
    root = _tree(tmp_path, {"payments/app/settings.py": f'BELVO_SECRET_PASSWORD = "{PASSWORD}"\n',
                            "other-team/notes.py": f'BELVO_SECRET_PASSWORD = "{PASSWORD}x"\n'})
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "both")
    (root / "payments/app/settings.py").write_text('import os\nBELVO_SECRET_PASSWORD = os.environ["BELVO_KEY"]\n')
    _git(root, "commit", "-qam", "from the environment")
    result = run_check("BLV706", tmp_path, config_body="source: {root: repo/payments}\n")
    # Paths are shown from source.root like every finding; the other team's folder is not this integration's.
    assert result.status is Status.FAIL and _at(result) == {"payments/app/settings.py:1:26": Status.FAIL}


def test_blv701_hosts_named_in_help_text_and_log_messages_are_prose_not_base_urls(tmp_path):
    result = _static("BLV701", tmp_path, {"app/cli.py": '''\
        import os
        HELP = """environment:
          BELVO_API_URL   Belvo API base URL (default https://sandbox.belvo.com;
                          production is https://api.belvo.com)
        """
        parser_help = "point BELVO_API_URL at https://sandbox.belvo.com while developing"
        BASE = os.environ["BELVO_API_URL"]
        SANDBOX = "https://sandbox.belvo.com"
        '''})
    # Only the literal that is a URL counts: the help text and the message around a URL do not.
    assert {at.split(":")[1] for at in _at(result)} == {"8"}, _at(result)


PROFILE_TABLES = {
    "app/settings.py": """\
        import os
        import requests

        BELVO_HOSTS = {
            "production": "https://api.belvo.com",
            "sandbox": "https://sandbox.belvo.com",
        }
        BASE_URL = BELVO_HOSTS[os.environ["BELVO_ENV"]]

        def accounts(link):
            return requests.get(BASE_URL + "/api/accounts/", params={"link": link}, timeout=10)
        """,
    "web/belvo.js": """\
        const axios = require('axios');
        const base = { production: 'https://api.belvo.com', sandbox: 'https://sandbox.belvo.com' }[process.env.APP_ENV];
        module.exports.links = () => axios.get(`${base}/api/links/`, { timeout: 5000 });
        """,
    "src/config.rb": """\
        BELVO = { 'production' => 'https://api.belvo.com', 'sandbox' => 'https://sandbox.belvo.com' }.fetch(ENV['APP_ENV'])
        """,
}


@pytest.mark.parametrize("path", sorted(PROFILE_TABLES))
def test_blv701_a_host_chosen_by_environment_from_a_profile_table_passes(tmp_path, path):
    result = _static("BLV701", tmp_path, {path: PROFILE_TABLES[path]})
    assert result.status is Status.PASS, result.findings
    assert set(_at(result).values()) == {Status.PASS}


@pytest.mark.parametrize("text, where", [
    # the production entry of the table is sandbox's host: production would call sandbox
    ("const base = { production: 'https://sandbox.belvo.com', sandbox: 'https://sandbox.belvo.com' }"
     "[process.env.APP_ENV];\nmodule.exports.get = () => fetch(`${base}/api/links/`);\n", "web/belvo.js:1:37"),
    # a table, but the client is built with a hard-coded sandbox host beside it
    ("const HOSTS = { production: 'https://api.belvo.com', sandbox: 'https://sandbox.belvo.com' };\n"
     "const client = axios.create({ baseURL: 'https://sandbox.belvo.com' });\n", "web/belvo.js:2:49"),
    # one hard-coded sandbox host, no table: as before
    ("const base = 'https://sandbox.belvo.com';\nmodule.exports.get = () => fetch(`${base}/api/links/`);\n",
     "web/belvo.js:1:23"),
])
def test_blv701_a_sandbox_host_used_for_production_still_fails(tmp_path, text, where):
    result = _static("BLV701", tmp_path, {"web/belvo.js": text})
    assert result.status is Status.FAIL and _at(result, Status.FAIL).get(where) is Status.FAIL, result.findings
