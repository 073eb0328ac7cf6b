"""The check registry: a check is one decorated function that declares everything it needs.

Modelled on Django's system checks (registered functions with stable ids and hints) and
Lighthouse audits (metadata plus one audit function, whose declared inputs are handed to it).
A check declares its evidence kinds, the harness drills it judges, and the flows, store and
receiver it cannot do without; the runner skips it, naming the config line that would enable it,
when one is missing. The function receives a `CheckContext` that knows its own metadata and gives
it only the evidence it declared. Its docstring is its docs.

Built-in checks (the modules of `belvo_check.checks`, the repository's checks/ folder) and
third-party ones (the `belvo_check.checks` entry-point group) are imported the same way.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable

from belvo_check.errors import UsageError
from belvo_check.model import SECTION_BY_NAME, SECTION_BY_NUMBER, Evidence, Finding, Section, Status
from belvo_check.needs import FLOWS, Drill
from belvo_check.source.verdict import SourceRule

if TYPE_CHECKING:  # named in annotations only: `belvo-check list` never builds a run Context
    from belvo_check.evidence import Context

ENTRY_POINT_GROUP = "belvo_check.checks"
BUILTIN = "belvo_check.checks"  # the package of built-in check modules (the repository's checks/ folder)
CHECK_ID = re.compile(r"^BLV([1-8])\d\d$")

CheckFunction = Callable[..., "Finding | Iterable[Finding] | None"]


@dataclass(frozen=True)
class CheckMeta:
    """Everything a check declares about itself, read by list, explain, the runner and the reports."""

    id: str
    title: str  # what passing means, e.g. "request_id of 500 errors is logged"
    failure_title: str  # what failing means, e.g. "request_id of 500 errors is not logged"
    checklist: str  # the checklist sentence this check verifies
    evidence: tuple[Evidence, ...]
    hint: str  # the one-line fix shown under a fail or warn
    severity: Status  # what a violation is reported as: fail, or warn for advisory checks
    docs: str  # markdown: what, why Belvo asks, how to fix, example
    origin: str  # the module that registered it
    drills: tuple[Drill, ...] = ()  # the harness drills it judges
    flows: tuple[str, ...] = ()  # integration.flows it cannot be judged without
    store: bool = False  # needs integration.store read back
    start: bool = False  # needs the receiver belvo-check starts (integration.start)
    source: SourceRule | None = None  # the source concepts that bear on the item (belvo_check.source.verdict)

    @property
    def behaviour(self) -> tuple[Evidence, ...]:
        """The evidence kinds the check's function judges: all it declares but the source."""
        return tuple(kind for kind in self.evidence if kind is not Evidence.SOURCE)

    @property
    def section(self) -> Section:
        return SECTION_BY_NUMBER[int(self.id[3])]


@dataclass(frozen=True)
class Check:
    """A registered check: its declaration and its function."""

    meta: CheckMeta
    func: CheckFunction


@dataclass(frozen=True)
class CheckContext:
    """What one check receives: its own metadata, the config, and the evidence it declared."""

    meta: CheckMeta
    run: Context

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def config(self):
        return self.run.config

    @property
    def loaded(self):
        return self.run.loaded

    @property
    def options(self):
        return self.run.options

    def redact(self, text):
        return self.run.redact(text)

    def evidence(self, kind: Evidence | str) -> Any:
        kind = Evidence(kind)
        if kind not in self.meta.evidence:
            raise LookupError(f"check {self.id} asks for {kind.value} evidence but declares only "
                              f"{', '.join(e.value for e in self.meta.evidence)}")
        return self.run.evidence(kind)

    # The evidence objects are defined in the layers above (the harness, the probes), which stand
    # on this one: they are named here, not imported, so every import points down.
    @property
    def harness(self) -> Any:
        """The harness evidence (belvo_check.harness.scheduler.Harness)."""
        return self.evidence(Evidence.HARNESS)

    @property
    def probes(self) -> Any:
        """The probe evidence (belvo_check.probes.deliveries.Probes)."""
        return self.evidence(Evidence.PROBE)

    def drill(self, drill: Drill) -> Any:
        """The outcome of one declared drill (belvo_check.harness.outcome.Outcome)."""
        return self.drills(drill)[0]

    def drills(self, *drills: Drill) -> list:
        """The outcomes of declared drills; all are scheduled before waiting, so they run side by side."""
        undeclared = [d.name for d in drills if d not in self.meta.drills]
        if undeclared:
            raise LookupError(f"check {self.id} asks for drill {undeclared[0]!r} but does not declare it")
        return self.harness.drills(*drills)

    def runnable(self, *drills: Drill) -> list[Drill]:
        """Those of these drills this check can be judged on with the flows configured."""
        return [d for d in drills if self.unrunnable(d) is None]

    def unrunnable(self, drill: Drill) -> Finding | None:
        """A skip naming the config line for a flow this drill needs that is not configured, or None.

        The drill's own required flows count, and so do the flows this check declares among those
        the drill runs; a flow only other checks need (delete_link at the end of `plain`) is left
        out of the run instead of turning this check into a skip.
        """
        from belvo_check.evidence import EvidenceUnavailable
        from belvo_check.model import skipped

        needed = [flow for flow in dict.fromkeys(drill.flows)
                  if flow not in drill.optional or flow in self.meta.flows]
        try:
            self.harness.require_flows(*needed)
        except EvidenceUnavailable as exc:
            return skipped(f"drill {drill.name}: {exc.message}", enable=exc.enable)
        return None

    def reproduce(self) -> str:
        return f"belvo-check run -c {self.loaded.path} --select {self.id} -v"


