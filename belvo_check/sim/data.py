"""Deterministic, lazily generated resource data.

Nothing is stored per item: item ``i`` of a link is a pure function of (seed, link, kind, i),
so a link with 25,000 transactions costs nothing until a page of it is asked for.
Serialized items are cached because the same pages are fetched again and again.

Items are cached as UTF-8 JSON bytes, so a page is one join sent as is. Transactions, the one kind
served a thousand at a time, are written straight to bytes from pieces prepared once per link
(``TransactionWriter``); ``LinkData._transaction`` builds the same item as a dict and stays the
reference the fast path is tested against, byte for byte.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from hashlib import blake2b

from . import catalogue
from .countries import Person
from .ids import as_uuid, hex32

KINDS = ("accounts", "transactions", "owners", "balances")
ACCOUNT_PARTS = ("transactions", "balances", "owners")  # item i belongs to account i % accounts
# Item index <-> last 48 bits of its uuid: an invertible scramble, so neighbouring items don't look sequential.
_MULT = 0x9E3779B97F4B
_MULT_INV = pow(_MULT, -1, 1 << 48)
_MASK48 = (1 << 48) - 1
WEBHOOK_TYPES = {"accounts": "ACCOUNTS", "transactions": "TRANSACTIONS", "owners": "OWNERS", "balances": "BALANCES"}


def timestamp(dt: datetime) -> str:
    """Belvo's most common form: 6 fraction digits and Z."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Volume:
    accounts: int
    transactions: int
    owners: int

    @property
    def balances(self) -> int:
        return self.accounts * 6


# Sandbox credentials that decide how much data a link has.
PROFILES = {
    ("bnk100", "full"): Volume(3, 600, 1),
    ("bnk101", "nodata"): Volume(0, 0, 0),
    ("bnk102", "low"): Volume(1, 5, 1),
}
DEFAULT_VOLUME = Volume(2, 60, 1)


def volume_for(username: str, password: str, settings: dict) -> Volume:
    base = PROFILES.get((username, password), DEFAULT_VOLUME)
    if base.transactions == 0:
        return base
    return Volume(settings.get("accounts_per_link", base.accounts),
                  settings.get("transactions_per_link", base.transactions), base.owners)


