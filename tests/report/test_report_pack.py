"""The evidence pack from a real run: complete, verifiable by its manifest, and free of secrets."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace

import pytest

from belvo_check.errors import UsageError
from belvo_check.report.pack import MANIFEST, verify, write_pack
from belvo_check.report.provenance import collect
from belvo_check.secrets import Redactor
from reporttest import SECRET_ID, SECRET_PASSWORD

FILES = {"report.md", "report.html", "report.json", "report.sarif", "provenance.json", MANIFEST}


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


def test_pack_is_complete_verifiable_and_secret_free(report, tmp_path):
    from belvo_check.config import load_config

    git("init", "-q", cwd=tmp_path)
    git("add", "belvo-check.yaml", cwd=tmp_path)
    git("commit", "-q", "-m", "config", cwd=tmp_path)
    (tmp_path / "new-file.txt").write_text("uncommitted\n")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    loaded = load_config(tmp_path / "belvo-check.yaml")
    report.provenance = collect(loaded, harness_ran=True)

    # A finding that leaked a key (as an unredacted integration log would) must not reach the pack.
    meta, result = report.results[0]
    leak = replace(result.findings[0], evidence=f"Authorization: Basic {SECRET_ID}:{SECRET_PASSWORD}")
    report.results[0] = (meta, replace(result, findings=[leak, *result.findings[1:]]))

    pack = tmp_path / "pack"
    written = write_pack(report, pack, redact=Redactor([SECRET_ID, SECRET_PASSWORD]))
    assert set(written) == FILES == {p.name for p in pack.iterdir()}
    for path in pack.iterdir():
        text = path.read_text(encoding="utf-8")
        assert SECRET_ID not in text and SECRET_PASSWORD not in text, path.name
    assert "[redacted sha256:" in (pack / "report.json").read_text()

    about = json.loads((pack / "provenance.json").read_text())
    assert about["config"]["sha256"] == loaded.sha256
    assert about["provenance"]["git"] == {"commit": commit, "dirty": True, "changed_files": 1}
    assert about["provenance"]["simulator_seed"] == 7
    assert about["tool"]["version"] and about["checks"]["BLV701"]["module"] == "belvo_check.checks.keys"
    assert len(about["checks"]["BLV701"]["sha256"]) == 64

    assert verify(pack) == []
    coreutils = subprocess.run(["sha256sum", "-c", MANIFEST], cwd=pack, capture_output=True, text=True)
    assert coreutils.returncode == 0 and coreutils.stdout.count(": OK") == len(FILES) - 1

    (pack / "report.md").write_text((pack / "report.md").read_text().replace("NOT READY", "READY"))
    (pack / "extra.txt").write_text("slipped in\n")
    (pack / "report.sarif").unlink()
    assert verify(pack) == ["report.md: changed since the pack was written (SHA-256 differs)",
                            "report.sarif: listed in the manifest but missing", "extra.txt: not in the manifest"]


def test_pack_never_writes_over_files(report, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine\n")
    with pytest.raises(UsageError, match="not an empty folder"):
        write_pack(report, taken)
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".taken.")]  # no staging left behind
