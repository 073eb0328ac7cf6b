"""Request ids are new in every run, while the data stays the seed's: a log left by an earlier run
with the same seed can never hold an id the harness minted now."""
from __future__ import annotations

import httpx

from belvo_check.sim import Simulator
from simtest import KEYS


def one_run() -> tuple[str, list[str], list[dict]]:
    with Simulator(seed=11, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=10) as client:
        link = client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "user_valid",
                                                "password": "pass_valid"}).json()
        errors = [client.get("/api/links/no-such-link/").json()[0]["request_id"],
                  client.post("/api/links/", json={"institution": "erebor_mx_retail"}).json()[0]["request_id"]]
        transactions = client.get("/api/transactions/", params={"link": link["id"]}).json()["results"]
        return link["id"], errors, transactions


def test_request_ids_differ_between_runs_of_one_seed_and_data_does_not():
    first_link, first_ids, first_data = one_run()
    second_link, second_ids, second_data = one_run()
    assert len(set(first_ids)) == 2 and not set(first_ids) & set(second_ids)
    assert first_link == second_link
    assert [t["id"] for t in first_data] == [t["id"] for t in second_data]
    assert [t["amount"] for t in first_data] == [t["amount"] for t in second_data]