@dataclass
class LinkData:
    """Everything generated for one link; ``record`` is the public Link object."""
    seed: int
    record: dict
    country: str
    institution_type: str
    username: str
    volume: Volume
    created: datetime
    today: datetime
    history_days: int
    negative: bool = False
    open_finance: bool = False   # a Brazilian Open Finance institution: owners in the OFDA shape
    deleted: dict = field(default_factory=lambda: {k: set() for k in KINDS})
    _prefix: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)
    # Transactions spread over the history window as the link was created; ones added later are dated today.
    dated: int = field(init=False)

    def __post_init__(self) -> None:
        self.dated = self.volume.transactions

    def add_transactions(self, count: int) -> list[str]:
        """New transactions on the link (as after a refresh): the ids that were not there before."""
        first = self.volume.transactions
        self.volume = replace(self.volume, transactions=first + count)
        return [self.item_id("transactions", i) for i in range(first, first + count)]

    @property
    def id(self) -> str:
        return self.record["id"]

    # ---- ids: uuid = per-(link, kind) prefix + the index masked, so an id decodes back to its item
    def prefix(self, kind: str) -> tuple[str, int]:
        if kind not in self._prefix:
            h = hex32(self.seed, self.id, kind)
            self._prefix[kind] = (as_uuid(h[:20] + "0" * 12).replace("-", "")[:20], int(h[20:], 16))
        return self._prefix[kind]

    def item_id(self, kind: str, i: int) -> str:
        p, mask = self.prefix(kind)
        h = p + f"{(i * _MULT + mask) & _MASK48:012x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def index_of(self, kind: str, tail: int) -> int:
        return ((tail - self.prefix(kind)[1]) * _MULT_INV) & _MASK48

    def count(self, kind: str) -> int:
        return getattr(self.volume, kind)

    def visible(self, kind: str) -> bool | None:
        """True when nothing of this kind was deleted (the fast path)."""
        gone = self.deleted[kind]
        return not gone and not (kind in ACCOUNT_PARTS and self.deleted["accounts"])

    def alive(self, kind: str, i: int) -> bool:
        """Deleting an account deletes its transactions, balances and owners (the spec's DestroyAccount)."""
        if i in self.deleted[kind]:
            return False
        if kind in ACCOUNT_PARTS and self.volume.accounts:
            return (i % self.volume.accounts) not in self.deleted["accounts"]
        return True

    def indices(self, kind: str):
        n = self.count(kind)
        return range(n) if self.visible(kind) else [i for i in range(n) if self.alive(kind, i)]

    # ---- items
    def item(self, kind: str, i: int) -> dict:
        return json.loads(self.blob(kind, i))

    def fragment(self, kind: str, i: int) -> str:
        return self.blob(kind, i).decode()

    def blob(self, kind: str, i: int) -> bytes:
        cached = self._serialized(kind).get(i)
        return cached if cached is not None else self.blobs(kind, (i,))[0]

    def blobs(self, kind: str, indices) -> list[bytes]:
        """Serialized items: cached ones reused, the rest written (and cached) in one pass."""
        cache = self._serialized(kind)
        out = [cache.get(i) for i in indices]
        if None in out:
            if kind == "transactions":
                write = self.transaction_writer().write
            else:
                make = getattr(self, "_" + kind[:-1])
                write = lambda i: dumps(make(i)).encode()
            for n, i in enumerate(indices):
                if out[n] is None:
                    out[n] = cache[i] = write(i)
        return out

    def _serialized(self, kind: str) -> dict[int, bytes]:
        """index -> UTF-8 JSON of one kind (int keys: no tuple per cached item for the GC to walk)."""
        cache = self._cache.get(kind)
        if cache is None:
            cache = self._cache[kind] = {}
        return cache

    def transaction_writer(self) -> TransactionWriter:
        writer = self._cache.get("tx-writer")
        if writer is None:
            writer = self._cache["tx-writer"] = TransactionWriter(self)
        return writer

    def account_obj(self, a: int) -> dict:
        """Accounts are nested whole in every transaction: keep them parsed (read-only)."""
        key = ("account-obj", a)
        if key not in self._cache:
            self._cache[key] = self.item("accounts", a)
        return self._cache[key]

    def _rand(self, kind: str, i: int) -> bytes:
        """Same bytes as ``ids.digest(seed, link id, kind, i)``, without re-joining the constant parts."""
        key = self._cache.get(("rand-key", kind))
        if key is None:
            key = self._cache[("rand-key", kind)] = f"{self.seed}\x1f{self.id}\x1f{kind}\x1f".encode()
        return blake2b(key + str(i).encode(), digest_size=16).digest()

    def _stamp(self, i: int, spread: int = 0) -> str:
        return timestamp(self.created + timedelta(seconds=20 + spread, microseconds=(i * 7919) % 1_000_000))

    def _account(self, a: int) -> dict:
        r = self._rand("accounts", a)
        category, balance_type, label, subtype, name = catalogue.account_kinds(self.country)[a % len(catalogue.ACCOUNT_KINDS)]
        current = round(int.from_bytes(r[:4], "big") % 5_000_000 / 100, 2)
        if self.negative and balance_type == "ASSET":
            current = -current
        number = str(int.from_bytes(r[4:10], "big"))[:10].rjust(10, "0")
        credit = category == "CREDIT_CARD"
        return {
            "id": self.item_id("accounts", a), "link": self.id,
            "institution": {"name": self.record["institution"], "type": self.institution_type},
            "collected_at": self._stamp(a), "created_at": self._stamp(a, 1),
            "last_accessed_at": self.record["last_accessed_at"],
            "category": category, "balance_type": balance_type, "type": label, "subtype": subtype,
            "name": name, "number": number, "agency": str(1000 + r[10] * 31 % 9000) if self.country == "BR" else None,
            "check_digit": str(r[11] % 10) if self.country == "BR" else None,
            "balance": {"current": current, "available": round(current * 0.97, 2) if not credit else round(50000 - current, 2),
                        "blocked": round(r[13] * 1.5, 2) if self.country == "BR" else 0.0,
                        "automatically_invested": round(r[14] * 10.0, 2) if self.country == "BR" else 0.0},
            "overdraft": {"arranged": 5000.0, "used": round(r[15] * 2.0, 2), "unarranged": 0.0}
            if self.country == "BR" and category == "CHECKING_ACCOUNT" else None,
            "currency": catalogue.CURRENCIES[self.country],
            "public_identification_name": catalogue.PUBLIC_ID_NAMES[self.country],
            "public_identification_value": {"BR": f"{1000 + r[10] * 31 % 9000}/{number}", "MX": ("012180" + number + "0" * 8)[:18]}
            .get(self.country, number),  # agency/account, a CLABE, an account number
            "internal_identification": f"AC{r[12:16].hex()}",
            "credit_data": {"credit_limit": 50000.0, "cutting_date": (self.today - timedelta(days=5)).strftime("%Y-%m-%d"),
                            "next_payment_date": (self.today + timedelta(days=15)).strftime("%Y-%m-%d"),
                            "minimum_payment": round(current * 0.05, 2), "monthly_payment": None,
                            "no_interest_payment": current, "interest_rate": 42.5,
                            "collected_at": self._stamp(a)} if credit else None,
            "loan_data": None, "funds_data": None, "receivables_data": None,
            "bank_product_id": None,
        }

    def account_of(self, i: int) -> int:
        return i % self.volume.accounts

    def _day(self, i: int, n: int) -> str:
        """Item 0 is the newest; dates walk back evenly across the history window."""
        back = (i * self.history_days) // max(n, 1) if i < n else 0
        return (self.today - timedelta(days=back)).strftime("%Y-%m-%d")

    def item_type(self, i: int, r: bytes | None = None) -> str:
        """INFLOW/OUTFLOW of transaction i, cheap enough to count over a whole link."""
        r = r or self._rand("transactions", i)
        type_ = catalogue.TRANSACTION_KINDS[r[0] % len(catalogue.TRANSACTION_KINDS)][2]
        on_card = catalogue.ACCOUNT_KINDS[self.account_of(i) % len(catalogue.ACCOUNT_KINDS)][0] == "CREDIT_CARD"
        return "OUTFLOW" if on_card and type_ == "INFLOW" and r[11] % 2 else type_

    def _transaction(self, i: int) -> dict:
        r = self._rand("transactions", i)
        a = self.account_of(i)
        account = self.account_obj(a)
        category, sub, _, description, merchant = catalogue.transaction_kinds(self.country)[r[0] % len(catalogue.TRANSACTION_KINDS)]
        amount = round((int.from_bytes(r[1:4], "big") % 800_000 + 100) / 100, 2)
        value_date = self._day(i, self.dated)
        credit = account["category"] == "CREDIT_CARD"
        return {
            "id": self.item_id("transactions", i), "internal_identification": f"TX{r[4:10].hex()}",
            "account": account, "collected_at": self._stamp(i), "created_at": self._stamp(i, 1),
            "value_date": value_date, "accounting_date": value_date, "amount": amount,
            "local_currency_amount": amount if credit else None, "balance": None,
            "currency": account["currency"], "description": description,
            "observations": None if r[10] % 3 else catalogue.online_note(self.country),
            "merchant": {"logo": None, "website": merchant[1], "merchant_name": merchant[0]} if merchant else None,
            "category": category, "subcategory": sub, "reference": str(int.from_bytes(r[10:16], "big"))[:18],
            "type": self.item_type(i, r),
            "status": "PENDING" if i < 2 else "PROCESSED",
            "credit_card_data": None, "counterparty": None, "loan_data": None, "payment_type": None,
            "operation_type": catalogue.OPERATION_TYPES.get(category, "CARTAO"), "operation_type_additional_info": None, "mcc": None,
            "transacted_at": f"{value_date}T{r[12] % 24:02d}:{r[13] % 60:02d}:{r[14] % 60:02d}.{r[15] * 3 % 1000:03d}Z",
            "inferred_accounting_date": business_day(value_date),
        }

    def person(self, o: int) -> Person:
        return Person(self.country, random.Random(self._rand("owners", o)))

    def _owner(self, o: int) -> dict:
        if self.open_finance:
            return self.open_finance_owner(o)
        r = self._rand("owners", o)
        person = self.person(o)
        (doc_type, doc), _ = person.documents()
        return {
            "id": self.item_id("owners", o), "link": self.id, "internal_identification": r[1:5].hex(),
            "collected_at": self._stamp(o), "created_at": self._stamp(o, 1),
            "display_name": person.full_name, "first_name": person.first, "last_name": person.last,
            "second_last_name": person.second, "business_name": None, "email": person.email,
            "phone_number": person.phone_display, "address": person.address,
            "document_id": {"document_type": doc_type, "document_number": doc},
        }

    def open_finance_owner(self, o: int) -> dict:
        """The OFDA individual owner (``OwnerIndividualOpenFinanceBrazil``), made from the spec's schema."""
        from .fabricate import Maker
        from .openapi import spec

        r = self._rand("owners", o)
        person = self.person(o)
        facts = person.facts()
        facts.update({"id": self.item_id("owners", o), "link": self.id, "internal_identification": r[1:5].hex(),
                      "collected_at": self._stamp(o), "created_at": self._stamp(o, 1)})
        schema = spec()["components"]["schemas"]["OwnerIndividualOpenFinanceBrazil"]
        return Maker(random.Random(r), facts).make(schema)

    def _balance(self, b: int) -> dict:
        r = self._rand("balances", b)
        a = b % self.volume.accounts
        account = self.account_obj(a)
        value = round(int.from_bytes(r[:4], "big") % 2_000_000 / 100, 2)
        return {
            "id": self.item_id("balances", b), "account": account,
            "value_date": self._day(b // self.volume.accounts * self.volume.accounts, self.volume.balances),
            "balance": value, "current_balance": value, "statement": None, "collected_at": self._stamp(b),
        }


def business_day(day: str) -> str:
    """The date a bank books a transaction of ``day``: a Saturday or Sunday moves to the Monday."""
    date = datetime.strptime(day, "%Y-%m-%d")
    return (date + timedelta(days=max(0, 7 - date.weekday()) if date.weekday() >= 5 else 0)).strftime("%Y-%m-%d")


class TransactionWriter:
    """Writes transaction ``i`` of one link as UTF-8 JSON, equal byte for byte to ``dumps(link._transaction(i))``.

    Everything that does not depend on ``i`` is serialized once per link: one bytes template per account
    (with the nested account object and its currency already in it), each catalogue kind's
    description/merchant/category runs, the seconds part of the timestamps, the dates of the history
    window. Per item there remain one digest, a few shifts of it, and one ``bytes %`` formatting.
    """

    def __init__(self, link: LinkData):
        enc = lambda obj: dumps(obj).encode()
        escape = lambda b: b.replace(b"%", b"%%")  # constant text inside a % template
        prefix, mask = link.prefix("transactions")
        id_prefix = f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:16]}-{prefix[16:20]}-".encode()
        accounts = []
        for a in range(link.volume.accounts):
            account = link.account_obj(a)
            credit = account["category"] == "CREDIT_CARD"
            accounts.append((
                b'{"id":"' + escape(id_prefix) + b'%012x","internal_identification":"TX%012x","account":'
                + escape(link.blob("accounts", a))
                + b',"collected_at":"%s%sZ","created_at":"%s%sZ","value_date":"%s","accounting_date":"%s",'
                  b'"amount":%r,"local_currency_amount":%s,"balance":null,"currency":'
                + escape(enc(account["currency"])) + b'%s%s%d","type":"%s","status":"%s%s'
                b',"transacted_at":"%sT%02d:%02d:%02d.%03dZ","inferred_accounting_date":"%s"}',
                credit))
        observations = (enc(catalogue.online_note(link.country)), b"null", b"null")  # by r[10] % 3
        kinds = []
        for category, sub, type_, description, merchant in catalogue.transaction_kinds(link.country):
            merchant = {"logo": None, "website": merchant[1], "merchant_name": merchant[0]} if merchant else None
            head = b',"description":' + enc(description) + b',"observations":'
            kinds.append((
                tuple(head + o for o in observations),
                b',"merchant":' + enc(merchant) + b',"category":' + enc(category) + b',"subcategory":' + enc(sub)
                + b',"reference":"',
                type_.encode(),
                # type on a credit card: an INFLOW becomes an OUTFLOW when r[11] is odd
                (type_.encode(), b"OUTFLOW") if type_ == "INFLOW" else (type_.encode(), type_.encode()),
                b'","credit_card_data":null,"counterparty":null,"loan_data":null,"payment_type":null,"operation_type":'
                + enc(catalogue.OPERATION_TYPES.get(category, "CARTAO"))
                + b',"operation_type_additional_info":null,"mcc":null',
            ))
        # _stamp(i, spread) = created + 20 s + spread + (i * 7919 % 10**6) us: whole seconds plus a carry.
        base = link.created + timedelta(seconds=20)
        whole = base.replace(microsecond=0)
        sec = lambda extra: (whole + timedelta(seconds=extra)).strftime("%Y-%m-%dT%H:%M:%S.").encode()
        seconds = ((sec(0), sec(1)), (sec(1), sec(2)))  # [carry] -> (collected_at, created_at)
        dates = [(link.today - timedelta(days=back)).strftime("%Y-%m-%d") for back in range(link.history_days + 1)]
        days = [(d.encode(), business_day(d).encode()) for d in dates]
        start = blake2b(f"{link.seed}\x1f{link.id}\x1ftransactions\x1f".encode(), digest_size=16).copy
        self.write = self._compile(start, accounts, kinds, mask, seconds, days, base.microsecond,
                                   link.history_days, max(link.dated, 1))

    @staticmethod
    def _compile(start, accounts, kinds, mask, seconds, days, base_us, history, n):
        """The per-item writer, as a closure over locals: the inner loop of a fresh page."""
        from_bytes, n_accounts, n_kinds, mult, mask48 = int.from_bytes, len(accounts), len(kinds), _MULT, _MASK48
        (early, late), pending, processed, null = seconds, b"PENDING", b"PROCESSED", b"null"

        def write(i: int) -> bytes:
            h = start()  # = ids.digest(seed, link id, "transactions", i)
            h.update(b"%d" % i)
            r = h.digest()
            v = from_bytes(r, "big")  # byte k of r is bits (15 - k) * 8 ... of v
            template, credit = accounts[i % n_accounts]
            heads, middle, type_, card_types, tail = kinds[r[0] % n_kinds]
            if credit:
                type_ = card_types[r[11] & 1]
            amount = (((v >> 96) & 0xFFFFFF) % 800_000 + 100) / 100
            us = base_us + i * 7919 % 1_000_000
            if us >= 1_000_000:
                (collected, created), frac = late, b"%d" % us
            else:
                (collected, created), frac = early, b"%d" % (us + 1_000_000)
            frac = frac[1:]
            day, inferred = days[i * history // n] if i < n else days[0]
            return template % ((i * mult + mask) & mask48, (v >> 48) & mask48, collected, frac, created, frac,
                               day, day, amount, b"%r" % amount if credit else null, heads[r[10] % 3], middle,
                               v & mask48, type_, pending if i < 2 else processed, tail,
                               day, r[12] % 24, r[13] % 60, r[14] % 60, r[15] * 3 % 1000, inferred)
        return write
