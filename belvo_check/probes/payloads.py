"""Every aggregation webhook Belvo documents (docs/belvo-api.md), shaped exactly as Belvo sends it.

One catalogue serves the checks and `belvo-check webhooks send`. Payloads carry ids that exist
nowhere but in belvo-check (or its simulator) and `external_id: belvo-check-probe`, so a real
receiver can recognise and drop them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Callable

PROBE_EXTERNAL_ID = "belvo-check-probe"
SINGLE, RECURRENT = "single", "recurrent"
# Codes and types that Belvo has not invented (yet): receivers must acknowledge them anyway.
FUTURE_CODE = "belvo_check_future_code"
FUTURE_TYPE = "BELVO_CHECK_FUTURE_TYPE"
OPTIONAL_KEYS = ("process_type", "request_id", "external_id")  # absent from older payload versions


@dataclass(frozen=True)
class Kind:
    """One documented (webhook_type, webhook_code) pair and the `data` it carries."""

    type: str
    code: str
    data: Callable[[], dict] = dict
    modes: tuple[str, ...] = (SINGLE, RECURRENT)
    default: bool = False  # the code `webhooks send --type T` uses when --code is not given

    @property
    def label(self) -> str:
        return f"{self.type} {self.code}"


def _link_error(code: str, message: str, status: int) -> Callable[[], dict]:
    return lambda: {"error_code": code, "error_message": message, "status": status}


KINDS: tuple[Kind, ...] = (
    Kind("ACCOUNTS", "historical_update", lambda: {"total_accounts": 3}, default=True),
    Kind("ACCOUNTS", "new_accounts_available", lambda: {"new_accounts": 1}),
    Kind("TRANSACTIONS", "historical_update", lambda: {
        "total_transactions": 120, "total_inflow_transactions": 45, "total_outflow_transactions": 75,
        "first_transaction_date": "2024-01-02", "last_transaction_date": "2025-03-03"}),
    Kind("TRANSACTIONS", "new_transactions_available", lambda: {"new_transactions": 5}, default=True),
    Kind("TRANSACTIONS", "transactions_updated"),
    Kind("TRANSACTIONS", "transactions_deleted"),
    Kind("OWNERS", "historical_update", lambda: {"total_owners": 1}, default=True),
    Kind("BILLS", "historical_update", lambda: {"total_bills": 4}, default=True),
    Kind("BILLS", "new_bills_available", lambda: {"new_bills": 1}),
    Kind("LINK", "invalid_credentials", _link_error(
        "login_error", "Invalid credentials provided to login to the institution", 400), default=True),
    Kind("LINK", "token_required", _link_error(
        "token_required", "A MFA token is required by the institution to login", 428)),
    Kind("LINK", "link_deleted"),
    Kind("CONSENT", "openfinance_consent_about_to_expire", lambda: {
        "consent_id": str(uuid.UUID(int=0x00000000_0000_4000_8000_0000b1c0c4ec)),
        "consent_due_date": "2026-12-31"}, modes=(RECURRENT,)),  # recurrent OFDA links only
)
BY_PAIR = {(k.type, k.code): k for k in KINDS}
TYPES = tuple(dict.fromkeys(k.type for k in KINDS))


def find(webhook_type: str, code: str | None) -> Kind | None:
    """The documented kind for a type and code (the type's usual code when code is None)."""
    webhook_type = webhook_type.strip().upper()
    if code is None:
        return next((k for k in KINDS if k.type == webhook_type and k.default), None)
    return BY_PAIR.get((webhook_type, code.strip().lower()))


def valid_pairs() -> str:
    return "; ".join(f"{t}: {', '.join(k.code for k in KINDS if k.type == t)}" for t in TYPES)


def probe_link_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Payload:
    """A delivery body plus how to describe it in evidence."""

    body: dict
    label: str
    mode: str = RECURRENT
    extra_headers: dict = field(default_factory=dict)

    @property
    def webhook_id(self) -> str:
        return self.body.get("webhook_id", "")


def payload(webhook_type: str, code: str, *, link_id: str, mode: str = RECURRENT,
            data: dict | None = None, label: str | None = None) -> Payload:
    """One delivery as Belvo shapes it: every documented key, in Belvo's order."""
    kind = BY_PAIR.get((webhook_type, code))
    if data is None:
        data = kind.data() if kind else {}
    # historical_update arrives once after creation; every later event is a recurrent update
    process_type = "historical_update" if code == "historical_update" or mode == SINGLE else "recurrent_update"
    body = {"webhook_id": uuid.uuid4().hex, "webhook_type": webhook_type, "process_type": process_type,
            "webhook_code": code, "link_id": link_id, "request_id": str(uuid.uuid4()),
            "external_id": PROBE_EXTERNAL_ID, "data": data}
    return Payload(body, label or f"{webhook_type} {code} ({mode})", mode)


def documented(link_ids: dict[str, str]) -> list[Payload]:
    """Every documented kind, once per link mode it applies to (link_ids: mode -> link id)."""
    return [payload(k.type, k.code, link_id=link_ids[mode], mode=mode)
            for mode in (SINGLE, RECURRENT) for k in KINDS if mode in k.modes]


def tolerance(link_id: str) -> list[Payload]:
    """Deliveries a receiver written today has never seen: new codes, new types, new and missing keys."""
    future_code = payload("TRANSACTIONS", FUTURE_CODE, link_id=link_id, data={"belvo_check_count": 1},
                          label=f"TRANSACTIONS {FUTURE_CODE} (a code Belvo has not invented yet)")
    future_type = payload(FUTURE_TYPE, "historical_update", link_id=link_id, data={"total_items": 2},
                          label=f"{FUTURE_TYPE} historical_update (a type Belvo has not invented yet)")
    extra = payload("TRANSACTIONS", "new_transactions_available", link_id=link_id,
                    label="TRANSACTIONS new_transactions_available + unknown keys (top level and in data)")
    extra.body["belvo_check_future_field"] = {"nested": [1, "two", None]}
    extra.body["data"] = {**extra.body["data"], "belvo_check_future_field": "x"}
    missing = payload("TRANSACTIONS", "new_transactions_available", link_id=link_id,
                      label="TRANSACTIONS new_transactions_available without " + ", ".join(OPTIONAL_KEYS))
    for key in OPTIONAL_KEYS:
        missing.body.pop(key)
    nulls = payload("ACCOUNTS", "historical_update", link_id=link_id,
                    label="ACCOUNTS historical_update with external_id and request_id null")
    nulls.body.update(external_id=None, request_id=None)
    return [future_code, future_type, extra, missing, nulls]
