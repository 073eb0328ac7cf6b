"""A client that asks for large answers and never reads them cannot hold the simulator's answer
for ever: once writing has been blocked on it for the write deadline, it is disconnected, and a
well-behaved client is served throughout."""
from __future__ import annotations

import base64
import socket
import time

import httpx

from belvo_check.sim import Simulator

KEYS = ("hostile-reader-id", "hostile-reader-password")
PIPELINED = 12  # 1000-item transaction pages asked for at once: more than any socket buffer holds


def test_a_client_that_never_reads_is_disconnected_and_others_are_served():
    with Simulator(seed=3, secret_id=KEYS[0], secret_password=KEYS[1], page_size_cap=0, scenario="big-link",
                   write_timeout=1.0) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as client:
        link = client.post("/api/links/", json={"institution": "erebor_mx_retail", "username": "user_valid",
                                                "password": "pass_valid"}).json()["id"]
        basic = base64.b64encode(":".join(KEYS).encode())
        one = (f"GET /api/transactions/?link={link}&page_size=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: Basic {basic.decode()}\r\n\r\n").encode()
        port = int(sim.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=60) as reader:
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            reader.sendall(one * PIPELINED)
            # The simulator goes on serving while this client reads nothing.
            assert client.get("/api/institutions/").status_code == 200
            # A slow reader would read by now; this one never does, so the deadline ends it.
            time.sleep(5)
            assert client.get(f"/api/links/{link}/").status_code == 200
            received = b""
            try:
                while chunk := reader.recv(1 << 20):
                    received += chunk
            except ConnectionResetError:
                pass
        answers = received.count(b"HTTP/1.1 200 ")
        assert 0 < answers < PIPELINED, f"{answers} of {PIPELINED} answers arrived: the reader was never cut off"
        assert client.get("/api/institutions/").status_code == 200
