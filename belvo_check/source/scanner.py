"""Scanning a tree: discover, prefilter, match every concept, conclude; both cores, each file read once.

    from belvo_check.source import scan
    result = scan("path/to/repo", include=[...], exclude=[...], frontend=["web/**"])
    result.of("timeout")  -> [SourceFinding(...), ...]
"""

from __future__ import annotations

import contextlib
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
CHUNKS_PER_JOB = 12  # enough chunks for the faster worker to take more of them


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


def _chunks(files: list, count: int) -> list[list]:
    """About `count` chunks of one language each where possible, so a worker loads few grammars; the
    workers take chunks as they finish, which keeps them balanced."""
    ordered = sorted(files, key=lambda f: (f.language, f.rel))
    size = max(1, -(-len(ordered) // count))
    return [ordered[start:start + size] for start in range(0, len(ordered), size)]


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


def scan(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
         frontend: Sequence[str] = (), *, concepts: Iterable[str] | None = None, jobs: int | None = None) -> SourceScan:
    """Scan a source tree for every concept (or only `concepts`), using `jobs` processes (default: all cores)."""
    from belvo_check.source.concepts import load
    from belvo_check.source.files import walk

    started = time.perf_counter()
    names = list(concepts) if concepts is not None else None
    registered = load()  # before the workers fork, so they inherit the imported matchers
    jobs = jobs or os.cpu_count() or 1
    with contextlib.ExitStack() as stack:
        files, pool = [], None
        for source in walk(root, include, exclude, frontend):
            files.append(source)
            if pool is None and jobs > 1 and len(files) >= INLINE_FILES:
                # a large tree: the workers (and a forkserver's imports) start while the walk goes on
                pool = stack.enter_context(pool_context().Pool(jobs))
        if pool is None:
            parts = [_scan_files(sorted(files, key=lambda f: f.rel), names)]
        else:
            parts = pool.starmap(_scan_files, [(c, names) for c in _chunks(files, jobs * CHUNKS_PER_JOB)],
                                 chunksize=1)
    result = SourceScan(os.path.abspath(os.fspath(root)), files=len(files))
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
    result.findings.sort(key=lambda f: (f.concept, f.path, f.line or 0, f.col or 0))
    result.seconds = time.perf_counter() - started
    return result


_cache: dict[tuple, SourceScan] = {}
_cache_lock = threading.Lock()


def cached_scan(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
                frontend: Sequence[str] = ()) -> SourceScan:
    """One full scan per tree and settings per process, however many checks ask (thread-safe)."""
    key = (os.path.abspath(os.fspath(root)), tuple(include), tuple(exclude), tuple(frontend))
    with _cache_lock:
        if key not in _cache:
            _cache[key] = scan(*key)
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
    if hasattr(config, "model") and hasattr(config, "path"):
        base_dir = base_dir if base_dir is not None else os.path.dirname(os.path.abspath(config.path))
        config = config.model
    base_dir = base_dir if base_dir is not None else "."
    source = getattr(config, "source", None)
    if source is None:
        return None
    root = os.path.join(os.fspath(base_dir), source.root)
    return cached_scan(root, source.include, source.exclude, source.frontend)
