"""Where a verdict came from: the integration's commit and whether its tree was clean, the
simulator seed, and which version of each check judged it."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

GIT_TIMEOUT = 10


@dataclass(frozen=True)
class GitState:
    commit: str
    dirty: bool
    changed_files: int  # tracked files modified plus untracked files not ignored


@dataclass(frozen=True)
class Provenance:
    integration_path: str  # as the config gives it, relative when it can be: no local layout leaks
    git: GitState | None  # None: not a git work tree, or git is not installed
    simulator_seed: int | None  # None: no harness drill ran
    python: str
    platform: str

    def as_dict(self) -> dict:
        return asdict(self)

    def describe_git(self) -> str:
        if self.git is None:
            return f"{self.integration_path} (not a git work tree)"
        state = f"dirty: {self.git.changed_files} file(s) changed" if self.git.dirty else "clean"
        return f"{self.integration_path} at commit {self.git.commit[:12]} ({state})"


def git_state(folder: Path) -> GitState | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                                  timeout=GIT_TIMEOUT, env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    commit = git("rev-parse", "--verify", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--", ".")
    changed = len(status.splitlines()) if status is not None else 0
    return GitState(commit.strip(), bool(changed), changed)


def collect(loaded, harness_ran: bool) -> Provenance:
    """Provenance of a run of `loaded` (a LoadedConfig)."""
    model = loaded.model
    relative = (model.integration.cwd if model.integration and model.integration.cwd else
                model.source.root if model.source else ".")
    folder = loaded.base_dir / relative
    try:
        shown = str(folder.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:  # outside the working folder: the config's own words, not an absolute path
        shown = relative
    seed = None
    if harness_ran:
        from belvo_check.harness.execute import SEED

        seed = SEED
    return Provenance(shown, git_state(folder), seed, platform.python_version(),
                      f"{platform.system()} {platform.machine()}")


def check_versions(metas) -> dict[str, dict[str, str]]:
    """Each check's module and a SHA-256 of its source: which code judged, beyond the tool version."""
    versions = {}
    for meta in metas:
        module = sys.modules.get(meta.origin)
        source = getattr(module, "__file__", None)
        digest = hashlib.sha256(Path(source).read_bytes()).hexdigest() if source else None
        versions[meta.id] = {"module": meta.origin, "sha256": digest}
    return versions
