"""Django-style list filters and Belvo's paginated envelope."""
from __future__ import annotations

from .data import dumps

OPS = {"in", "not_in", "gt", "gte", "lt", "lte", "range", "icontains", "allin", "exact"}
PAGING = {"page", "page_size", "fields", "omit"}
MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE = 1000, 100


def page_size(requested: str | None, cap: int | None) -> int:
    """min(requested or 100, 1000, cap): above 1000 is clamped, never rejected (Belvo's pagination docs).

    ``cap`` is the sandbox-style page cap (Belvo's sandbox serves 10 per page); None = production.
    """
    try:
        size = int(requested) if requested else DEFAULT_PAGE_SIZE
    except ValueError:
        size = DEFAULT_PAGE_SIZE
    size = max(1, min(size, MAX_PAGE_SIZE))
    return min(size, cap) if cap else size


def _lookup(item, parts):
    for part in parts:
        if not isinstance(item, dict) or part not in item:
            return KeyError
        item = item[part]
    return item["id"] if isinstance(item, dict) and "id" in item else item


def _coerce(value, like):
    if isinstance(like, bool):
        return value.lower() in ("true", "1")
    if isinstance(like, (int, float)):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _compare(got, op: str, raw: str) -> bool:
    if isinstance(got, list):
        wanted = raw.split(",")
        if op == "allin":
            return all(w in got for w in wanted)
        return any(w in got for w in wanted) if op in ("in", "exact") else True
    if got is None:
        return op == "not_in"
    if op in ("in", "not_in"):
        hit = any(got == _coerce(v, got) for v in raw.split(","))
        return hit if op == "in" else not hit
    if op == "icontains":
        return raw.lower() in str(got).lower()
    if isinstance(got, str) and len(raw) < len(got) and "T" in got and "T" not in raw:
        got = got[: len(raw)]  # a date filter against a timestamp compares the date part
    try:  # a value that does not compare with the field's type (text against a number) matches nothing
        if op == "range":
            lo, _, hi = raw.partition(",")
            return _coerce(lo, got) <= got <= _coerce(hi, got)
        if op == "allin":  # on a single value: every value asked for is that value
            return all(got == _coerce(v, got) for v in raw.split(","))
        want = _coerce(raw, got)
        return {"exact": got == want, "gt": got > want, "gte": got >= want, "lt": got < want, "lte": got <= want}[op]
    except TypeError:
        return False


def predicate(params: dict, aliases=None):
    """One function testing an item against every filter; unknown fields are ignored, as Django does."""
    tests = []
    for key, raw in params.items():
        if key in PAGING:
            continue
        parts = key.split("__")
        op = parts.pop() if len(parts) > 1 and parts[-1] in OPS else "exact"
        if parts == ["country_code"]:
            parts = ["country_codes"]
        tests.append((parts, op, raw))

    def test(item: dict) -> bool:
        for parts, op, raw in tests:
            got = _lookup(item, parts)
            if got is not KeyError and not _compare(got, op, raw):
                return False
        return True
    return test if tests else None


def trim(item: dict, params: dict) -> dict:
    if "fields" in params:
        keep = params["fields"].split(",")
        item = {k: v for k, v in item.items() if k in keep}
    if "omit" in params:
        drop = params["omit"].split(",")
        item = {k: v for k, v in item.items() if k not in drop}
    return item


def envelope(count: int, next_url: str | None, previous_url: str | None, fragments: list[bytes]) -> bytes:
    """The paginated body, assembled from already serialized items (UTF-8 JSON)."""
    head = f'{{"count":{count},"next":{dumps(next_url)},"previous":{dumps(previous_url)},"results":['.encode()
    return b"".join((head, b",".join(fragments), b"]}"))


class Runs:
    """(link, indices) runs seen as one sequence of items, sliced without listing every item.

    ``len`` is the item count; a slice gives the runs it covers, each cut to the slice, so a page of a
    25,000-item link touches only the indices of that page.
    """

    def __init__(self, runs: list):
        self.runs = [(link, indices) for link, indices in runs if len(indices)]

    def __len__(self) -> int:
        return sum(len(indices) for _, indices in self.runs)

    def __getitem__(self, window: slice) -> list:
        start, stop, _ = window.indices(len(self))
        out = []
        for link, indices in self.runs:
            n = len(indices)
            if start < n and stop > 0:
                out.append((link, indices[max(start, 0):min(stop, n)]))
            start, stop = start - n, stop - n
        return out
