"""Secrets in git history: every commit of every ref, redacted, de-duplicated by fingerprint."""

from __future__ import annotations

import subprocess

from belvo_check.secrets import fingerprint
from belvo_check.source import scan_history

SECRET = "Rm4kT9wQz2Lx7VbN3cHs8Jp5"  # fake, random-looking
GENERIC = "Yt6pL3vQ9mZx2RwK8nBc5HdS"  # under a name that says nothing of Belvo, in a file that does


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def test_history_finds_removed_secret_once_and_never_prints_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("import os\nBELVO_SECRET_ID = os.environ['BELVO_SECRET_ID']\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "clean")
    (repo / "settings.py").write_text(f'# settings\n\nBELVO_SECRET_PASSWORD = "{SECRET}"\n')
    (repo / ".env").write_text(f"BELVO_SECRET_PASSWORD={SECRET}\nBELVO_SECRET_ID=your_secret_id\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "oops")
    git(repo, "rm", "-q", "settings.py", ".env")
    git(repo, "commit", "-q", "-m", "remove")
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "notes.md").write_text("BELVO_SECRET_PASSWORD=changeme\n")
    (repo / "client.py").write_text(f'BASE = "https://api.belvo.com"\nSECRET_PASSWORD = "{GENERIC}"\n')
    (repo / "other.py").write_text(f'SECRET_PASSWORD = "{GENERIC[::-1]}"  # an unrelated service\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "placeholder only")

    result = scan_history(repo)
    assert result.error is None and result.commits == 4
    # the same value in two files is one finding; a secret-like name in a file without Belvo is not Belvo's
    assert sorted(f.fingerprint for f in result.findings) == sorted([fingerprint(SECRET), fingerprint(GENERIC)])
    assert [(f.path, f.line) for f in result.findings if f.fingerprint == fingerprint(GENERIC)] == [("client.py", 2)]
    finding = next(f for f in result.findings if f.fingerprint == fingerprint(SECRET))
    assert finding.fingerprint == fingerprint(SECRET) and finding.concept == "secret_history"
    assert (finding.path, finding.line) in {("settings.py", 3), (".env", 1)}
    assert SECRET not in repr(result) and GENERIC not in repr(result)


def test_not_a_repository_is_an_error_not_a_crash(tmp_path):
    result = scan_history(tmp_path)
    assert result.error and not result.findings
