"""Acme's local store (sqlite). The whole schema lives here."""

import json
import sqlite3
from datetime import datetime, timezone

from .timestamps import to_date, to_utc_iso

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    belvo_id            TEXT PRIMARY KEY,  -- Belvo's link id: one row per link
    institution         TEXT,
    external_id         TEXT,              -- Acme's own user id
    institution_user_id TEXT,              -- same person at same bank => same value
    access_mode         TEXT,
    status              TEXT,              -- valid | invalid | token_required | unconfirmed | deleted | ...
    created_at          TEXT,
    updated_at          TEXT
);
CREATE INDEX IF NOT EXISTS links_iuid ON links (institution, institution_user_id);

CREATE TABLE IF NOT EXISTS accounts (
    belvo_id          TEXT PRIMARY KEY,
    link_id           TEXT,
    institution       TEXT,
    category          TEXT,
    name              TEXT,
    currency          TEXT,
    balance_current   REAL,
    balance_available REAL,
    collected_at      TEXT,
    created_at        TEXT
);

CREATE TABLE IF NOT EXISTS transactions (
    belvo_id     TEXT,
    link_id      TEXT,
    account_id   TEXT,
    amount       REAL,
    currency     TEXT,
    type         TEXT,
    status       TEXT,
    description  TEXT,
    value_date   TEXT,
    collected_at TEXT,
    created_at   TEXT
);

CREATE TABLE IF NOT EXISTS webhooks (
    webhook_id   TEXT UNIQUE,              -- Belvo may deliver the same webhook twice
    webhook_type TEXT,
    webhook_code TEXT,
    link_id      TEXT,
    request_id   TEXT,
    external_id  TEXT,
    received_at  TEXT,
    body         TEXT
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _num(value) -> float | None:
    """Amounts are JSON numbers, but newer specs also allow decimal strings."""
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class Store:
    """One sqlite connection; open one Store per thread."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, timeout=10)
        self.conn.execute("PRAGMA journal_mode=WAL")  # receiver threads write concurrently
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- links ---------------------------------------------------------------

    def upsert_link(self, link: dict) -> None:
        with self.conn:
            self.conn.execute(
                """INSERT INTO links (belvo_id, institution, external_id, institution_user_id,
                                      access_mode, status, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (belvo_id) DO UPDATE SET
                     institution = excluded.institution, external_id = excluded.external_id,
                     institution_user_id = excluded.institution_user_id,
                     access_mode = excluded.access_mode, status = excluded.status,
                     updated_at = excluded.updated_at""",
                (link["id"], link.get("institution"), link.get("external_id"),
                 link.get("institution_user_id"), link.get("access_mode"),
                 link.get("status"), to_utc_iso(link.get("created_at")), _now()),
            )

    def set_link_status(self, link_id: str, status: str) -> bool:
        with self.conn:
            cur = self.conn.execute(
                "UPDATE links SET status = ?, updated_at = ? WHERE belvo_id = ?",
                (status, _now(), link_id))
        return cur.rowcount > 0

    def links_for_person(self, institution: str, institution_user_id: str) -> list[str]:
        rows = self.conn.execute(
            """SELECT belvo_id FROM links WHERE institution = ? AND institution_user_id = ?
               AND status != 'deleted'""", (institution, institution_user_id))
        return [r[0] for r in rows]

    # -- accounts ------------------------------------------------------------

    def upsert_account(self, acc: dict) -> None:
        balance = acc.get("balance") if isinstance(acc.get("balance"), dict) else {}
        inst = acc.get("institution")
        with self.conn:
            self.conn.execute(
                """INSERT INTO accounts (belvo_id, link_id, institution, category, name, currency,
                                         balance_current, balance_available, collected_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (belvo_id) DO UPDATE SET
                     category = excluded.category, name = excluded.name,
                     currency = excluded.currency, balance_current = excluded.balance_current,
                     balance_available = excluded.balance_available,
                     collected_at = excluded.collected_at""",
                (acc["id"], acc.get("link"),
                 inst.get("name") if isinstance(inst, dict) else inst,
                 acc.get("category"), acc.get("name"), acc.get("currency"),
                 _num(balance.get("current")), _num(balance.get("available")),
                 to_utc_iso(acc.get("collected_at")), to_utc_iso(acc.get("created_at"))),
            )

    # -- transactions --------------------------------------------------------

    def add_transactions(self, link_id: str, txs: list[dict]) -> int:
        rows = []
        for tx in txs:
            account = tx.get("account")  # usually the whole nested Account object
            account_id = account.get("id") if isinstance(account, dict) else account
            rows.append((tx["id"], link_id, account_id, _num(tx.get("amount")),
                         tx.get("currency"), tx.get("type"), tx.get("status"),
                         tx.get("description"), to_date(tx.get("value_date")),
                         to_utc_iso(tx.get("collected_at")), to_utc_iso(tx.get("created_at"))))
        with self.conn:
            self.conn.executemany(
                """INSERT INTO transactions (belvo_id, link_id, account_id, amount, currency, type,
                                             status, description, value_date, collected_at, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows)
        return len(rows)

    # -- webhooks ------------------------------------------------------------

    def record_webhook(self, hook: dict) -> bool:
        """Store a delivery; False if this webhook_id was already seen (a redelivery)."""
        with self.conn:
            cur = self.conn.execute(
                """INSERT OR IGNORE INTO webhooks (webhook_id, webhook_type, webhook_code, link_id,
                                                   request_id, external_id, received_at, body)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (hook.get("webhook_id"), hook.get("webhook_type"), hook.get("webhook_code"),
                 hook.get("link_id"), hook.get("request_id"), hook.get("external_id"),
                 _now(), json.dumps(hook)))
        return cur.rowcount > 0
