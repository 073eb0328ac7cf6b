"""Static evidence: the integration's source tree and git history, in any of its languages.

Importing this package is free: discovery, parsing (ast, tree-sitter) and the concept matchers
load only when a scan runs, so `belvo-check list` never pays for them.

Public API (see docs/belvo-api.md for the Belvo facts the matchers rely on):
    scan(root, include, exclude, frontend, *, concepts=None, jobs=None) -> SourceScan
    cached_scan(root, include, exclude, frontend) -> SourceScan     (one scan shared by all checks)
    findings(concept, root, include, exclude, frontend) -> list[SourceFinding]
    from_config(config, base_dir) -> SourceScan | None               (reads the config's `source:` section)
    scan_history(root) -> HistoryScan                                (secrets in every commit)
    concept_names() -> dict[str, str]                                (concept -> title)
    SourceFinding, SourceScan, Suppression
"""

from __future__ import annotations

_EXPORTS = {
    "scan": "belvo_check.source.scanner", "cached_scan": "belvo_check.source.scanner",
    "findings": "belvo_check.source.scanner", "from_config": "belvo_check.source.scanner",
    "SourceScan": "belvo_check.source.scanner", "SourceFinding": "belvo_check.source.finding",
    "Suppression": "belvo_check.source.suppress", "scan_history": "belvo_check.source.history",
    "HistoryScan": "belvo_check.source.history",
}


def concept_names() -> dict[str, str]:
    from belvo_check.source.concepts import DERIVED, load

    return {**{name: c.title for name, c in load().items()}, **DERIVED}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
