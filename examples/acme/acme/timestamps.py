"""Belvo timestamps vary: 0-6 fraction digits, 'Z' or '+00:00' (and other offsets).

datetime.fromisoformat only accepts all of these from Python 3.11 on, so we
normalise with a small regex first and store everything as UTC ISO-8601.
"""

import re
from datetime import datetime, timedelta, timezone

_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})"
    r"(?:[.,](\d+))?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)


def parse_timestamp(value: str | None) -> datetime | None:
    """Parse an ISO-8601 timestamp into an aware UTC datetime; None if it is not one."""
    if not isinstance(value, str):
        return None
    m = _TS.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))  # more than 6 digits: truncate
    tz = timezone.utc
    if zone and zone not in ("Z", "z"):
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), micro, tzinfo=tz)
    except ValueError:
        return None
    return dt.astimezone(timezone.utc)


def to_utc_iso(value: str | None) -> str | None:
    """Normalise a Belvo timestamp for storage; keep the raw text if it is unparseable."""
    dt = parse_timestamp(value)
    if dt is not None:
        return dt.isoformat(timespec="microseconds")
    return value


def to_date(value: str | None) -> str | None:
    """value_date is a date ('YYYY-MM-DD'); accept a full timestamp too and keep its date."""
    if not isinstance(value, str):
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return value
    # keep the date as written (no shift to UTC: a value date is a calendar day)
    return value[:10] if _TS.match(value.strip()) else value
