"""Reading back what a receiver stored, to see whether a duplicate delivery had a duplicate effect.

With the harness, its receiver reads the store. Without it (probes sent to webhooks.probe_url),
`integration.store` is read here directly, provided it names no harness placeholder.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Callable

Snapshot = dict[str, list]
COMMAND_TIMEOUT = 15.0
MAX_OUTPUT = 4_000_000


def reader_from_config(ctx) -> tuple[Callable[[], Snapshot], str] | None:
    """(read function, description) for the configured store, or None when there is none usable here."""
    integration = ctx.config.integration
    store = integration.store if integration else None
    if store is None:
        return None
    base = Path(ctx.loaded.base_dir) / (integration.cwd or ".")
    if store.sqlite and (store.transactions or store.links):
        if "{" in store.sqlite:
            return None  # a harness placeholder such as {workdir}: only the harness can read it
        path = (base / store.sqlite).resolve()
        queries = {name: q for name, q in (("transactions", store.transactions), ("links", store.links)) if q}
        return (lambda: _read_sqlite(path, queries)), f"sqlite {path} ({', '.join(queries)})"
    if store.command:
        if any("{" in command for command in store.command.values()):
            return None
        commands = dict(store.command)
        return (lambda: _read_commands(commands, base)), f"store commands ({', '.join(commands)})"
    return None


def _read_sqlite(path: Path, queries: dict[str, str]) -> Snapshot:
    if not path.exists():
        return {name: [] for name in queries}
    # read-only: a probe never writes to the integration's store
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as conn:
        return {name: [tuple(row) for row in conn.execute(query).fetchall()] for name, query in queries.items()}


def _read_commands(commands: dict[str, str], cwd: Path) -> Snapshot:
    snapshot: Snapshot = {}
    for name, command in commands.items():
        done = subprocess.run(shlex.split(command), cwd=cwd, capture_output=True, timeout=COMMAND_TIMEOUT)
        rows = []
        for line in done.stdout[:MAX_OUTPUT].decode(errors="replace").splitlines():
            if line.strip():
                try:
                    rows.append(json.dumps(json.loads(line), sort_keys=True))
                except ValueError:
                    rows.append(line.strip())
        snapshot[name] = rows
    return snapshot


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
