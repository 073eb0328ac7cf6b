"""Read back what the integration stored: SQL against its sqlite file, or a command per table printing JSON lines.

Reading must never change the team's store. The sqlite file is opened read-only, attaching any
other database is impossible (that is how `VACUUM INTO` and `ATTACH '...?mode=rw'` would write),
and an authorizer lets a configured query do nothing but read: one SELECT, within a budget of
steps, seconds, rows and bytes. A refused or over-budget query is a problem naming its
`integration.store.<table>` key, like any other unreadable store.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from belvo_check.harness import procs

TABLES = ("transactions", "links")
ID_KEYS = ("belvo_id", "id")  # for JSON rows; SQL rows use their first column
MAX_ROWS = 200_000  # far beyond any drill (the biggest link has 25,000 transactions)
MAX_BYTES = 64 << 20  # text and blobs read back per table
MAX_VALUE = 1 << 20  # one string or blob, set as sqlite's length limit so a huge value is never built
MAX_STEPS = 200_000_000  # sqlite VM instructions per query
MAX_SECONDS = 20.0  # per query, wall clock
_STEP_CHECK = 10_000  # the budget is checked every this many VM instructions

# What a query may do: read tables and columns, select, call functions, recurse in a CTE.
_READ_ONLY = {sqlite3.SQLITE_READ, sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
# Functions that reach outside the database (loading native code, fts3's raw pointers).
_FORBIDDEN_FUNCTIONS = {"load_extension", "fts3_tokenizer"}
# The authorizer's action codes by name, for saying what was refused.
_ACTIONS = {getattr(sqlite3, f"SQLITE_{name}"): name.replace("_", " ") for name in (
    "CREATE_INDEX", "CREATE_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_TABLE", "CREATE_TEMP_TRIGGER",
    "CREATE_TEMP_VIEW", "CREATE_TRIGGER", "CREATE_VIEW", "DELETE", "DROP_INDEX", "DROP_TABLE",
    "DROP_TEMP_INDEX", "DROP_TEMP_TABLE", "DROP_TEMP_TRIGGER", "DROP_TEMP_VIEW", "DROP_TRIGGER", "DROP_VIEW",
    "INSERT", "PRAGMA", "TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER_TABLE", "REINDEX", "ANALYZE",
    "CREATE_VTABLE", "DROP_VTABLE", "SAVEPOINT")}
# A query starts with one of these; anything else (VACUUM, ATTACH, PRAGMA, DDL) is not a read.
_QUERY_START = re.compile(r"\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(SELECT|WITH|VALUES)\b", re.IGNORECASE | re.DOTALL)
_NOT_A_QUERY = "refused: the store is only read, so the query must be one SELECT (or WITH ... SELECT)"
# How procs.BoundedBuffer marks the output it dropped.
_DROPPED = re.compile(r"^\[\.\.\. \d+ bytes of output dropped \.\.\.\]$", re.MULTILINE)


@dataclass
class Snapshot:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why a table could not be read, or "nothing stored yet"
    unreadable: str | None = None  # the first problem that kept a configured table from being read

    def fail(self, problem: str) -> None:
        self.problems.append(problem)
        self.unreadable = self.unreadable or problem

    def readable(self) -> dict[str, list[dict]]:
        """Every configured table, or StoreUnreadable saying why one could not be read."""
        if self.unreadable:
            raise StoreUnreadable(self.unreadable)
        return dict(self.tables)

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


class StoreUnreadable(Exception):
    """A configured table could not be read back (a refused query, a failing command)."""


class _Refused(Exception):
    """A query asked for more than reading, or more than its budget."""


def sqlite_uri(path: Path) -> str:
    """A read-only file: URI for `path`; spaces, `?`, `#` and `%` in it are escaped, not parsed."""
    return f"file:{urllib.parse.quote(str(Path(path).absolute()), safe='/')}?mode=ro"


def read_sqlite(path: Path, queries: dict[str, str]) -> Snapshot:
    # Refused before the file is even looked at, so a store that does not exist yet hides nothing.
    snap = Snapshot()
    for table in [t for t, sql in queries.items() if not _QUERY_START.match(sql)]:
        snap.fail(f"integration.store.{table}: {_NOT_A_QUERY}")
    queries = {table: sql for table, sql in queries.items() if _QUERY_START.match(sql)}
    if not path.exists():
        snap.problems.append(f"{path.name} does not exist (nothing stored yet)")
        snap.tables = {table: [] for table in queries}
        return snap
    try:
        conn = sqlite3.connect(sqlite_uri(path), uri=True, timeout=5, isolation_level=None)
    except sqlite3.Error as exc:
        snap.fail(f"cannot open {path.name}: {exc}")
        return snap
    try:
        if hasattr(conn, "setlimit"):  # Python 3.11+; on 3.10 the authorizer alone refuses ATTACH
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE)
        for table, sql in queries.items():
            try:
                snap.tables[table] = _query(conn, sql)
            except _Refused as exc:
                snap.fail(f"integration.store.{table}: {exc}")
            except sqlite3.Error as exc:
                # A table that does not exist yet is an empty store, not a broken query.
                if "no such table" in str(exc):
                    snap.tables[table] = []
                else:
                    snap.fail(f"integration.store.{table}: {exc}")
    finally:
        conn.close()
    return snap


def _query(conn: sqlite3.Connection, sql: str) -> list[dict]:
    """The rows of one read-only query, or _Refused saying which rule it broke."""
    refused: list[str] = []
    steps = 0
    deadline = time.monotonic() + MAX_SECONDS

    def authorize(action, arg1, arg2, db_name, trigger):
        if action in _READ_ONLY and not (action == sqlite3.SQLITE_FUNCTION and arg2 in _FORBIDDEN_FUNCTIONS):
            return sqlite3.SQLITE_OK
        refused.append(arg2 if action == sqlite3.SQLITE_FUNCTION else _ACTIONS.get(action, f"action {action}"))
        return sqlite3.SQLITE_DENY

    def over_budget():
        nonlocal steps
        steps += _STEP_CHECK
        return steps > MAX_STEPS or time.monotonic() > deadline

    conn.set_authorizer(authorize)
    conn.set_progress_handler(over_budget, _STEP_CHECK)
    try:
        try:
            cursor = conn.execute(sql)
            names = [d[0] for d in cursor.description or ()]
            rows, size = [], 0
            while batch := cursor.fetchmany(1000):
                rows.extend(dict(zip(names, row)) for row in batch)
                size += sum(len(v) for row in batch for v in row if isinstance(v, (str, bytes)))
                if len(rows) > MAX_ROWS or size > MAX_BYTES:
                    raise _Refused(f"the query returned more than {MAX_ROWS} rows or {MAX_BYTES >> 20} MiB; "
                                   "select only the stored ids and the columns checks read")
            return rows
        except (sqlite3.ProgrammingError, sqlite3.Warning) as exc:  # Python 3.10 warns, 3.11+ raises
            if "one statement" in str(exc):
                raise _Refused("one SQL statement per table: remove everything after the first `;`") from None
            raise
        except sqlite3.DatabaseError as exc:
            if refused:
                what = ", ".join(dict.fromkeys(refused))
                raise _Refused(f"refused ({what}): the store is only read, so a query may only SELECT") from None
            if "interrupted" in str(exc):
                raise _Refused(f"the query ran past its budget ({MAX_STEPS} steps or {MAX_SECONDS:.0f} s)") from None
            raise
    finally:
        conn.set_progress_handler(None, 0)
        conn.set_authorizer(None)


def read_commands(commands: dict[str, str], *, env: dict, cwd: str, timeout: float) -> Snapshot:
    """Run each table's command (integration's timeout, bounded output) and parse its JSON lines."""
    snap = Snapshot()
    for table, command in commands.items():
        key = f"integration.store.command.{table}"
        result = procs.run(command, env=env, cwd=cwd, timeout=timeout)
        if result.timed_out or result.exit_code != 0:
            why = f"timed out after {timeout:g} s" if result.timed_out else f"exited {result.exit_code}"
            snap.fail(f"{key} {why}: {result.stderr.strip()[-300:]}")
            continue
        try:
            snap.tables[table] = _json_lines(result.stdout)
        except _Refused as exc:
            snap.fail(f"{key}: {exc}")
    return snap


def _json_lines(text: str) -> list[dict]:
    if _DROPPED.search(text):
        raise _Refused(f"printed more than {procs.MAX_STREAM >> 20} MiB, so its rows cannot all be read; "
                       "print one short JSON object per row")
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            raise _Refused(f"line {number} is not a JSON value (print one JSON object per line)") from None
        rows.append(row if isinstance(row, dict) else {"id": row})
        if len(rows) > MAX_ROWS:
            raise _Refused(f"printed more than {MAX_ROWS} rows")
    return rows
