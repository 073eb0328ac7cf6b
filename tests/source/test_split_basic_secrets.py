"""Basic-auth credentials written as separate parts: a scheme beside a base64 value, two literals given to a
Basic-auth helper or option, a literal "id:password" encoded at run time, a password in a Belvo URL. The tree
scan and the history scan (line by line) both see them; placeholders and values read from the environment never count."""

from __future__ import annotations

import base64
import subprocess

import pytest

from belvo_check.secrets import fingerprint
from belvo_check.source import scan, scan_history

KEY_ID = "9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f"  # made up, random-looking
PASSWORD = "Lq7Zt2Xv9Rk4Wm8Np3Hs6Jd"
ENCODED = base64.b64encode(f"{KEY_ID}:{PASSWORD}".encode()).decode()

LEAKS = {
    "Sync/Belvo.cs": f'// Belvo client\nvar h = new AuthenticationHeaderValue(\n    "Basic", "{ENCODED}");\n',
    "src/BelvoAuth.java": f'// Belvo\nString h = "Basic " + "{ENCODED}";\n',
    "src/BelvoEncoded.java": '// Belvo\nString h = "Basic " + Base64.getEncoder()'
                             f'.encodeToString("{KEY_ID}:{PASSWORD}".getBytes());\n',
    "belvo/auth.go": f'package belvo\n\nfunc sign(r *http.Request) {{ r.SetBasicAuth("{KEY_ID}", "{PASSWORD}") }}\n',
    "belvo_client.py": f'import requests\nBELVO = "https://api.belvo.com"\nAUTH = HTTPBasicAuth("{KEY_ID}", "{PASSWORD}")\n',
    "belvo_sync.py": f'import requests\n\ndef go(url):  # Belvo\n    return requests.get(url, auth=("{KEY_ID}", "{PASSWORD}"))\n',
    "belvo.js": f"// Belvo\nconst http = axios.create({{\n  auth: {{\n    username: '{KEY_ID}',\n"
                f"    password: '{PASSWORD}',\n  }},\n}});\n",
    "app/Belvo.php": f"<?php // Belvo\n$http = new Client(['auth' => ['{KEY_ID}', '{PASSWORD}']]);\n",
    "lib/belvo.rb": f"# Belvo\nconn.request :authorization, :basic, '{KEY_ID}', '{PASSWORD}'\n",
    "belvo_url.py": f'URL = "https://{KEY_ID}:{PASSWORD}@sandbox.belvo.com/api/"\n',
}
# Where each leak is reported (line of the value), and which the history scan (one line at a time) sees.
WHERE = {"Sync/Belvo.cs": 3, "src/BelvoAuth.java": 2, "src/BelvoEncoded.java": 2, "belvo/auth.go": 3,
         "belvo_client.py": 3, "belvo_sync.py": 4, "belvo.js": 5, "app/Belvo.php": 2, "lib/belvo.rb": 2,
         "belvo_url.py": 1}
ONE_LINE = set(WHERE) - {"belvo.js"}  # the axios options span four lines: a diff line shows only the password

CLEAN = {
    "Clean/Belvo.cs": '// Belvo\nvar h = new AuthenticationHeaderValue("Basic", Convert.ToBase64String('
                      'Encoding.UTF8.GetBytes($"{id}:{password}")));\n',
    "belvo/clean.go": 'package belvo\n\nfunc sign(r *http.Request) { r.SetBasicAuth(os.Getenv("BELVO_SECRET_ID"), '
                      'os.Getenv("BELVO_SECRET_PASSWORD")) }\n',
    "belvo_placeholder.py": 'import requests  # Belvo\nAUTH = ("your-secret-id", "your-secret-password")\n'
                            'x = requests.get(u, auth=("<secret id>", "<secret password>"))\n',
    "belvo_template.js": "// Belvo\nconst h = 'Basic ' + btoa(`${id}:${password}`);\n"
                        "const u = 'Basic ' + Buffer.from('user:pass').toString('base64');\n",
    "unrelated.py": f'import requests\nAUTH = HTTPBasicAuth("{KEY_ID}", "{PASSWORD}")  # another service\n',
}


def write(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_tree_scan_finds_each_split_basic_credential_and_no_placeholder(tmp_path):
    write(tmp_path, {**LEAKS, **CLEAN})
    found = scan(tmp_path, concepts=["secret_literal"], jobs=1).of("secret_literal")
    assert {(f.path, f.line) for f in found} == set(WHERE.items())
    assert all(f.verdict == "bad" for f in found)
    # The key id is a secret too where it is given to a Belvo Basic-auth helper with the password.
    assert {f.fingerprint for f in found} == {fingerprint(PASSWORD), fingerprint(ENCODED), fingerprint(KEY_ID)}
    assert not any(PASSWORD in repr(f) or ENCODED in repr(f) for f in found)


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


@pytest.mark.parametrize("rel", sorted(LEAKS))
def test_history_scan_sees_the_split_forms_a_line_shows(tmp_path, rel):
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, {rel: LEAKS[rel], **CLEAN})
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "leak")
    found = scan_history(tmp_path).findings
    if rel in ONE_LINE:
        assert [(f.path, f.line) for f in found] == [(rel, WHERE[rel])]
        assert not any(PASSWORD in repr(f) or ENCODED in repr(f) for f in found)
    else:  # what it cannot see: a key id and a password on separate lines of one option object
        assert found == []
