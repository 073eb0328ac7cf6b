"""Evidence sources, built once per run, lazily, and shared by every check that needs them.

Each kind of evidence a check can declare (`model.Evidence`) has one provider here. A check asks
`ctx.evidence(Evidence.HARNESS)`; the first asker builds it (others wait), later askers get the
same object. A source that is not configured raises EvidenceUnavailable, which the runner reports
as `skip` naming the config line that would enable it. The config itself needs no provider.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from belvo_check.model import Evidence
from belvo_check.secrets import Redactor

if TYPE_CHECKING:  # importing config pulls in pydantic: `belvo-check list` must not pay for it
    from belvo_check.config import LoadedConfig

# kind -> "module:function(ctx)"; imported only when a selected check asks for it,
# so a config-only run never pays for the simulator or the harness.
PROVIDERS: dict[Evidence, str] = {
    Evidence.HARNESS: "belvo_check.harness.scheduler:build",
    Evidence.PROBE: "belvo_check.probes.deliveries:build",
    Evidence.LIVE: "belvo_check.probes.live:build",
    Evidence.SOURCE: "belvo_check.evidence:source_scan",
}
STATIC = frozenset({Evidence.CONFIG, Evidence.SOURCE})  # evidence that needs no process, socket or network
# The config line that enables the receiver belvo-check starts, named by every skip that needs it.
START_EXAMPLE = ("integration: {start: 'python -m app serve --port {receiver_port}', "
                 "ready: 'http://127.0.0.1:{receiver_port}/health'}")
# What brings back the evidence a `--select static` run leaves out by choice (not a guard or a missing line).
STATIC_ENABLE = "run without --select static"


def not_static(kind: Evidence) -> EvidenceUnavailable:
    """Why a static run has no evidence of this kind."""
    return EvidenceUnavailable(f"a static run (--select static) gathers no {kind.value} evidence", enable=STATIC_ENABLE)


class EvidenceUnavailable(Exception):
    """This evidence is not configured (or cannot be gathered here); checks that need it skip."""

    def __init__(self, message: str, enable: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.enable = enable


@dataclass
class RunOptions:
    live: bool = False
    verbose: bool = False
    workers: int = 64  # checks mostly wait on evidence; the harness and probes bound their own work
    check_timeout: float = 600.0
    static_only: bool = False  # judge the config and the source only: start nothing, send nothing


@dataclass
class Context:
    """What a check receives: the config, run options, and on-demand evidence."""

    loaded: LoadedConfig
    options: RunOptions = field(default_factory=RunOptions)
    redact: Redactor = field(default_factory=Redactor)
    _built: dict[str, Any] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        belvo, hooks = self.loaded.model.belvo, self.loaded.model.webhooks
        self.redact.add_keys(*(ref.value if ref else None
                               for ref in (belvo.secret_id, belvo.secret_password, hooks and hooks.authorization)))

    @property
    def config(self):
        return self.loaded.model

    def evidence(self, kind: Evidence | str) -> Any:
        name = Evidence(kind)
        if self.options.static_only and name not in STATIC:
            raise not_static(name)
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._built:
                try:
                    module_name, func_name = PROVIDERS[name].split(":")
                    builder = getattr(importlib.import_module(module_name), func_name)
                    self._built[name] = builder(self)
                except EvidenceUnavailable as exc:
                    self._built[name] = exc  # remembered: every asker skips for the same reason
            built = self._built[name]
        if isinstance(built, EvidenceUnavailable):
            raise built
        return built

    def running_drills(self) -> list[str]:
        """The harness drills running now, without building the harness (empty before it exists)."""
        harness = self._built.get(Evidence.HARNESS)
        running = getattr(harness, "running", None)
        return running() if callable(running) else []

    def gathered(self, kind: Evidence | str) -> Any:
        """Evidence already built in this run, or None: asking never builds it."""
        built = self._built.get(Evidence(kind))
        return None if isinstance(built, EvidenceUnavailable) else built

    def supply(self, kind: Evidence | str, built: Any) -> None:
        """Hand in evidence gathered elsewhere (a test's recorded outcomes): no provider runs for it."""
        with self._guard:
            self._built[Evidence(kind)] = built

    def close(self) -> None:
        """Stop whatever evidence sources started (simulators, receivers, temp dirs)."""
        for built in reversed(list(self._built.values())):
            closer = getattr(built, "close", None)
            if callable(closer):
                closer()


def require_config(ctx: Context, *key_path: str, example: str) -> Any:
    """The config value at key_path, or skip naming the line (or the unset variable) that would give it."""
    value: Any = ctx.config
    for key in key_path:
        value = getattr(value, key, None) if value is not None else None
    if value is None or value == [] or value == {}:
        dotted = ".".join(key_path)
        var = ctx.loaded.missing_env(*key_path)
        if var:
            raise EvidenceUnavailable(f"{dotted} uses ${{{var}}}, which is not set in this environment",
                                      enable=f"set {var} in the environment of this run")
        raise EvidenceUnavailable(f"{dotted} is not configured", enable=f"add to the config: {example}")
    return value


def source_scan(ctx: Context):
    """The static scan of the integration's source tree (`source:`), shared by every check that reads it.

    The git history is read at the same time as the tree: both are mostly I/O and git's own work.
    """
    source = ctx.config.source
    if source is None:  # before the imports: a run without source never loads the matchers
        raise EvidenceUnavailable("source is not configured, so the integration's code cannot be read",
                                  enable="add to the config: source: {root: .}")
    from concurrent.futures import ThreadPoolExecutor

    from belvo_check.source import from_config
    from belvo_check.source.concepts.secrets import with_frontend
    from belvo_check.source.history import history_or_why, with_history

    with ThreadPoolExecutor(1, thread_name_prefix="history") as pool:
        history = pool.submit(history_or_why, ctx.loaded.base_dir / source.root, source.history)
        try:
            scan = from_config(ctx.loaded)
        except OSError as exc:  # e.g. the folder went away after the config was read
            raise EvidenceUnavailable(f"the source under {source.root} could not be read: {exc}",
                                      enable="point source.root at a readable folder") from None
        return with_frontend(with_history(scan, history.result(), ctx.loaded.base_dir / source.root),
                             source.frontend)
