"""Hostile clients against `belvo-check sim` (a real child process on 127.0.0.1), while a well-behaved
client keeps getting correct answers, and the simulator never prints a traceback."""
from __future__ import annotations

import base64
import json
import re
import select
import socket
import threading
import time

import httpx

from tests.simproc import SimProcess

REQUEST_ID = re.compile(r"[0-9a-f]{32}")
HANG_GUARD = 90
CROWD = 300  # idle connections held at once: no connection limit turns the well-behaved client away  # seconds a hostile connection may live at most before the test calls it "never cut off"


# ---- raw HTTP over a socket: what no HTTP library would send
def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (a reset after its answer counts as a close)."""
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def exchange(port: int, raw: bytes) -> bytes:
    with connect(port) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused while we were still sending; whatever it answered is still readable
        return read_all(sock)


def request(port: int, auth, method: str, target: bytes, body: bytes = b"", headers: bytes = b"") -> bytes:
    basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode())
    head = (method.encode() + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Authorization: Basic " + basic + b"\r\nContent-Type: application/json\r\n" + headers)
    if body:
        head += b"Content-Length: " + str(len(body)).encode() + b"\r\n"
    return exchange(port, head + b"\r\n" + body)


def status_of(response: bytes) -> int | None:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", response)
    return int(match.group(1)) if match else None


def belvo_error(response: bytes) -> dict:
    """The single error object of a Belvo error body: a JSON array of {code, message, request_id, field?}."""
    head, _, body = response.partition(b"\r\n\r\n")
    assert b"content-type: application/json" in head.lower(), response[:300]
    errors = json.loads(body)
    assert isinstance(errors, list) and len(errors) == 1, body[:300]
    error = errors[0]
    assert set(error) <= {"code", "message", "request_id", "field"} and error["message"], error
    assert REQUEST_ID.fullmatch(error["request_id"]), error
    return error


# ---- what each hostile client sends, and exactly what it must get
INVALID_HTTP = [  # answered by the HTTP layer: 400 and a close, before any Belvo code runs
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),     # a TLS ClientHello
    b"\x00" * 64 + b"\r\n\r\n",
    b"GET /api/ HTTP/1.1\r\nHost: x\r\nthis line has no colon\r\n\r\n",
    b"GET /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/links/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    b"POST /api/links/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    b"GET /api/\xc3\xa9t\xc3\xa9/ HTTP/1.1\r\nHost: x\r\n\r\n",                 # raw (unencoded) unicode
    b"GET /api/links/\x00/ HTTP/1.1\r\nHost: x\r\n\r\n",                         # a raw NUL
    b"GET /api/" + b"a" * 100_000 + b"/ HTTP/1.1\r\nHost: x\r\n\r\n",          # a path beyond the header limit
    b"GET /api/institutions/ HTTP/1.1\r\nHost: [::1\r\n\r\n",                   # Hosts no URL can be built on
    b"GET /api/institutions/ HTTP/1.1\r\nHost: [zz]:1\r\n\r\n",
    b"GET /api/institutions/ HTTP/1.1\r\nHost: x/y?z#\r\n\r\n",
]

PATH_TRICKS = [  # (target, status): every one answered by the simulator, in Belvo's shape
    (b"/api/../api/links/", 404),
    (b"/api/./links/", 404),
    (b"//api/links", 404),
    (b"/api//links/", 404),
    (b"/api/links/%2e%2e/%2e%2e/", 404),
    (b"/api/links/..%2F..%2Fetc%2Fpasswd", 404),
    (b"/api/links/%00/", 404),
    (b"/api/links/%ff%fe/", 404),
    (b"/api/%F0%9F%98%80/", 404),
    (b"/api/" + b"a" * 10_000 + b"/", 404),
    (b"*", 404),
    (b"http://evil.example/api/links/", 404),
    (b"/api/institutions/?page=" + b"9" * 5000, 404),          # an absurd page number
]

HOSTILE_QUERIES = [  # filters whose values make no sense for the field: an empty page, never a 500
    b"/api/institutions/?id__allin=1,2", b"/api/institutions/?id__range=abc,", b"/api/links/?created_at__range=,",
    b"/api/links/?id__allin=x&status__range=1,2", b"/api/institutions/?page_size=1e400",
    b"/api/institutions/?country_code__gt=%ff%fe", b"/api/links/?institution__lte=" + b"9" * 5000,
]

CREATE = {"institution": "erebor_mx_retail", "username": "user_valid", "password": "pass_valid"}
INVALID_JSON = [  # (method, target, body, code, field, message fragment)
    ("POST", b"/api/links/", b"{", "parse_error", None, "JSON parse error"),
    ("POST", b"/api/links/", b"\xff\xfe{}", "parse_error", None, "JSON parse error"),
    ("POST", b"/api/links/", b'{"institution": NaN}', "parse_error", None, "NaN"),
    ("POST", b"/api/links/", b"[" * 100_000 + b"]" * 100_000, "parse_error", None, "nested deeper"),
    ("POST", b"/api/links/", b'{"a":' * 70 + b"1" + b"}" * 70, "parse_error", None, "nested deeper"),
    ("POST", b"/api/links/", b'{"link": ' + b"9" * 5000 + b"}", "parse_error", None, "JSON parse error"),
    ("POST", b"/api/links/", b"[1, 2]", "invalid", None, "Expected a dictionary, but got list."),
    ("POST", b"/api/links/", b'"erebor_mx_retail"', "invalid", None, "Expected a dictionary, but got str."),
    ("POST", b"/api/links/", b"1e999", "invalid", None, "Expected a dictionary, but got float."),
    ("POST", b"/api/links/", json.dumps({**CREATE, "institution": {"name": "erebor_mx_retail"}}).encode(),
     "invalid", "institution", "Not a valid string."),
    ("POST", b"/api/links/", json.dumps({**CREATE, "username": ["user_valid"]}).encode(),
     "invalid", "username", "Not a valid string."),
    ("POST", b"/api/links/", json.dumps({**CREATE, "password": True}).encode(),
     "invalid", "password", "Not a valid string."),
    ("POST", b"/api/links/", json.dumps({**CREATE, "fetch_resources": "ACCOUNTS"}).encode(),
     "not_a_list", "fetch_resources", "Expected a list of items"),
    ("POST", b"/api/transactions/", json.dumps({"link": "x", "save_data": "perhaps"}).encode(),
     "invalid", "save_data", "Must be a valid boolean."),
    ("POST", b"/api/transactions/", json.dumps({"link": {"id": "x"}}).encode(), "invalid", "link", "Not a valid string."),
    ("POST", b"/api/token/", b"[]", "invalid", None, "Expected a dictionary, but got list."),
]


def slowloris(port: int, opening: bytes, drip: bytes | None) -> str:
    """Send ``opening``, then ``drip`` a byte a second (or nothing), until the server hangs up."""
    with connect(port) as sock:
        sock.sendall(opening)
        give_up = time.monotonic() + HANG_GUARD
        while time.monotonic() < give_up:
            readable, _, _ = select.select([sock], [], [], 1.0)
            if readable:
                try:
                    if sock.recv(65536) == b"":
                        return "closed"
                except ConnectionResetError:
                    return "closed"
                continue
            if drip:
                try:
                    sock.send(drip[:1])
                except (BrokenPipeError, ConnectionResetError):
                    return "closed"
                drip = drip[1:] or drip
        return "still open"


def crowd(port: int, size: int) -> int:
    """Open ``size`` connections that never send a byte; returns how many the server closed."""
    socks = [connect(port) for _ in range(size)]
    open_ones = set(socks)
    try:
        give_up = time.monotonic() + HANG_GUARD
        while open_ones and time.monotonic() < give_up:
            readable, _, _ = select.select(list(open_ones), [], [], 1.0)
            for sock in readable:
                try:
                    if sock.recv(1) == b"":
                        open_ones.discard(sock)
                except ConnectionResetError:
                    open_ones.discard(sock)
        return size - len(open_ones)
    finally:
        for sock in socks:
            sock.close()


def huge_body(port: int, auth) -> tuple[int, bytes]:
    """Stream a 50 MB body; returns how much the server took before it answered or hung up, and its answer."""
    basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode())
    total, sent = 50 * 1024 * 1024, 0
    with connect(port) as sock:
        sock.sendall(b"POST /api/links/ HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + basic +
                     b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
        sock.settimeout(30)
        try:
            while sent < total:
                sock.sendall(chunk)
                sent += 0x10000
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass
        return sent, read_all(sock)


def test_hostile_clients_while_a_well_behaved_one_is_served():
    with SimProcess() as sim:
        port, auth = sim.port, sim.auth
        failures: list[str] = []
        outcomes: dict[str, object] = {}

        def hostile(name, work):
            def run():
                try:
                    outcomes[name] = work()
                except Exception as exc:  # the assertion below names the client that failed
                    failures.append(f"{name}: {type(exc).__name__}: {exc}")
            return threading.Thread(target=run, name=name)

        def invalid_http():
            return [status_of(exchange(port, raw)) for raw in INVALID_HTTP]

        def path_tricks():
            answers = []
            for target, want in PATH_TRICKS:
                response = request(port, auth, "GET", target)
                answers.append((target[:40], status_of(response), belvo_error(response)["code"]))
            return answers

        def hostile_queries():
            answers = []
            for target in HOSTILE_QUERIES:
                head, _, body = request(port, auth, "GET", target).partition(b"\r\n\r\n")
                answers.append((status_of(head + b"\r\n"), sorted(json.loads(body))))
            return answers

        def invalid_json():
            return [(target, belvo_error(response), status_of(response))
                    for method, target, body, *_ in INVALID_JSON
                    for response in [request(port, auth, method, target, body)]]

        def huge_header():
            return status_of(exchange(port, b"GET /api/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"))

        def declared_huge_body():
            return request(port, auth, "POST", b"/api/links/", headers=b"Content-Length: 52428800\r\n")

        slow = {
            "silent": (b"", None),
            "slow headers": (b"GET /api/institutions/ HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 10_000),
            "slow request line": (b"G", b"ET /api/institutions/" + b"a" * 10_000),
            "unfinished body": (b"POST /api/links/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{", None),
            "dripping body": (b"POST /api/links/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", b" " * 100_000),
        }
        threads = [hostile("invalid http", invalid_http), hostile("path tricks", path_tricks),
                   hostile("hostile queries", hostile_queries),
                   hostile("invalid json", invalid_json), hostile("huge header", huge_header),
                   hostile("declared huge body", declared_huge_body),
                   hostile("huge body", lambda: huge_body(port, auth)),
                   hostile("crowd", lambda: crowd(port, CROWD))]
        threads += [hostile(name, lambda o=opening, d=drip: slowloris(port, o, d)) for name, (opening, drip) in slow.items()]
        for thread in threads:
            thread.start()

        # The well-behaved client: the answers it gets while all that goes on are the normal ones.
        answers = []
        with httpx.Client(base_url=sim.url, auth=auth, timeout=60) as client:
            while any(t.is_alive() for t in threads) or len(answers) < 20:
                listing = client.get("/api/institutions/")
                assert listing.status_code == 200, listing.text
                page = listing.json()
                assert page["count"] > 10 and len(page["results"]) == 10 and page["next"], page
                created = client.post("/api/links/", json=CREATE)
                assert created.status_code == 201, created.text
                fetched = client.get(f"/api/links/{created.json()['id']}/")
                assert fetched.status_code == 200 and fetched.json()["id"] == created.json()["id"], fetched.text
                answers.append(page["count"])
                threading.Event().wait(0.05)
        for thread in threads:
            thread.join()
        code = sim.stop()

    assert not failures, failures
    assert len(set(answers)) == 1

    assert outcomes["invalid http"] == [400] * len(INVALID_HTTP)
    assert [(target, status) for target, status, _ in outcomes["path tricks"]] == \
           [(target[:40], want) for target, want in PATH_TRICKS]
    assert {code for *_, code in outcomes["path tricks"]} == {"not_found"}
    assert outcomes["hostile queries"] == [(200, ["count", "next", "previous", "results"])] * len(HOSTILE_QUERIES)
    for (method, target, body, want_code, want_field, fragment), (_, error, status) in zip(INVALID_JSON, outcomes["invalid json"]):
        assert status == 400 and error["code"] == want_code and error.get("field") == want_field, (body[:60], error)
        assert fragment in error["message"], (body[:60], error)
    # A 1 MB header is refused after the first 32 KiB: a 400, or a reset while the rest was still being sent.
    assert outcomes["huge header"] in (400, None)
    # A declared 50 MB body is refused at once, without reading it, and the connection closed.
    declared = outcomes["declared huge body"]
    assert status_of(declared) == 413 and belvo_error(declared)["code"] == "request_too_large", declared[:300]
    assert b"\r\nconnection: close\r\n" in declared.lower()
    # A streamed 50 MB body is cut off after 1 MiB: what the server took is far below 50 MB (socket
    # buffers hold a few MB), and what it answered, if the answer survived the reset, is the 413.
    taken, answer = outcomes["huge body"]
    assert taken < 20 * 1024 * 1024, taken
    assert answer == b"" or (status_of(answer) == 413 and belvo_error(answer)["code"] == "request_too_large"), answer[:300]
    # Slow and idle clients are disconnected by the server.
    assert outcomes["crowd"] == CROWD
    assert {name: outcomes[name] for name in slow} == {name: "closed" for name in slow}

    assert code == 0, sim.output
    assert "Traceback" not in sim.output and "internal error" not in sim.output, sim.output
    assert sim.stderr == [], sim.stderr


def test_big_valid_body_under_the_limit_is_read_whole():
    """The size limit refuses only what is over it: a 900 KB body with a real link request in it is served."""
    with SimProcess() as sim:
        body = json.dumps({**CREATE, "padding": "x" * 900_000}).encode()
        created = httpx.post(f"{sim.url}/api/links/", content=body, auth=sim.auth, timeout=60,
                             headers={"Content-Type": "application/json"})
        assert created.status_code == 201, created.text[:300]
        too_big = httpx.post(f"{sim.url}/api/links/", content=body + b" " * 200_000, auth=sim.auth, timeout=60,
                             headers={"Content-Type": "application/json"})
        assert too_big.status_code == 413 and too_big.json()[0]["code"] == "request_too_large", too_big.text[:300]
        assert sim.stop() == 0
    assert "Traceback" not in sim.output


def test_sim_on_a_port_in_use_says_so_in_one_line():
    from tests.conftest import run_cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("sim", "--port", str(port), timeout=60)
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert result.stderr == f"error: port {port} is in use; choose another with --port or --port 0\n"
