"""Scanning a tree: discover, prefilter, match every concept, conclude; both cores, each file read once.

    from belvo_check.source import scan
    result = scan("path/to/repo", include=[...], exclude=[...], frontend=["web/**"])
    result.of("timeout")  -> [SourceFinding(...), ...]
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from belvo_check.source.concepts import MODULES as CONCEPT_MODULES
from belvo_check.source.finding import SourceFinding, Verdict
from belvo_check.source.suppress import Suppression

INLINE_FILES = 1500  # below this many files, starting worker processes costs more than it saves
CHUNK_FILES = 200  # files per worker task: the workers start on the first ones while the walk goes on


@dataclass
class TreeView:
    """What conclusions see of the whole tree."""

    root: str
    signals: Counter = field(default_factory=Counter)

    def finding(self, concept: str, verdict: Verdict, message: str, *, form: str = "") -> SourceFinding:
        return SourceFinding(concept, verdict, message, "", form=form)


@dataclass
class SourceScan:
    root: str
    files: int = 0  # files discovered
    read: int = 0  # files read and kept (not empty, huge, binary or minified)
    matched: int = 0  # files the prefilter admitted
    parsed: int = 0  # files whose syntax tree was built
    findings: list[SourceFinding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    signals: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # "path: concept: error" for matchers that broke on a file
    unavailable: dict[str, tuple[str, str]] = field(default_factory=dict)  # concept -> (why not looked at, enable)
    seconds: float = 0.0
    # The values of the Belvo secrets found, so the history scan finds them in every commit: never shown.
    secrets: set[str] = field(default_factory=set, repr=False, compare=False)

    def of(self, concept: str) -> list[SourceFinding]:
        return [f for f in self.findings if f.concept == concept]

    def suppression(self, finding: SourceFinding, check_id: str) -> Suppression | None:
        """The inline suppression (with a reason) that silences this finding for this check, if any."""
        return next((s for s in self.suppressions if s.covers(finding, check_id)), None)


def _scan_files(files, concept_names: Sequence[str] | None):
    """Worker: every finding, signal, suppression and error of a list of files."""
    from belvo_check.source.concepts import load
    from belvo_check.source.context import SourceText
    from belvo_check.source.files import read_source
    from belvo_check.source.prefilter import topics_of
    from belvo_check.source.suppress import parse

    concepts = [c for name, c in load().items() if concept_names is None or name in concept_names]
    out = SourceScan("")
    for source in files:
        data = read_source(source)
        if data is None:
            continue
        out.read += 1
        topics = topics_of(data, source.language, source.is_frontend, source.looks_frontend)
        if not topics:
            continue
        out.matched += 1
        ctx = SourceText(source, data, topics)
        if "suppress" in topics:
            found, problems = parse(source.rel, ctx.lines, source.language)
            out.suppressions += found
            out.findings += problems
        for concept in concepts:
            if (not concept.topics & topics or (concept.code_only and not source.is_code)
                    or (concept.skip_tests and source.is_test) or source.language in concept.skip_languages):
                continue
            try:
                out.findings.extend(concept.match(ctx))
            except Exception as error:  # one odd file must not sink the scan; the error is reported
                out.errors.append(f"{source.rel}: {concept.name}: {type(error).__name__}: {error}")
        if "facts" in ctx.__dict__:
            out.parsed += 1
            if ctx.facts.error and ctx.facts.error != "not code":
                out.errors.append(f"{source.rel}: {ctx.facts.error}")
        out.signals.update(ctx.signals)
        out.secrets |= ctx.secrets
    return out


# What the workers import before their first file. A forkserver imports them once and every worker
# forked from it starts ready; without them, each worker imported the matchers itself (0.2-0.3 s).
WORKER_MODULES = ("belvo_check.source.scanner", "belvo_check.source.context", "belvo_check.source.prefilter",
                  "belvo_check.source.suppress", "belvo_check.source.history", "tree_sitter",
                  *(f"belvo_check.source.concepts.{name}" for name in CONCEPT_MODULES))


def pool_context():
    import multiprocessing

    # fork is cheapest, but forking a process that runs other threads can deadlock the child
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(WORKER_MODULES))  # no effect once the forkserver runs
    return context


def _worker_signals() -> None:
    """A forked worker keeps the parent's signal handlers (the CLI's turn SIGTERM into an exception):
    it dies quietly on terminate(), and leaves Ctrl-C to the parent, which stops it."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Walk:
    """One tree's walk, which hands the files to worker processes as it goes once the tree shows
    itself large. It may begin on the main thread before the checks' threads start (begin()): the
    pool is then forked while the process runs one thread, the cheapest start there is, and the
    scan that asks for the tree later carries on from where the walk stopped."""

    def __init__(self, root: str, include: Sequence[str], exclude: Sequence[str], frontend: Sequence[str],
                 jobs: int) -> None:
        from belvo_check.source.files import walk

        self.files: list = []
        self.pool = None
        self._rest = walk(root, include, exclude, frontend)
        self._jobs = jobs
        self._sent = 0
        self._parts: list = []

    def until_pool(self) -> None:
        """Walk until the tree is large enough to pay for the workers (then start them), or to its end."""
        from belvo_check.source.concepts import load

        if self.pool is not None:
            return
        for source in self._rest:
            self.files.append(source)
            if self._jobs > 1 and len(self.files) >= INLINE_FILES:
                load()  # before the fork, so the workers inherit the imported matchers
                self.pool = pool_context().Pool(self._jobs, _worker_signals)
                return

    def scan(self, names: list[str] | None) -> list[SourceScan]:
        """Every file's findings, in parts: walked to the end in the workers' company, or here for a small tree."""
        self.until_pool()
        if self.pool is None:
            return [_scan_files(sorted(self.files, key=lambda f: f.rel), names)]
        self._send(names, CHUNK_FILES)
        for source in self._rest:
            self.files.append(source)
            self._send(names, CHUNK_FILES)
        self._send(names, 1)
        return [part.get() for part in self._parts]

    def _send(self, names: list[str] | None, at_least: int) -> None:
        while len(self.files) - self._sent >= at_least:
            chunk = self.files[self._sent:self._sent + CHUNK_FILES]
            self._parts.append(self.pool.apply_async(_scan_files, (chunk, names)))
            self._sent += len(chunk)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()


