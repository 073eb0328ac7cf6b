"""Hostile store read-backs: a configured query or store command may read, never write, hang or flood.

Every write attempt runs against a real sqlite file in a folder whose name needs URI escaping;
afterwards the file's bytes and mtime are unchanged and no file appeared anywhere in tmp_path.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import urllib.parse
from pathlib import Path

import pytest

from belvo_check.harness.store import MAX_ROWS, read_commands, read_sqlite
from tests.conftest import ROOT, run_cli
from tests.probes.helpers import AUTH, Receiver, receiver_config

LINKS_SQL = "SELECT belvo_id, institution_user_id, status FROM links"
LINK_ROWS = [{"belvo_id": "l1", "institution_user_id": "u1", "status": "valid"}]
ONLY_READ = "refused: the store is only read, so the query must be one SELECT (or WITH ... SELECT)"


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root: its bytes and mtime."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))
            if p.is_file()}


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture
def team_db(tmp_path) -> Path:
    """The team's store, in a folder whose name a file: URI must escape (space, ?, #, %)."""
    folder = tmp_path / "team store ?#%20 x"
    folder.mkdir()
    db = folder / "team's.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE transactions (belvo_id TEXT);"
                       "INSERT INTO transactions VALUES ('t1'), ('t2');"
                       "CREATE TABLE links (belvo_id TEXT, institution_user_id TEXT, status TEXT);"
                       "INSERT INTO links VALUES ('l1', 'u1', 'valid');")
    conn.commit()
    conn.close()
    return db


def hostile_queries(db: Path, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """name -> (query, the exact problem it must become)."""
    uri = "file:" + urllib.parse.quote(str(db))
    return {
        "attach read-write, then drop": (f"ATTACH DATABASE {sql_text(uri + '?mode=rw')} AS w", ONLY_READ),
        "attach a new file (rwc)": (f"ATTACH DATABASE {sql_text(f'file:{tmp_path}/new.db?mode=rwc')} AS n",
                                    ONLY_READ),
        "vacuum into a copy": (f"VACUUM INTO {sql_text(str(tmp_path / 'copy.db'))}", ONLY_READ),
        "chained drop": ("SELECT belvo_id FROM transactions; DROP TABLE transactions",
                         "one SQL statement per table: remove everything after the first `;`"),
        "drop behind a comment": ("/* SELECT */ DROP TABLE transactions", ONLY_READ),
        "pragma write": ("PRAGMA journal_mode=WAL", ONLY_READ),
        "delete inside a WITH": ("WITH doomed AS (SELECT 1) DELETE FROM transactions",
                                 "refused (DELETE): the store is only read, so a query may only SELECT"),
        "insert inside a WITH": ("WITH x AS (SELECT 1) INSERT INTO links VALUES ('x', 'y', 'z')",
                                 "refused (INSERT): the store is only read, so a query may only SELECT"),
        "load native code": ("SELECT load_extension('/nonexistent/evil')",
                             "refused (load_extension): the store is only read, so a query may only SELECT"),
    }


@pytest.mark.parametrize("name", list(hostile_queries(Path("x"), Path("y"))))
def test_a_query_that_would_write_is_refused_and_nothing_changes_on_disk(team_db, tmp_path, name):
    query, problem = hostile_queries(team_db, tmp_path)[name]
    before = tree(tmp_path)
    snap = read_sqlite(team_db, {"transactions": query, "links": LINKS_SQL})
    assert snap.problems == [f"integration.store.transactions: {problem}"]
    assert "transactions" not in snap.tables and snap.tables["links"] == LINK_ROWS
    assert tree(tmp_path) == before  # same files, same bytes, same mtimes: nothing written anywhere
    assert read_sqlite(team_db, {"transactions": "SELECT belvo_id FROM transactions"}).tables == {
        "transactions": [{"belvo_id": "t1"}, {"belvo_id": "t2"}]}


@pytest.mark.parametrize("query, problem", [
    ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c",
     f"the query returned more than {MAX_ROWS} rows or 64 MiB; select only the stored ids and the columns "
     "checks read"),
    ("SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)",
     "the query ran past its budget (200000000 steps or 20 s)"),
    ("SELECT zeroblob(100000000)", "string or blob too big"),
])
def test_a_runaway_query_stops_at_its_budget(team_db, tmp_path, query, problem):
    before = tree(tmp_path)
    snap = read_sqlite(team_db, {"transactions": query})
    assert snap.problems == [f"integration.store.transactions: {problem}"] and snap.tables == {}
    assert tree(tmp_path) == before


def test_a_write_is_refused_even_before_the_database_exists(tmp_path):
    missing = tmp_path / "not yet.db"
    snap = read_sqlite(missing, {"transactions": f"VACUUM INTO {sql_text(str(missing))}", "links": LINKS_SQL})
    assert snap.problems == [f"integration.store.transactions: {ONLY_READ}",
                             "not yet.db does not exist (nothing stored yet)"]
    assert snap.tables == {"links": []} and list(tmp_path.iterdir()) == []


