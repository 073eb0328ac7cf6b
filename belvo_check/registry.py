"""The check registry: checks register with a decorator; plugins arrive through entry points.

Modelled on Django's system checks (registered functions with stable ids and hints) and
Lighthouse audits (metadata plus one audit function). A check's docstring is its docs.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import sys
import textwrap
from dataclasses import dataclass
from typing import Callable, Iterable

from belvo_check.errors import UsageError
from belvo_check.model import SECTION_BY_NAME, SECTION_BY_NUMBER, Evidence, Finding, Section, Status

ENTRY_POINT_GROUP = "belvo_check.checks"
CHECK_ID = re.compile(r"^BLV([1-8])\d\d$")

CheckFunction = Callable[..., "Finding | Iterable[Finding] | None"]


@dataclass(frozen=True)
class CheckMeta:
    id: str
    title: str  # what passing means, e.g. "request_id of 500 errors is logged"
    failure_title: str  # what failing means, e.g. "request_id of 500 errors is not logged"
    checklist: str  # the checklist sentence this check verifies
    evidence: tuple[Evidence, ...]
    hint: str  # the one-line fix shown under a fail or warn
    severity: Status  # what a violation is reported as: fail, or warn for advisory checks
    docs: str  # markdown: what, why Belvo asks, how to fix, example
    origin: str  # the module that registered it

    @property
    def section(self) -> Section:
        return SECTION_BY_NUMBER[int(self.id[3])]


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    func: CheckFunction


class Registry:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def add(self, check: Check) -> None:
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
        if check is None:
            raise UsageError(f"no check has the id {check_id!r}{_suggest(check_id.upper(), self._checks)} "
                             "(`belvo-check list` shows them all)")
        return check

    def select(self, selectors: Iterable[str]) -> list[Check]:
        """Checks matching any selector: an id (BLV203), an id prefix (BLV2), or a section name."""
        chosen: dict[str, Check] = {}
        for selector in selectors:
            matches = self.matching(selector)
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
          hint: str, severity: Status = Status.FAIL) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check. The decorated function's docstring is its markdown documentation."""
    if not CHECK_ID.match(id):
        raise UsageError(f"check id {id!r} must look like BLV<section 1-8><two digits>, e.g. BLV203")
    if severity not in (Status.FAIL, Status.WARN):
        raise UsageError(f"check {id}: severity must be fail or warn")

    def register(func: CheckFunction) -> CheckFunction:
        meta = CheckMeta(id=id, title=title, failure_title=failure_title, checklist=checklist,
                         evidence=tuple(Evidence(e) for e in evidence), hint=hint, severity=severity,
                         docs=textwrap.dedent(func.__doc__ or "").strip(), origin=func.__module__)
        REGISTRY.add(Check(meta, func))
        return func

    return register


_loaded = False


def load_registry() -> Registry:
    """Import the built-in check modules, then every plugin's entry point, once."""
    global _loaded
    if not _loaded:
        import checks

        for module in pkgutil.iter_modules(checks.__path__):
            importlib.import_module(f"checks.{module.name}")
        _load_plugins()
        _loaded = True
    return REGISTRY


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


def _load_plugins() -> None:
    if not _any_plugin_installed():
        return
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry.load()  # importing the plugin module registers its checks
        except UsageError:
            raise
        except Exception as exc:  # a broken plugin is a usage problem, named, not a traceback
            raise UsageError(f"check plugin {entry.name!r} ({entry.value}) failed to load: {exc}") from exc
