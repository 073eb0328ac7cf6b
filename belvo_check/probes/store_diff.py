"""Reading back what a receiver stored, to see whether a duplicate delivery had a duplicate effect.

With the harness, its receiver reads the store. Without it (probes sent to webhooks.probe_url),
`integration.store` is read with the harness's readers, provided it names no harness placeholder.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Callable

from belvo_check.harness.store import read_commands, read_sqlite

Snapshot = dict[str, list]  # table -> rows


def reader_from_config(ctx) -> tuple[Callable[[], Snapshot], str] | None:
    """(read function, description) for the configured store, or None when there is none usable here."""
    integration = ctx.config.integration
    store = integration.store if integration else None
    if store is None or ctx.loaded.missing_env("integration", "store") or ctx.loaded.missing_env("integration", "cwd"):
        return None  # an unset ${VAR} there: the harness checks name it
    base = Path(ctx.loaded.base_dir) / (integration.cwd or ".")
    if store.sqlite and (store.transactions or store.links):
        if "{" in store.sqlite:
            return None  # a harness placeholder such as {workdir}: only the harness can read it
        path = (base / store.sqlite).resolve()
        queries = {name: q for name, q in (("transactions", store.transactions), ("links", store.links)) if q}
        return (lambda: read_sqlite(path, queries).readable()), f"sqlite {path} ({', '.join(queries)})"
    if store.command:
        if any("{" in command for command in store.command.values()):
            return None
        commands = dict(store.command)
        read = lambda: read_commands(commands, env=dict(os.environ), cwd=str(base),  # noqa: E731
                                     timeout=integration.timeout).readable()
        return read, f"store commands ({', '.join(commands)})"
    return None


def added(before: Snapshot, after: Snapshot) -> dict[str, int]:
    """Rows present after and not before, per table (a multiset difference, so duplicates count)."""
    counts = {}
    for table, rows in after.items():
        extra = Counter(_key(r) for r in rows) - Counter(_key(r) for r in before.get(table, []))
        if extra:
            counts[table] = sum(extra.values())
    return counts


def changed(before: Snapshot, after: Snapshot) -> bool:
    return any(Counter(map(_key, after.get(t, []))) != Counter(map(_key, before.get(t, [])))
               for t in set(before) | set(after))


def size(snapshot: Snapshot) -> str:
    return ", ".join(f"{table}: {len(rows)} rows" for table, rows in sorted(snapshot.items())) or "empty"


def _key(row) -> str:
    if isinstance(row, (list, tuple)):
        return json.dumps([str(v) for v in row])
    if isinstance(row, dict):
        return json.dumps(row, sort_keys=True, default=str)
    return str(row)
