import sqlite3
from datetime import datetime

from finsync import settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS links (
    belvo_id TEXT PRIMARY KEY,
    institution TEXT NOT NULL,
    institution_user_id TEXT,
    external_id TEXT,
    status TEXT NOT NULL DEFAULT 'valid'
);
CREATE TABLE IF NOT EXISTS transactions (
    belvo_id TEXT PRIMARY KEY,
    link_id TEXT NOT NULL,
    amount REAL,
    description TEXT,
    value_date TEXT,
    collected_at TEXT
);
CREATE TABLE IF NOT EXISTS seen_webhooks (webhook_id TEXT PRIMARY KEY);
"""


def connect():
    db = sqlite3.connect(settings.DATABASE)
    db.executescript(SCHEMA)
    return db


def parse_ts(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")


def save_link(db, link):
    db.execute(
        "INSERT INTO links (belvo_id, institution, institution_user_id, external_id, status) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(belvo_id) DO UPDATE SET status = excluded.status",
        (link["id"], link["institution"], link.get("institution_user_id"), link.get("external_id"), link["status"]),
    )
    db.commit()


def find_link_by_user(db, institution_user_id):
    row = db.execute("SELECT belvo_id FROM links WHERE institution_user_id = ?", (institution_user_id,)).fetchone()
    return row[0] if row else None


def set_link_status(db, link_id, status):
    db.execute("UPDATE links SET status = ? WHERE belvo_id = ?", (status, link_id))
    db.commit()


def save_transactions(db, link_id, transactions):
    rows = [
        (t["id"], link_id, t["amount"], t.get("description"), t["value_date"], parse_ts(t["collected_at"]).isoformat())
        for t in transactions
    ]
    db.executemany("INSERT OR REPLACE INTO transactions VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.commit()


def first_delivery(db, webhook_id):
    cur = db.execute("INSERT OR IGNORE INTO seen_webhooks (webhook_id) VALUES (?)", (webhook_id,))
    db.commit()
    return cur.rowcount == 1