def test_reads_a_live_database_as_it_changes(team_db, tmp_path):
    """mode=ro, not immutable: rows a running integration commits after the first read are seen."""
    writer = sqlite3.connect(team_db)
    writer.execute("PRAGMA journal_mode=WAL")
    query = {"transactions": "SELECT belvo_id FROM transactions ORDER BY belvo_id"}
    try:
        assert read_sqlite(team_db, query).ids("transactions") == ["t1", "t2"]
        writer.execute("INSERT INTO transactions VALUES ('t3')")
        writer.commit()
        assert read_sqlite(team_db, query).ids("transactions") == ["t1", "t2", "t3"]
    finally:
        writer.close()


def run_commands(command: str, timeout: float = 60) -> tuple[dict, list[str]]:
    snap = read_commands({"transactions": command}, env={"PATH": "/usr/bin:/bin"}, cwd=str(ROOT), timeout=timeout)
    return snap.tables, snap.problems


def py(code: str) -> str:
    return f"{sys.executable} -c {json.dumps(code)}"


def test_store_command_rows_are_read():
    tables, problems = run_commands(py("print('{\"id\": \"a\"}'); print(); print('\"b\"')"))
    assert problems == [] and tables == {"transactions": [{"id": "a"}, {"id": "b"}]}


@pytest.mark.parametrize("code, problem", [
    ("import sys; sys.stdout.write('{\"id\": 1}\\n' * 300000)",
     "printed more than 1 MiB, so its rows cannot all be read; print one short JSON object per row"),
    ("print('{\"id\": 1}'); print('Traceback? no: just text')",
     "line 2 is not a JSON value (print one JSON object per line)"),
    ("print('[' * 200000 + ']' * 200000)", "line 1 is not a JSON value (print one JSON object per line)"),
])
def test_a_flooding_or_garbled_store_command_is_a_clear_problem(code, problem):
    tables, problems = run_commands(py(code))
    assert problems == [f"integration.store.command.transactions: {problem}"] and tables == {}


def test_a_hanging_store_command_is_stopped_at_the_integration_timeout():
    tables, problems = run_commands(py("import sys, time; sys.stderr.write('still here'); sys.stderr.flush(); "
                                       "time.sleep(600)"), timeout=1)
    assert problems == ["integration.store.command.transactions timed out after 1 s: still here"] and tables == {}


def test_a_run_with_a_vacuum_into_store_query_warns_and_writes_nothing(team_db, tmp_path, write_config):
    """End to end: the real example integration, the real harness, a store query that tries to copy the db."""
    copy = tmp_path / "stolen.db"
    config = write_config(f"""
        version: 1
        environment: sandbox
        integration:
          cwd: {ROOT / "examples" / "acme"}
          env: {{BELVO_API_URL: "{{sim_url}}", BELVO_SECRET_ID: "{{secret_id}}",
                BELVO_SECRET_PASSWORD: "{{secret_password}}", ACME_DB: "{{workdir}}/acme.db"}}
          flows:
            create_link: "{{python}} -m acme link create --institution {{institution}} --username {{username}} --password {{password}} --external-id {{external_id}}"
            sync: "{{python}} -m acme sync --link {{link_id}}"
          store:
            sqlite: {json.dumps(str(team_db))}
            transactions: "VACUUM INTO '{copy}'"
          timeout: 60
        """)
    before = tree(tmp_path)
    result = run_cli("run", "-c", str(config), "--select", "BLV304", "--format", "json")
    assert result.returncode == 0, result.stderr
    (finding,) = json.loads(result.stdout)["results"][0]["findings"]
    assert finding["status"] == "warn"
    assert finding["message"] == f"the store could not be read: integration.store.transactions: {ONLY_READ}"
    assert tree(tmp_path) == before and not copy.exists()


def test_a_probe_run_with_an_attach_store_query_warns_and_writes_nothing(tmp_path, write_config):
    """End to end without the harness: probes to a real receiver, its store read back with a hostile query."""
    stolen = tmp_path / "stolen.db"
    hook = Receiver("good", tmp_path)
    try:
        attach = f"ATTACH DATABASE {sql_text(f'file:{stolen}?mode=rwc')} AS stolen"
        config = write_config(receiver_config(hook).replace("SELECT belvo_id FROM transactions", json.dumps(attach)))
        result = run_cli("run", "-c", str(config), "--select", "BLV405", "--format", "json", env={"RECEIVER_AUTH": AUTH})
    finally:
        hook.stop()
    assert result.returncode == 0, result.stderr
    (finding,) = json.loads(result.stdout)["results"][0]["findings"]
    assert (finding["status"], finding["message"]) == (
        "warn", f"both deliveries acknowledged, but the store read-back failed: StoreUnreadable: "
                f"integration.store.transactions: {ONLY_READ}")
    assert not stolen.exists()
