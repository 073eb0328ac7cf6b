"""The concepts the source layer can find, one module per concept group, each registered here.

A concept has a per-file matcher (`match(SourceText) -> findings`) that sees only files whose
prefilter topics admit it, and optionally a tree-level `conclude(findings, tree)` that turns
what was (or was not) seen across all files into conclusions, e.g. "links are created but
token_required is never handled". Concept names are the `concept` field of every finding.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from belvo_check.source.finding import SourceFinding

MODULES = ("secrets", "tls", "hosts", "timeouts", "requests", "webhooks", "errors", "links", "compat", "widget")


@dataclass(frozen=True)
class Concept:
    name: str
    title: str
    topics: frozenset[str]  # the file must have one of these prefilter topics
    match: Callable[..., Iterable[SourceFinding]]
    code_only: bool = False  # matcher needs parsed code (config and docs files are skipped)
    skip_tests: bool = False  # test files are skipped (they talk to local fakes and hold made-up keys)
    skip_languages: frozenset[str] = frozenset()  # languages or text kinds never matched, e.g. markdown
    conclude: Callable[..., Iterable[SourceFinding]] | None = None
    docs: str = ""  # what the matcher reads and what its verdicts mean, for `belvo-check explain`


CONCEPTS: dict[str, Concept] = {}
# Concepts reported by another concept's matcher or by the history scan, with their titles.
DERIVED = {
    "webhook_auth": "Webhook receivers checking Authorization (from webhook_route)",
    "webhook_dedupe": "Webhook receivers de-duplicating by webhook_id (from webhook_route)",
    "webhook_codes": "Webhook receivers handling the data codes of single and recurrent links (from webhook_route)",
    "secret_history": "Belvo secrets anywhere in git history (belvo_check.source.history)",
    "suppression": "Inline suppressions without a reason (belvo_check.source.suppress)",
}


def concept(name: str, title: str, topics: Iterable[str], *, code_only: bool = False, skip_tests: bool = False,
            skip_languages: Iterable[str] = (), docs: str = ""):
    def register(func):
        CONCEPTS[name] = Concept(name, title, frozenset(topics), func, code_only, skip_tests, frozenset(skip_languages),
                                 docs=" ".join(docs.split()))
        return func
    return register


def conclusion(name: str):
    """Registers the tree-level conclusion of an already registered concept."""
    def register(func):
        CONCEPTS[name] = replace(CONCEPTS[name], conclude=func)
        return func
    return register


def load() -> dict[str, Concept]:
    for module in MODULES:
        importlib.import_module(f"belvo_check.source.concepts.{module}")
    return CONCEPTS