class Registry:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self.retired: dict[str, str] = {}  # id -> what it was and what replaces it; ids are never reused

    def add(self, check: Check) -> None:
        if check.meta.id in self.retired:
            raise UsageError(f"check id {check.meta.id} is retired ({self.retired[check.meta.id]}): ids are never reused")
        existing = self._checks.get(check.meta.id)
        if existing is not None and existing.func is not check.func:
            raise UsageError(
                f"two checks claim the id {check.meta.id}: {existing.meta.origin} and {check.meta.origin}"
            )
        self._checks[check.meta.id] = check

    def __len__(self) -> int:
        return len(self._checks)

    def all(self) -> list[Check]:
        return [self._checks[key] for key in sorted(self._checks)]

    def get(self, check_id: str) -> Check:
        check = self._checks.get(check_id.upper())
        if check is None and check_id.upper() in self.retired:
            raise UsageError(f"{check_id.upper()} is retired: {self.retired[check_id.upper()]}")
        if check is None:
            raise UsageError(f"no check has the id {check_id!r}{_suggest(check_id.upper(), self._checks)} "
                             "(`belvo-check list` shows them all)")
        return check

    def select(self, selectors: Iterable[str]) -> list[Check]:
        """Checks matching any selector: an id (BLV203), an id prefix (BLV2), or a section name."""
        chosen: dict[str, Check] = {}
        for selector in selectors:
            matches = self.matching(selector)
            if not matches and selector.strip().upper() in self.retired:
                raise UsageError(f"{selector.strip().upper()} is retired: {self.retired[selector.strip().upper()]}")
            if not matches:
                vocabulary = list(self._checks) + list(SECTION_BY_NAME)
                raise UsageError(f"unknown check selector {selector!r}{_suggest(selector, vocabulary)} "
                                 "(use an id like BLV203, an id prefix like BLV2, or a section name like errors; "
                                 "`belvo-check list` shows them all)")
            chosen.update((c.meta.id, c) for c in matches)
        return [chosen[key] for key in sorted(chosen)]

    def matching(self, selector: str) -> list[Check]:
        wanted = selector.strip()
        section = SECTION_BY_NAME.get(wanted.lower())
        if section is not None:
            return [c for c in self.all() if c.meta.section == section]
        prefix = wanted.upper()
        return [c for c in self.all() if c.meta.id.startswith(prefix)] if prefix.startswith("BLV") else []


def _suggest(word: str, vocabulary: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.75)  # a typo, not any BLV id
    return f": did you mean {close[0]!r}?" if close else ""


REGISTRY = Registry()


