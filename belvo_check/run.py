"""`belvo-check run`: load the config, select checks, run them, gate the findings, write every
asked-for output, and pick the exit code. `baseline create` and `config validate` share the parts
they need."""

from __future__ import annotations

import os
import posixpath
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from belvo_check import __version__
from belvo_check.config import LoadedConfig, load_config
from belvo_check.errors import ConfigError, UsageError
from belvo_check.evidence import STATIC, Context, RunOptions
from belvo_check.model import Evidence, Location, Status
from belvo_check.registry import Check, Registry, load_registry
from belvo_check.report import Report
from belvo_check.report.formats import Output, check_writable, machine_on_stdout, parse_outputs, render_text, \
    write_atomically
from belvo_check.report.gate import Baseline, Suppression, baseline_entries, baseline_text, gate, load_baseline, \
    shrink
from belvo_check.runner import run_checks, shown_root

DEFAULT_BASELINE = "belvo-check-baseline.json"


def execute(*, config: Path, select: list[str], ignore: list[str], formats: list[str], output: Path | None,
            fail_on: str, live: bool, quiet: bool, verbose: bool, no_color: bool, pack: Path | None) -> int:
    outputs = parse_outputs(formats, output)
    for out in outputs:  # before any check runs: an unwritable report should not cost a whole run
        if out.path:
            check_writable(out.path)
    if pack is not None:
        from belvo_check.report.pack import check_target

        check_target(pack)
    plan = Plan.load(config, select, ignore)
    colour = _colour(no_color)
    report, redact = plan.judge(fail_on=Status(fail_on), live=live, verbose=verbose,
                                progress=colour and not quiet and sys.stderr.isatty() and sys.stdout.isatty())
    _emit(report, outputs, quiet=quiet, verbose=verbose, colour=colour)
    if pack is not None:
        from belvo_check.report.pack import MANIFEST, write_pack

        written = write_pack(report, pack, redact=redact)
        print(f"evidence pack written to {pack} ({len(written)} files; check it with "
              f"`sha256sum -c {MANIFEST}` inside it, or `belvo-check pack verify {pack}`)", file=sys.stderr)
    return report.exit_code


@dataclass
class Plan:
    """What a run will do: the config, the checks chosen, and the policy that gates their findings."""

    config_path: Path
    loaded: LoadedConfig
    registry: Registry
    checks: list[Check]
    severity: dict[str, Status]
    suppressions: list[Suppression]
    baseline: Baseline | None
    notes: list[str]
    static_only: bool = False  # `--select static`: no process, socket or network, whatever the config holds

    @classmethod
    def load(cls, config: Path, select: list[str], ignore: list[str]) -> "Plan":
        loaded = load_config(config)
        _check_source_root(loaded)
        registry = load_registry()
        checks, notes = _choose(registry, loaded, select, ignore)
        severity = _severity(registry, loaded)
        chosen = {c.meta.id for c in checks}
        notes += [f"{loaded.location('checks', 'severity', selector)}: checks.severity for {selector} applies to "
                  "no check selected in this run" for selector in loaded.model.checks.severity
                  if not {c.meta.id for c in _matching(registry, selector)} & chosen]
        selectors = select or loaded.model.checks.select
        static_only = bool(selectors) and all(s.strip().lower() == "static" for s in selectors)
        return cls(config, loaded, registry, checks, severity, _suppressions(registry, loaded), _baseline(loaded),
                   notes, static_only)

    def judge(self, *, fail_on: Status = Status.FAIL, live: bool = False, verbose: bool = False,
              progress: bool = False, use_baseline: bool = True):
        """Run the checks and gate their findings: the Report, and the redactor that knows the run's secrets."""
        from belvo_check.report.progress import CheckProgress
        from belvo_check.report.provenance import collect

        ctx = Context(self.loaded, RunOptions(live=live, verbose=verbose, static_only=self.static_only))
        started = datetime.now(timezone.utc)
        reads_source = self.loaded.model.source is not None and any(c.meta.source is not None for c in self.checks)
        try:  # also when interrupted: the receiver, the simulators and the scan's workers stop here
            if reads_source:  # first, while this is the process's one thread: see source.scanner.begin
                from belvo_check.source.scanner import begin_from_config

                begin_from_config(self.loaded)
            with CheckProgress(self.checks, enabled=progress, drills=ctx.running_drills) as bar:
                results = run_checks(self.checks, ctx, on_result=bar.done)
        finally:
            ctx.close()
            if reads_source:
                from belvo_check.source.scanner import abandon

                abandon()
        inline, inline_notes = _inline(ctx.gathered(Evidence.SOURCE), {c.meta.id for c in self.checks},
                                       self.registry)
        gated = gate(results, severity=self.severity, suppressions=self.suppressions + inline,
                     baseline=self.baseline if use_baseline else None,
                     matching=lambda selector: {c.meta.id for c in _matching(self.registry, selector)})
        metas = {check.meta.id: check.meta for check in self.checks}
        harness_ran = any(Evidence.HARNESS.value in r.judged_on for r in results)
        report = Report(results=[(metas[r.check_id], r) for r in gated.results], tool_version=__version__,
                        config_path=str(self.config_path), config_sha256=self.loaded.sha256,
                        environment=self.loaded.model.environment, started_at=started,
                        finished_at=datetime.now(timezone.utc), fail_on=fail_on, applied=gated.applied,
                        notes=self.notes + inline_notes + gated.notes, provenance=collect(self.loaded, harness_ran),
                        advisory=frozenset(i for i, meta in metas.items()
                                           if self.severity.get(i, meta.severity) is Status.WARN))
        return report, ctx.redact


