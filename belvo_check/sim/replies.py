"""What every endpoint answers with, hand-written or spec-served: the reply, Belvo's error bodies, the paginated
envelope, the MFA session a resume names, the checks a link passes before data is retrieved for it, and the
202 of an async retrieve with the webhook that follows."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from . import errors, listing
from .data import WEBHOOK_TYPES, dumps
from .ids import as_uuid, hex32
from .state import SESSION_EXPIRY

GOOD_TOKEN, FRESH_CHALLENGE_TOKEN = "111111", "999999"
TOKEN_DATA = {
    # The spec's `value` is a non-nullable string: a device confirmation has nothing to show, so it is left out.
    "device": {"instructions": "Please confirm the login on your device.", "type": "device",
               "expects_user_input": False},
    "qr": {"instructions": "Scan the QR code with your bank app.", "type": "qr_code",
           "value": "belvo-sim-qr:0123456789abcdef", "expects_user_input": False},
    "numeric": {"instructions": "Enter the code sent to your phone.", "type": "numeric", "value": "12345",
                "expects_user_input": True},
}


@dataclass
class Reply:
    status: int
    data: object = None
    text: str | bytes | None = None  # already serialized JSON (bytes: UTF-8, the fast path for big lists)
    raw: bytes | None = None         # a non-JSON body, sent as is
    headers: dict = field(default_factory=dict)
    request_id: str | None = None
    media_type: str = "application/json"


class Replies:
    def __init__(self, core):
        self.core = core
        self.store = core.store

    def reply(self, status: int, text: str | bytes | None = None) -> Reply:
        return Reply(status, text=text)

    def error(self, status: int, code: str, field: str | None = None, message: str | None = None, **extra) -> Reply:
        rid = self.core.minter.next()
        return Reply(status, [errors.error_object(code, rid, message, field, **extra)], request_id=rid)

    def token_required(self, link, purpose: str, method: str, request: dict) -> Reply:
        link_id = link.id if link else as_uuid(hex32(self.core.seed, "no-link", self.core.minter.next()))
        session = self.store.open_session(link_id, purpose, method, request)
        return self.error(428, "token_required", session=session, expiry=SESSION_EXPIRY, link=link_id,
                          token_generation_data=dict(TOKEN_DATA[method]))

    def session(self, ctx, purpose: str, expired_status: int = 400):
        """The MFA session a resume names, or the error to answer (404 not_found where the spec has no 400)."""
        body = ctx.body or {}
        if expired_status != 400:
            missing = expired = lambda: self.error(expired_status, "not_found")
        else:
            missing, expired = lambda: self.error(400, "required", "session"), lambda: self.error(400, "session_expired")
        if not body.get("session"):
            return None, None, missing()
        session = self.store.sessions.get(body["session"])
        link = self.store.link(session.link_id) if session else None
        if not session or not link or session.purpose != purpose:
            return None, None, expired()
        del self.store.sessions[body["session"]]
        if body.get("token") != GOOD_TOKEN and session.method == "numeric" or body.get("token") == FRESH_CHALLENGE_TOKEN:
            return None, None, self.token_required(link, purpose, session.method, session.request)
        return session, link, None

    def link_problem(self, link, kind: str, body: dict | None = None, op=None) -> Reply | None:
        """Why data of ``kind`` cannot be retrieved for the link now: its status, or an institution without it."""
        problem = self.link_status_problem(link, kind, body, op)
        if problem:
            return problem
        resources = self.store.institutions_by_name[link.record["institution"]]["resources"]
        if kind.upper() not in resources:
            return self.error(400, "unsupported_operation")
        return None

    def link_status_problem(self, link, kind: str, body: dict | None = None, op=None) -> Reply | None:
        """The error a link's status gives a request for it (a token asked for where the operation documents 428)."""
        status = link.record["status"]
        if status == "invalid":
            return self.error(400, "invalid_link")
        if status == "unconfirmed":
            return self.error(400, "unconfirmed_link")
        if status == "token_required" and (op is None or 428 in op.statuses):
            if (body or {}).get("token") == GOOD_TOKEN:
                link.record["status"] = "valid"
                return None
            keep = {k: v for k, v in (body or {}).items() if k in ("account", "date_from", "date_to", "save_data")}
            return self.token_required(link, kind, "numeric", keep)
        return None

    def accepted(self, link, kind: str) -> Reply:
        """202 for an async retrieve; the data's webhook follows."""
        rid = self.core.minter.next()
        code = "new_transactions_available" if kind == "transactions" else "historical_update"
        total = link.count(kind) if kind in WEBHOOK_TYPES else 2
        self._webhooks([self.core.webhooks.payload(WEBHOOK_TYPES.get(kind, kind.upper()), code, link.id, rid,
                                                   link.record["external_id"], {f"total_{kind.lower()}": total})])
        return Reply(202, {"request_id": rid}, request_id=rid)

    def _webhooks(self, payloads: list) -> None:
        self.core.webhooks.enqueue(payloads)

    def paginate(self, ctx, items: list, kind: str | None = None) -> Reply:
        """``items`` are serialized strings, or ``Runs`` of (link, indices) serialized only for the page shown."""
        query = ctx.query
        size = listing.page_size(query.get("page_size"), self.core.page_size_cap)
        try:
            page = int(query.get("page", "1"))
        except ValueError:
            page = 0
        count = len(items)
        pages = max(1, -(-count // size))
        if page < 1 or page > pages:
            return self.error(404, "not_found", message="Invalid page.")
        start, end = (page - 1) * size, page * size
        if page > 1:
            start = max(0, start - ctx.exchange.page_overlap)
        if kind:
            chunk = [blob for link, indices in items[start:end] for blob in link.blobs(kind, indices)]
        else:
            chunk = [text.encode() for text in items[start:end]]
        if "fields" in query or "omit" in query:
            chunk = [dumps(listing.trim(json.loads(c), query)).encode() for c in chunk]
        url = ctx.request.url.replace(scheme=ctx.request.url.scheme, netloc=ctx.request.headers.get("host") or ctx.request.url.netloc)
        nxt = str(url.include_query_params(page=page + 1)) if page < pages else None
        prev = None
        if page > 1:
            prev = str(url.remove_query_params("page")) if page == 2 else str(url.include_query_params(page=page - 1))
        return Reply(200, text=listing.envelope(count, nxt, prev, chunk))