def scan(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
         frontend: Sequence[str] = (), *, concepts: Iterable[str] | None = None, jobs: int | None = None,
         walk: _Walk | None = None) -> SourceScan:
    """Scan a source tree for every concept (or only `concepts`), using `jobs` processes (default: all
    cores); `walk`: the tree's walk begun earlier (begin())."""
    from belvo_check.source.concepts import load

    started = time.perf_counter()
    names = list(concepts) if concepts is not None else None
    registered = load()
    walk = walk or _Walk(os.fspath(root), include, exclude, frontend, jobs or os.cpu_count() or 1)
    try:
        parts = walk.scan(names)
    finally:
        walk.close()
    result = SourceScan(os.path.abspath(os.fspath(root)), files=len(walk.files))
    for part in parts:
        result.read += part.read
        result.matched += part.matched
        result.parsed += part.parsed
        result.findings += part.findings
        result.suppressions += part.suppressions
        result.signals.update(part.signals)
        result.errors += part.errors
        result.secrets |= part.secrets
    tree = TreeView(result.root, result.signals)
    for name, concept in registered.items():
        if concept.conclude is not None and (names is None or name in names):
            result.findings += list(concept.conclude(result.of(name), tree))
    # the parts come in the walk's order, which is the file system's: sorted, a report is the same anywhere
    result.findings.sort(key=lambda f: (f.concept, f.path, f.line or 0, f.col or 0))
    result.suppressions.sort(key=lambda s: (s.path, s.line))
    result.errors.sort()
    result.seconds = time.perf_counter() - started
    return result


_cache: dict[tuple, SourceScan] = {}
_begun: dict[tuple, _Walk] = {}
_cache_lock = threading.Lock()


def _key(root: str | os.PathLike, include: Sequence[str], exclude: Sequence[str], frontend: Sequence[str]) -> tuple:
    return os.path.abspath(os.fspath(root)), tuple(include), tuple(exclude), tuple(frontend)


def begin(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
          frontend: Sequence[str] = ()) -> None:
    """Begin a tree's walk on the calling thread, meant to be a run's main thread before the checks'
    threads start: a large tree's workers are then forked while the process runs one thread, and
    cached_scan carries on from there. Only the tree's listing is read here."""
    key = _key(root, include, exclude, frontend)
    with _cache_lock:
        if key in _cache or key in _begun:
            return
        walk = _Walk(key[0], *key[1:], jobs=os.cpu_count() or 1)
        try:
            walk.until_pool()
        except BaseException as exc:  # an interrupt too: no worker outlives the walk that forked it
            walk.close()
            if isinstance(exc, OSError):
                return  # the scan meets the same error again, and the check that asked reports it
            raise
        _begun[key] = walk


def abandon() -> None:
    """Stop the workers of walks begun but never scanned (a run none of whose checks read the tree)."""
    with _cache_lock:
        for walk in _begun.values():
            walk.close()
        _begun.clear()


def cached_scan(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
                frontend: Sequence[str] = ()) -> SourceScan:
    """One full scan per tree and settings per process, however many checks ask (thread-safe)."""
    key = _key(root, include, exclude, frontend)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = scan(*key, walk=_begun.pop(key, None))
        return _cache[key]


def findings(concept: str, root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
             frontend: Sequence[str] = ()) -> list[SourceFinding]:
    """Located findings for one concept across the tree (from the cached full scan)."""
    return cached_scan(root, include, exclude, frontend).of(concept)


def from_config(config, base_dir: str | os.PathLike | None = None) -> SourceScan | None:
    """The cached scan for a config's `source:` section (None when it has none).

    `config` is a LoadedConfig (then `source.root` is relative to the config file's directory) or
    the config model itself (then relative to `base_dir`, default the working directory).
    """
    settings = _settings(config, base_dir)
    return cached_scan(*settings) if settings else None


def begin_from_config(config, base_dir: str | os.PathLike | None = None) -> None:
    """begin() for a config's `source:` section, read as from_config reads it (nothing without one)."""
    settings = _settings(config, base_dir)
    if settings:
        begin(*settings)


def _settings(config, base_dir: str | os.PathLike | None) -> tuple | None:
    if hasattr(config, "model") and hasattr(config, "path"):
        base_dir = base_dir if base_dir is not None else os.path.dirname(os.path.abspath(config.path))
        config = config.model
    base_dir = base_dir if base_dir is not None else "."
    source = getattr(config, "source", None)
    if source is None:
        return None
    return os.path.join(os.fspath(base_dir), source.root), source.include, source.exclude, source.frontend