def create_baseline(*, config: Path, output: Path | None, select: list[str], ignore: list[str]) -> int:
    """Accept today's findings so that only new ones fail; an existing baseline only ever shrinks."""
    plan = Plan.load(config, select, ignore)
    configured = plan.loaded.model.checks.baseline
    path = output or plan.loaded.base_dir / (configured or DEFAULT_BASELINE)
    check_writable(path)
    previous = load_baseline(path, str(path)) if path.exists() else None
    report, _ = plan.judge(use_baseline=False)
    kept, fixed, refused = shrink(previous, baseline_entries([result for _, result in report.results]))
    write_atomically(path, baseline_text(kept, __version__))
    print(f"baseline {path}: {len(kept)} finding(s)" + (f", {fixed} fixed since the last one dropped" if fixed else ""))
    if refused:
        print(f"{refused} finding(s) not in the previous baseline were not added: a baseline only shrinks. "
              "Fix them, or suppress each in checks.ignore with a reason and an owner", file=sys.stderr)
    if not configured and output is None:
        print(f"to use it, add to {config}: checks: {{baseline: {DEFAULT_BASELINE}}}")
    return 1 if refused else 0


def validate_config(config: Path) -> str:
    """Everything a run checks before it starts, without running a check: a one-line summary."""
    plan = Plan.load(config, [], [])
    parts = [f"{len(plan.checks)} checks selected"]
    if plan.suppressions:
        parts.append(f"{len(plan.suppressions)} suppression(s)")
    if plan.severity:
        parts.append(f"severity set for {len(plan.severity)} check(s)")
    if plan.baseline:
        parts.append(f"baseline with {len(plan.baseline.fingerprints)} finding(s)")
    unset = sorted(set(plan.loaded.unresolved.values()))
    if unset:
        parts.append(f"not set in this environment: {', '.join(unset)} (the checks that need them will skip)")
    return f"{config}: valid ({'; '.join(parts)})"


def _emit(report: Report, outputs: list[Output], *, quiet: bool, verbose: bool, colour: bool) -> None:
    for out in outputs:
        if out.path:
            write_atomically(out.path, _text(report, out.fmt, quiet, verbose))
    stdout = [out for out in outputs if out.path is None]
    for out in stdout:
        if out.fmt == "rich":
            _terminal(report, sys.stdout, quiet=quiet, verbose=verbose, colour=colour)
        else:
            sys.stdout.write(_text(report, out.fmt, quiet, verbose))
    if not any(out.fmt == "rich" for out in stdout):
        # Whatever files a run writes, its log says what it found: problems and the verdict.
        stream = sys.stderr if machine_on_stdout(outputs) else sys.stdout
        _terminal(report, stream, quiet=True, verbose=False, colour=colour and stream.isatty())
    for out in outputs:
        if out.path:
            print(f"{out.fmt} report written to {out.path}", file=sys.stderr)


def _text(report: Report, fmt: str, quiet: bool, verbose: bool) -> str:
    if fmt == "rich":
        from belvo_check.report.terminal import plain_text

        return plain_text(report, quiet=quiet, verbose=verbose)
    return render_text(report, fmt)


