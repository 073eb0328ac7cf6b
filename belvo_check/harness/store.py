"""Read back what the integration stored: SQL against its sqlite file, or a command per table printing JSON lines."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from belvo_check.harness import procs

TABLES = ("transactions", "links")
ID_KEYS = ("belvo_id", "id")  # for JSON rows; SQL rows use their first column
MAX_ROWS = 200_000


@dataclass
class Snapshot:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why a table could not be read

    def has(self, table: str) -> bool:
        return table in self.tables

    def rows(self, table: str) -> list[dict]:
        return self.tables.get(table, [])

    def ids(self, table: str) -> list[str]:
        """The Belvo id of each row, in order, duplicates kept."""
        out = []
        for row in self.rows(table):
            key = next((k for k in ID_KEYS if k in row), next(iter(row), None))
            if key is not None and row[key] is not None:
                out.append(str(row[key]))
        return out


def read_sqlite(path: Path, queries: dict[str, str]) -> Snapshot:
    snap = Snapshot()
    if not path.exists():
        snap.problems.append(f"{path.name} does not exist (nothing stored yet)")
        snap.tables = {table: [] for table in queries}
        return snap
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        snap.problems.append(f"cannot open {path.name}: {exc}")
        return snap
    try:
        for table, sql in queries.items():
            try:
                cur = conn.execute(sql)
                names = [d[0] for d in cur.description or ()]
                snap.tables[table] = [dict(zip(names, row)) for row in cur.fetchmany(MAX_ROWS)]
            except sqlite3.Error as exc:
                # A table that does not exist yet is an empty store, not a broken query.
                if "no such table" in str(exc):
                    snap.tables[table] = []
                else:
                    snap.problems.append(f"integration.store.{table}: {exc}")
    finally:
        conn.close()
    return snap


def read_commands(commands: dict[str, str], *, env: dict, cwd: str, timeout: float) -> Snapshot:
    snap = Snapshot()
    for table, command in commands.items():
        result = procs.run(command, env=env, cwd=cwd, timeout=timeout)
        if result.timed_out or result.exit_code != 0:
            why = "timed out" if result.timed_out else f"exited {result.exit_code}"
            snap.problems.append(f"integration.store.command.{table} {why}: {result.stderr.strip()[-300:]}")
            continue
        rows = []
        for number, line in enumerate(result.stdout.splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except ValueError:
                snap.problems.append(f"integration.store.command.{table}: line {number} is not JSON")
                break
            rows.append(row if isinstance(row, dict) else {"id": row})
        snap.tables[table] = rows[:MAX_ROWS]
    return snap
