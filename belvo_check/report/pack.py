"""The production-access evidence pack: everything a reviewer needs to trust a verdict, in one
folder, with a SHA-256 manifest that `sha256sum -c MANIFEST.sha256` (or `verify`) checks.

It never holds a secret: the config is represented by its hash, not its text, and every file
passes through the run's redactor before it is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from belvo_check.errors import UsageError
from belvo_check.report.findings import judged_against, verdict
from belvo_check.report.provenance import check_versions

MANIFEST = "MANIFEST.sha256"


def contents(report) -> dict[str, str]:
    """File name -> text, for every file of the pack except the manifest."""
    from belvo_check.report.html import to_html
    from belvo_check.report.json_report import to_json
    from belvo_check.report.markdown import to_markdown
    from belvo_check.report.sarif import to_sarif

    about = {
        "tool": {"name": "belvo-check", "version": report.tool_version},
        "checks": check_versions(meta for meta, _ in report.results),
        "config": {"path": report.config_path, "sha256": report.config_sha256},
        "environment": report.environment,
        "judged_against": judged_against(report),
        "verdict": verdict(report),
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "provenance": report.provenance.as_dict() if report.provenance else None,
    }
    return {
        "report.md": to_markdown(report),
        "report.html": to_html(report),
        "report.json": to_json(report),
        "report.sarif": to_sarif(report),
        "provenance.json": json.dumps(about, indent=2, ensure_ascii=False) + "\n",
    }


def write_pack(report, directory: Path, redact: Callable[[str], str] = lambda text: text) -> list[str]:
    """Write the pack into `directory` (new, or empty) all at once; return its file names."""
    directory = Path(directory)
    check_target(directory)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        files = {name: redact(text) for name, text in contents(report).items()}
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        (staging / MANIFEST).write_text(_manifest(staging, sorted(files)), encoding="utf-8")
        if directory.exists():
            directory.rmdir()
        os.replace(staging, directory)  # readers see no pack or a whole pack, never half of one
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(files) + [MANIFEST]


def check_target(directory: Path) -> None:
    """A pack goes into a new (or empty) folder whose parent exists: checked before a run, and again at writing."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"--pack {directory}: exists and is not an empty folder; a pack is never written "
                         "over other files (choose a new folder)")
    if not directory.parent.is_dir():
        raise UsageError(f"--pack {directory}: folder {directory.parent} does not exist")


def verify(directory: Path) -> list[str]:
    """Problems with a pack: files missing, changed or added since it was written. Empty means intact."""
    directory = Path(directory)
    manifest = directory / MANIFEST
    if not manifest.is_file():
        return [f"{manifest}: no manifest"]
    problems, listed = [], set()
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or "/" in name or name in ("", ".", ".."):
            problems.append(f"{MANIFEST}:{number}: not a '<sha256>  <file>' line")
            continue
        listed.add(name)
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: listed in the manifest but missing")
        elif _sha256(path) != digest:
            problems.append(f"{name}: changed since the pack was written (SHA-256 differs)")
    for path in sorted(directory.iterdir()):
        if path.name not in listed and path.name != MANIFEST:
            problems.append(f"{path.name}: not in the manifest")
    return problems


def _manifest(folder: Path, names: list[str]) -> str:
    return "".join(f"{_sha256(folder / name)}  {name}\n" for name in names)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