def _terminal(report: Report, stream, *, quiet: bool, verbose: bool, colour: bool) -> None:
    from belvo_check.report.terminal import plain_text, print_report

    if not colour:
        stream.write(plain_text(report, quiet=quiet, verbose=verbose))
        return
    from rich.console import Console

    # Colour without a terminal (FORCE_COLOR in a CI log): no wrapping, the viewer wraps.
    tty = stream.isatty()
    print_report(report, Console(file=stream, highlight=False, force_terminal=True), quiet=quiet, verbose=verbose,
                 wrap=tty)


def _colour(no_color: bool) -> bool:
    """--no-color and NO_COLOR win; FORCE_COLOR wins over CI and pipes; else colour on a terminal."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return not os.environ.get("CI") and sys.stdout.isatty()


def _matching(registry: Registry, selector: str) -> list[Check]:
    if selector.strip().lower() == "static":
        return [c for c in registry.all() if set(c.meta.evidence) & STATIC and Evidence.LIVE not in c.meta.evidence]
    return registry.matching(selector)


def _select(registry: Registry, selectors: list[str]) -> list[Check]:
    static = [s for s in selectors if s.strip().lower() == "static"]
    chosen = {c.meta.id: c for c in registry.select([s for s in selectors if s not in static])}
    for selector in static:
        chosen.update((c.meta.id, c) for c in _matching(registry, selector))
    return [chosen[key] for key in sorted(chosen)]


def _choose(registry: Registry, loaded: LoadedConfig, select: list[str], ignore: list[str]):
    if select:
        chosen = _select(registry, select)
    elif loaded.model.checks.select:
        try:
            chosen = _select(registry, loaded.model.checks.select)
        except UsageError as exc:
            raise ConfigError(f"{loaded.location('checks', 'select')}: checks.select: {exc}") from None
    else:
        chosen = registry.all()
    notes = []
    dropped: set[str] = set()
    for selector in ignore:
        matches = {c.meta.id for c in _select(registry, [selector])}
        if not matches & {c.meta.id for c in chosen}:
            notes.append(f"--ignore {selector} left nothing out: none of its checks was selected")
        dropped |= matches
    return [c for c in chosen if c.meta.id not in dropped], notes


def _severity(registry: Registry, loaded: LoadedConfig) -> dict[str, Status]:
    severity = {}
    for selector, value in loaded.model.checks.severity.items():
        matches = _matching(registry, selector)
        if not matches:
            raise ConfigError(f"{loaded.location('checks', 'severity', selector)}: checks.severity names "
                              f"{selector!r}, which is not a check (see `belvo-check list`)")
        severity.update((c.meta.id, Status(value)) for c in matches)
    return severity


def _check_source_root(loaded: LoadedConfig) -> None:
    """A source.root that is not a folder is a config mistake, said once, not a crash of every check."""
    source = loaded.model.source
    if source is not None and not (loaded.base_dir / source.root).is_dir():
        raise ConfigError(f"{loaded.location('source', 'root')}: source.root {source.root!r} is not a folder "
                          f"(it is relative to the config file's folder, {loaded.base_dir})")


def _inline(scan, chosen: set[str], registry: Registry) -> tuple[list[Suppression], list[str]]:
    """`belvo-check: ignore[BLVnnn] reason` comments in the scanned source, for the checks of this run."""
    if scan is None:
        return [], []
    root = shown_root(scan.root)
    rules, notes = [], []
    for comment in scan.suppressions:
        where = Location(posixpath.join(root, comment.path) if root else comment.path, comment.line)
        for check_id in comment.ids:
            if check_id in chosen:
                rules.append(Suppression(check_id, comment.reason, None, None, None, where, inline=True))
            elif check_id not in {c.meta.id for c in registry.all()}:
                notes.append(f"{where}: inline suppression names {check_id}, which is not a check "
                             "(see `belvo-check list`)")
    return rules, notes


def _suppressions(registry: Registry, loaded: LoadedConfig) -> list[Suppression]:
    entries = []
    for index, entry in enumerate(loaded.model.checks.ignore):
        if not _matching(registry, entry.id):
            raise ConfigError(f"{loaded.location('checks', 'ignore', index, 'id')}: checks.ignore names "
                              f"{entry.id!r}, which is not a check (see `belvo-check list`)")
        entries.append(Suppression(entry.id, entry.reason, entry.owner, entry.expires, entry.finding,
                                   loaded.location("checks", "ignore", index)))
    return entries


def _baseline(loaded: LoadedConfig) -> Baseline | None:
    name = loaded.model.checks.baseline
    if not name:
        return None
    return load_baseline(loaded.base_dir / name, f"{loaded.location('checks', 'baseline')}: {name}")