def check(*, id: str, title: str, failure_title: str, checklist: str, evidence: Iterable[Evidence],
          hint: str, severity: Status = Status.FAIL, drills: Iterable[Drill] = (), flows: Iterable[str] = (),
          store: bool = False, start: bool = False, source: SourceRule | None = None,
          ) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check. The decorated function's docstring is its markdown documentation.

    `drills` are the harness drills it judges (Drill objects, declared in belvo_check.harness.drills); `flows`,
    `store` and `start` are what it cannot be judged without: when one is not configured the runner
    reports the check as skipped, naming the config line that enables it. `source` names the source
    concepts that bear on the item (`belvo_check.source.verdict.source(...)`): the runner judges them
    and meets that verdict with the function's (belvo_check.agreement). A check whose only evidence is
    the source has a function that only documents it. Mistakes here fail at import.
    """
    if not CHECK_ID.match(id):
        raise UsageError(f"check id {id!r} must look like BLV<section 1-8><two digits>, e.g. BLV203")
    if severity not in (Status.FAIL, Status.WARN):
        raise UsageError(f"check {id}: severity must be fail or warn")
    kinds = tuple(Evidence(e) for e in evidence)
    if source is not None:
        if not isinstance(source, SourceRule) or not source.concepts:
            raise UsageError(f"check {id}: source must name concepts, e.g. source=source('timeout')")
        kinds = kinds if Evidence.SOURCE in kinds else (*kinds, Evidence.SOURCE)
    elif Evidence.SOURCE in kinds:
        raise UsageError(f"check {id}: source evidence is declared with source=source('concept', ...)")
    drills, flows = tuple(drills), tuple(flows)
    for drill in drills:
        if not isinstance(drill, Drill):
            raise UsageError(f"check {id}: drills must be Drill objects from belvo_check.harness.drills, "
                             f"not {drill!r}")
    for flow in flows:
        if flow not in FLOWS:
            raise UsageError(f"check {id}: unknown flow {flow!r} (flows: {', '.join(FLOWS)})")
    if (drills or flows or store or start) and Evidence.HARNESS not in kinds:
        raise UsageError(f"check {id}: drills, flows, store and start are harness evidence: declare Evidence.HARNESS")

    def register(func: CheckFunction) -> CheckFunction:
        # cleandoc, not textwrap.dedent: a third of the time, for each of the checks `belvo-check list` loads
        meta = CheckMeta(id=id, title=title, failure_title=failure_title, checklist=checklist, evidence=kinds,
                         hint=hint, severity=severity, docs=inspect.cleandoc(func.__doc__ or ""),
                         origin=func.__module__, drills=drills, flows=flows, store=store, start=start,
                         source=source)
        REGISTRY.add(Check(meta, func))
        return func

    return register


def retire(id: str, title: str, why: str) -> None:
    """Record a check id that no longer exists, so selecting or explaining it says what replaced it."""
    REGISTRY.retired[id] = f"was {title!r}; {why}"


_loaded = False


def load_registry() -> Registry:
    """Import the built-in check modules, then every plugin's, once: importing a module registers its checks."""
    global _loaded
    if not _loaded:
        for name, load in [*_builtin_modules(), *_plugin_modules()]:
            try:
                load()
            except UsageError:
                raise
            except Exception as exc:  # a broken check module is a usage problem, named, not a traceback
                raise UsageError(f"check module {name} failed to load: {exc}") from exc
        _loaded = True
    return REGISTRY


def _builtin_modules() -> list[tuple[str, Callable[[], object]]]:
    # Found by name, as plugins are: the check modules stand on the registry, it does not import them.
    # A listing, not pkgutil.iter_modules: importing pkgutil alone costs `belvo-check list` half a millisecond.
    checks = importlib.import_module(BUILTIN)
    names = [f"{checks.__name__}.{name[:-3]}" for folder in checks.__path__ for name in sorted(os.listdir(folder))
             if name.endswith(".py") and name != "__init__.py"]
    return [(name, lambda name=name: importlib.import_module(name)) for name in names]


def _any_plugin_installed() -> bool:
    """A cheap look through installed distributions' entry_points.txt for our group.

    importlib.metadata costs more to import than the rest of `belvo-check list`; most
    environments have no plugin, so only pay for it when one is there.
    """
    marker = f"[{ENTRY_POINT_GROUP}]"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(folder or ".", name, "entry_points.txt"), encoding="utf-8") as handle:
                        if marker in handle.read():
                            return True
                except OSError:
                    continue
    return False


def _plugin_modules() -> list[tuple[str, Callable[[], object]]]:
    if not _any_plugin_installed():
        return []
    from importlib.metadata import entry_points

    return [(f"{entry.value} (plugin {entry.name!r})", entry.load) for entry in entry_points(group=ENTRY_POINT_GROUP)]
