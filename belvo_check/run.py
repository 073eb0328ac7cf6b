"""`belvo-check run`: load the config, select checks, run them, render, and pick the exit code."""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from rich.console import Console

from belvo_check import __version__
from belvo_check.config import load_config
from belvo_check.errors import ConfigError, UsageError
from belvo_check.evidence import Context, RunOptions
from belvo_check.model import Status
from belvo_check.registry import Registry, load_registry
from belvo_check.report import Report, render
from belvo_check.runner import run_checks


def execute(*, config: Path, select: list[str], ignore: list[str], fmt: str | None, output: Path | None,
            fail_on: str, live: bool, quiet: bool, verbose: bool, no_color: bool) -> int:
    loaded = load_config(config)
    registry = load_registry()
    checks = _choose(registry, loaded, select, ignore)
    plain = bool(os.environ.get("CI")) or no_color or not sys.stdout.isatty()
    fmt = fmt or "rich"

    ctx = Context(loaded, RunOptions(live=live, verbose=verbose))
    started = datetime.now(timezone.utc)
    try:  # also when interrupted (cli.Interrupted): the receiver and simulators stop here
        with _progress(len(checks), enabled=not plain and not quiet and sys.stderr.isatty()) as advance:
            results = run_checks(checks, ctx, on_result=lambda check, result: advance(check.meta.id))
    finally:
        ctx.close()
    metas = {check.meta.id: check.meta for check in checks}
    report = Report(results=[(metas[r.check_id], r) for r in results], tool_version=__version__,
                    config_path=str(config), config_sha256=loaded.sha256, environment=loaded.model.environment,
                    started_at=started, finished_at=datetime.now(timezone.utc), fail_on=Status(fail_on))

    if fmt == "rich" and not output and not plain:
        render(report, "rich", console=Console(highlight=False), quiet=quiet, verbose=verbose)
    else:
        text = render(report, fmt, quiet=quiet, verbose=verbose)
        if output:
            with _atomic_write(output) as handle:
                handle.write(text)
        else:
            sys.stdout.write(text)
    if output:
        print(f"report written to {output}", file=sys.stderr)
    return report.exit_code


def _choose(registry: Registry, loaded, select: list[str], ignore: list[str]):
    for index, entry in enumerate(loaded.model.checks.ignore):
        if not registry.matching(entry.id):
            raise ConfigError(f"{loaded.location('checks', 'ignore', index, 'id')}: checks.ignore names "
                              f"{entry.id!r}, which is not a check (see `belvo-check list`)")
    if select:
        chosen = registry.select(select)
    elif loaded.model.checks.select:
        try:
            chosen = registry.select(loaded.model.checks.select)
        except UsageError as exc:
            raise ConfigError(f"{loaded.location('checks', 'select')}: checks.select: {exc}") from None
    else:
        chosen = registry.all()
    dropped = {c.meta.id for c in registry.select(ignore)} if ignore else set()
    return [c for c in chosen if c.meta.id not in dropped]


class _progress:
    """A transient progress bar on a terminal; nothing at all in CI or in a pipe."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.bar = total, enabled, None

    def __enter__(self):
        if not self.enabled:
            return lambda _id: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("running checks"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.description}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("", total=self.total)
        return lambda check_id: self.bar.update(task, advance=1, description=check_id)

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.stop()


class _atomic_write:
    """Write next to the target, then rename: an interrupted run never leaves half a report."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self):
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise UsageError(f"cannot write {self.path}: folder {directory} does not exist")
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        self.handle = os.fdopen(fd, "w", encoding="utf-8")
        return self.handle

    def __exit__(self, exc_type, *rest) -> None:
        self.handle.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
