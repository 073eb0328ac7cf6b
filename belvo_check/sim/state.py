"""The simulator's data store: institutions, links and what happened to them."""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import catalogue
from .data import KINDS, LinkData, timestamp, volume_for
from .ids import hex32, institution_user_id, uuid_for

MFA_CREDENTIALS = {("mfa_default", "pass_valid"): "device", ("mfa_qr", "qr_code"): "qr",
                   ("mfa_numeric", "numeric_code"): "numeric"}
INVALID_CREDENTIALS = {("user_invalid", "pass_invalid"), ("adv_invalid", "pass_invalid")}
SESSION_EXPIRY = 9600  # seconds, as in the spec's example


@dataclass
class MfaSession:
    link_id: str
    purpose: str          # "links" or a resource kind being retrieved
    method: str           # "device", "qr" or "numeric"
    request: dict         # what to finish once the token is accepted (redacted of secrets)
    created: float


class Store:
    def __init__(self, seed: int, settings: dict, today: datetime | None = None):
        self.seed = seed
        self.settings = settings
        now = today or datetime.now(timezone.utc)
        self.today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        self.institutions = catalogue.institutions()
        self.institutions_by_name = {i["name"]: i for i in self.institutions}
        self.institutions_by_id = {str(i["id"]): i for i in self.institutions}
        self.links: dict[str, LinkData] = {}
        self.sessions: dict[str, MfaSession] = {}
        self.aliases: dict[str, str] = {}       # mutated id -> real id (longer/shorter strings)
        self._by_prefix: dict[str, tuple[str, str]] = {}
        self._ordinal = 0
        self._session_count = 0
        self._deletes: dict[str, deque[float]] = {}   # per resource: each has its own limit
        self.collections: dict = {}              # (collection path, scope) -> resources.Collection
        self.item_index: dict[str, tuple] = {}   # item id -> (collection path, scope), for spec-served items
        self._refreshed: dict[str, float] = {}

    # ---- links
    def new_link(self, institution: str, username: str, password: str, body: dict, status: str) -> LinkData:
        self._ordinal += 1
        link_id = uuid_for(self.seed, "link", self._ordinal)
        created = self.today - timedelta(hours=12) + timedelta(seconds=37 * self._ordinal,
                                                               microseconds=self._ordinal * 104729 % 1_000_000)
        access_mode = body.get("access_mode") or "recurrent"
        record = {
            "id": link_id, "institution": institution, "access_mode": access_mode,
            "last_accessed_at": timestamp(created + timedelta(seconds=18)), "created_at": timestamp(created),
            "external_id": body.get("external_id"),
            "institution_user_id": institution_user_id(self.seed, institution, username),
            "status": status, "created_by": uuid_for(self.seed, "dashboard-user"),
            "refresh_rate": "7d" if access_mode == "recurrent" else None,
            "credentials_storage": body.get("credentials_storage") or ("store" if access_mode == "recurrent" else "365d"),
            "fetch_resources": body.get("fetch_resources") or ["ACCOUNTS", "OWNERS", "TRANSACTIONS"],
            "stale_in": body.get("stale_in") or "365d",
        }
        inst = self.institutions_by_name[institution]
        link = LinkData(seed=self.seed, record=record, country=inst["country_codes"][0], institution_type=inst["type"],
                        username=username, volume=volume_for(username, password, self.settings),
                        created=created, today=self.today, history_days=int(self.settings.get("history_days", 365)),
                        negative=(username, password) == ("bnk103", "negative"),
                        open_finance=inst["integration_type"] == "openfinance")
        self.links[link_id] = link
        for kind in KINDS:
            self._by_prefix[link.prefix(kind)[0]] = (link_id, kind)
        return link

    def link(self, link_id: str | None) -> LinkData | None:
        return self.links.get(self.resolve(link_id)) if link_id else None

    def delete_link(self, link_id: str) -> None:
        """The link and everything retrieved for it (docs/belvo-api.md, "Simulator": cascades)."""
        self.links.pop(link_id, None)
        for key in [k for k in self.collections if k[1] == link_id]:
            for item_id in self.collections.pop(key).items:
                self.item_index.pop(item_id, None)
        for s, sess in list(self.sessions.items()):
            if sess.link_id == link_id:
                del self.sessions[s]

    def find_item(self, kind: str, item_id: str) -> tuple[LinkData, int] | None:
        """Decode an item id back to (link, index) without any per-item bookkeeping."""
        hex_ = self.resolve(item_id).replace("-", "")
        if len(hex_) != 32:
            return None
        owner = self._by_prefix.get(hex_[:20])
        if not owner or owner[1] != kind or owner[0] not in self.links:
            return None
        link = self.links[owner[0]]
        try:
            i = link.index_of(kind, int(hex_[20:], 16))
        except ValueError:
            return None
        return (link, i) if i < link.count(kind) and link.alive(kind, i) else None

    # ---- MFA
    def open_session(self, link_id: str, purpose: str, method: str, request: dict) -> str:
        self._session_count += 1
        session = hex32(self.seed, "session", self._session_count)
        self.sessions[session] = MfaSession(link_id, purpose, method, request, time.monotonic())
        return session

    # ---- limits
    def delete_allowed(self, resource: str, per_minute: int = 5) -> bool:
        """Belvo allows 5 deletions a minute of each rate-limited resource; the 6th within a minute is a 429."""
        now = time.monotonic()
        times = self._deletes.setdefault(resource, deque())
        while times and now - times[0] > 60:
            times.popleft()
        if len(times) >= per_minute:
            return False
        times.append(now)
        return True

    def refresh_allowed(self, link_id: str, cooldown: float = 600) -> bool:
        now = time.monotonic()
        last = self._refreshed.get(link_id)
        if last is not None and now - last < cooldown:
            return False
        self._refreshed[link_id] = now
        return True

    # ---- mutated ids sent back by clients
    def resolve(self, value):
        return self.aliases.get(value, value) if isinstance(value, str) else value

    def link_ids(self) -> list[str]:
        return list(self.links)
