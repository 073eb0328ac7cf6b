"""Journal of every exchange, in both directions. Secrets never enter it."""
from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field

# Body and query keys whose values are secrets (credentials, MFA tokens, widget tokens, sessions).
SECRET_KEYS = {"password", "password2", "token", "access", "refresh", "session", "secret_password",
               "private_key", "certificate"}


def summarize(data, path: str = "") -> dict | None:
    """Keys and short values of a request body or query, with every secret dropped."""
    if not isinstance(data, dict):
        return None
    drop = SECRET_KEYS | ({"id"} if path.rstrip("/") in ("/api/token", "/payments/br/token") else set())
    out = {}
    for key, value in data.items():
        if key in drop:
            continue
        if isinstance(value, (dict, list)):
            value = "{...}" if isinstance(value, dict) else "[...]"
        elif isinstance(value, str) and len(value) > 80:
            value = value[:77] + "..."
        out[key] = value
    return out


@dataclass
class JournalEntry:
    seq: int
    time: float                       # time.monotonic() when the exchange started
    direction: str                    # "in": a request to the simulator; "out": a webhook it sent
    method: str
    path: str
    query: dict = field(default_factory=dict)
    body: dict | None = None
    status: int | None = None         # None when the connection was reset or delivery failed
    duration: float = 0.0
    request_id: str | None = None     # the request_id minted into the response body, if any
    rules: list = field(default_factory=list)
    error: str | None = None          # what went wrong on the wire (reset, truncated, delivery error)
    url: str | None = None            # for outgoing webhooks

    @property
    def rule(self) -> str | None:
        return self.rules[0] if self.rules else None

    def to_dict(self) -> dict:
        return asdict(self)


class Journal:
    def __init__(self):
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()

    def add(self, entry: JournalEntry) -> JournalEntry:
        with self._lock:
            entry.seq = len(self._entries) + 1
            self._entries.append(entry)
        return entry

    @property
    def entries(self) -> list[JournalEntry]:
        with self._lock:
            return list(self._entries)

    def find(self, method: str | None = None, path: str | None = None, status: int | None = None,
             rule: str | None = None, direction: str | None = None) -> list[JournalEntry]:
        """Entries matching every given filter; ``path`` ignores a trailing slash."""
        want = path.rstrip("/") if path else None
        return [e for e in self.entries
                if (method is None or e.method == method.upper())
                and (want is None or e.path.rstrip("/") == want)
                and (status is None or e.status == status)
                and (rule is None or rule in e.rules)
                and (direction is None or e.direction == direction)]

    def to_jsonl(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            for e in self.entries:
                fh.write(json.dumps(e.to_dict(), sort_keys=True) + "\n")

    def __len__(self) -> int:
        return len(self._entries)
