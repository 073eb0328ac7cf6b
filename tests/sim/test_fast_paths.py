"""The fast paths behind big pages stay equal to the plain, dict-built data they replace."""
import json
import random
from datetime import datetime, timezone

import httpx
import pytest

from belvo_check.sim import Scenario, Simulator
from belvo_check.sim.data import dumps
from belvo_check.sim.listing import Runs
from belvo_check.sim.state import Store
from simtest import KEYS, make_link

PROFILES = [("user", "pass"), ("bnk100", "full"), ("bnk102", "low"), ("bnk103", "negative")]


@pytest.mark.parametrize("seed,history_days", [(0, 365), (7, 30), (123456, 1000)])
@pytest.mark.parametrize("institution", ["erebor_mx_retail", "erebor_br_retail", "gringotts_co_retail"])
def test_written_transactions_equal_the_dict_reference(seed, history_days, institution):
    """Every field of every shape (credit cards, BR agencies, negative balances, carries in timestamps)."""
    store = Store(seed, {"transactions_per_link": 3000, "history_days": history_days},
                  datetime(2026, 3, 1, tzinfo=timezone.utc))
    for username, password in PROFILES:
        link = store.new_link(institution, username, password, {}, "valid")
        n = link.count("transactions")
        sample = sorted(set(range(min(n, 60))) | set(random.Random(seed).sample(range(n), min(n, 200))))
        written = link.blobs("transactions", sample)
        for i, blob in zip(sample, written):
            assert blob == dumps(link._transaction(i)).encode(), (username, i)
        assert link.fragment("transactions", sample[-1]) == written[-1].decode()  # cached, same text


def test_runs_slice_like_a_flat_list():
    runs = Runs([("a", range(5)), ("b", []), ("b", [10, 12, 14]), ("c", range(100, 104))])
    flat = [(link, i) for link, indices in runs.runs for i in indices]
    assert len(runs) == len(flat) == 12
    for start in range(14):
        for stop in range(start, 15):
            got = [(link, i) for link, indices in runs[start:stop] for i in indices]
            assert got == flat[start:stop], (start, stop)


@pytest.fixture(scope="module")
def big():
    scenario = Scenario.from_dict({"name": "big", "settings": {"transactions_per_link": 1500}})
    with Simulator(seed=5, secret_id=KEYS[0], secret_password=KEYS[1], scenario=scenario, page_size_cap=None) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as c:
        yield sim, c, make_link(c, "bnk100", "full"), make_link(c)


def test_pages_across_two_links(big):
    _, c, one, two = big
    both = f"{one['id']},{two['id']}"
    walked, page = [], 1
    while True:
        body = c.get("/api/transactions/", params={"link__in": both, "page_size": 700, "page": page}).json()
        walked += body["results"]
        if not body["next"]:
            break
        page += 1
    assert body["count"] == len(walked) == 3000 and page == 5
    alone = [c.get("/api/transactions/", params={"link": lid, "page_size": 1000, "page": p}).json()["results"]
             for lid in (one["id"], two["id"]) for p in (1, 2)]
    assert walked == [t for chunk in alone for t in chunk]
    assert c.get(f"/api/transactions/{walked[1234]['id']}/").json() == walked[1234]


def test_filters_fields_and_omit_on_written_items(big):
    _, c, one, _ = big
    base = {"link": one["id"], "page_size": 1000}
    outflow = c.get("/api/transactions/", params={**base, "type": "OUTFLOW"}).json()
    everything = [t for p in (1, 2) for t in c.get("/api/transactions/", params={**base, "page": p}).json()["results"]]
    assert outflow["count"] == sum(t["type"] == "OUTFLOW" for t in everything) > 0
    assert outflow["results"] == [t for t in everything if t["type"] == "OUTFLOW"][:1000]
    trimmed = c.get("/api/transactions/", params={**base, "fields": "id,amount"}).json()["results"]
    assert trimmed == [{"id": t["id"], "amount": t["amount"]} for t in everything[:1000]]
    omitted = c.get("/api/transactions/", params={**base, "omit": "account"}).json()["results"][0]
    assert "account" not in omitted and omitted["id"] == everything[0]["id"]
    retrieved = c.post("/api/transactions/", json={"link": one["id"], "date_from": "2000-01-01"})
    assert retrieved.status_code == 201 and json.loads(retrieved.content) == everything
