"""Simulator benchmark (run on demand): python3 benchmarks/sim/bench_sim.py

The simulator runs in its own process (as it does under `belvo-check sim`), the clients in this one,
all on loopback. Prints a table of: small requests per second (with the stdlib client, which costs
little so the server is what is measured, and with httpx, the client integrations use), the median
time to serve a 1000-item transactions page (cold = generated on first request, warm = cached), a
spec-served list (incomes, generated from the spec's schema), and belvo-python walking 25,000
transactions.
"""
from __future__ import annotations

import multiprocessing as mp
import statistics
import time

import httpx

KEYS = ("bench-id", "bench-pw")
N_TRANSACTIONS = 25_000


def _serve(port_queue, stop_event):
    from belvo_check.sim import Scenario, Simulator
    scenario = Scenario.from_dict({"name": "bench", "settings": {"transactions_per_link": N_TRANSACTIONS}})
    with Simulator(seed=1, secret_id=KEYS[0], secret_password=KEYS[1], scenario=scenario, page_size_cap=None) as sim:
        port_queue.put(sim.port)
        stop_event.wait()


def _hammer(url: str, seconds: float, out) -> None:
    """One keep-alive connection with the stdlib client (cheaper than httpx, so the server is what's measured)."""
    import base64
    import http.client
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    headers = {"Authorization": "Basic " + base64.b64encode(":".join(KEYS).encode()).decode()}
    n, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.request("GET", "/api/institutions/1001/", headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        n += 1
    out.put(n)


def _hammer_httpx(url: str, seconds: float, out) -> None:
    """One keep-alive connection with httpx."""
    n, deadline = 0, time.monotonic() + seconds
    with httpx.Client(base_url=url, auth=KEYS) as c:
        while time.monotonic() < deadline:
            r = c.get("/api/institutions/1001/")
            assert r.status_code == 200
            n += 1
    out.put(n)


def small_requests(url: str, seconds: float = 3.0, clients: int = 2, hammer=_hammer) -> float:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=hammer, args=(url, seconds, out)) for _ in range(clients)]
    started = time.monotonic()
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / (time.monotonic() - started)


def page_times(c: httpx.Client, link_id: str, pages: range) -> list[float]:
    times = []
    for page in pages:
        t0 = time.perf_counter()
        r = c.get("/api/transactions/", params={"link": link_id, "page_size": 1000, "page": page})
        r.raise_for_status()
        times.append((time.perf_counter() - t0) * 1000)
        assert len(r.json()["results"]) == 1000
    return times


def main() -> None:
    ctx = mp.get_context("spawn")
    ports, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=_serve, args=(ports, stop), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{ports.get(timeout=30)}"
    try:
        with httpx.Client(base_url=url, auth=KEYS, timeout=60) as c:
            small_requests(url, seconds=0.5)  # warm up
            rps = small_requests(url)
            rps_httpx = small_requests(url, hammer=_hammer_httpx)
            link = c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "u", "password": "p"}).json()
            cold = page_times(c, link["id"], range(1, 16))
            warm = page_times(c, link["id"], range(1, 16))
            spec_served = []
            for _ in range(50):
                t0 = time.perf_counter()
                c.get("/api/incomes/", params={"link": link["id"]}).raise_for_status()
                spec_served.append((time.perf_counter() - t0) * 1000)

            from belvo.client import Client
            sdk = Client(*KEYS, url=url)
            fresh = c.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "v", "password": "p"}).json()
            t0 = time.perf_counter()
            count = sum(1 for _ in sdk.Transactions.list(fresh["id"]))
            sdk_seconds = time.perf_counter() - t0
    finally:
        stop.set()
        server.join(timeout=10)

    rows = [
        ("small requests/s (2 client processes, GET institution detail)", f"{rps:,.0f}", ">= 2,000"),
        ("small requests/s, httpx (2 client processes)", f"{rps_httpx:,.0f}", ">= 2,000"),
        ("spec-served list (GET /api/incomes/), median ms (first: spec load)",
         f"{statistics.median(spec_served):.1f} ({spec_served[0]:.0f})", "-"),
        ("1000-item transactions page, median ms (cold: generated)", f"{statistics.median(cold):.1f}", "<= 20"),
        ("1000-item transactions page, median ms (warm: cached)", f"{statistics.median(warm):.1f}", "<= 20"),
        (f"belvo-python lists {count:,} transactions (100/page), s", f"{sdk_seconds:.2f}", "-"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'result':>10}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>10}  {target}")


if __name__ == "__main__":
    main()
