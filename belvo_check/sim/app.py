"""The simulator's HTTP surface: routes, auth, faults, rendering and journaling of each exchange."""
from __future__ import annotations

import asyncio
import base64
import hmac
import json
import logging
import random
import socket
import struct
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import errors, mutations
from .body import BodyError, parse as parse_body, read as read_body
from .handlers import Handlers, Reply
from .journal import JournalEntry, summarize

CYCLE_KEY = "belvo_sim.cycle"
log = logging.getLogger("belvo_check.sim")
STRUCTURAL = {"add_fields", "shuffle_keys", "longer_strings", "shorter_strings", "unknown_enums"}

# (path template, {method: handler name}); each is served with and without the trailing slash.
ROUTES = [
    ("/api/", {"GET": "root"}),
    ("/api/token/", {"POST": "widget_token"}),
    ("/api/institutions/", {"GET": "list_institutions"}),
    ("/api/institutions/{id}/", {"GET": "get_institution"}),
    ("/api/links/", {"GET": "list_links", "POST": "create_link", "PATCH": "resume_link"}),
    ("/api/links/{id}/", {"GET": "get_link", "PUT": "update_link", "PATCH": "patch_link", "DELETE": "delete_link"}),
    ("/api/links/{id}/refresh/", {"POST": "refresh_link"}),
    ("/api/{kind:kind}/", {"GET": "list_items", "POST": "retrieve", "PATCH": "resume_retrieve"}),
    ("/api/{kind:kind}/{id}/", {"GET": "get_item", "DELETE": "delete_item"}),
]


@dataclass
class Ctx:
    """One request as the handlers see it: ids already resolved through mutation aliases."""
    request: Request
    method: str
    path: str
    params: dict
    query: dict
    body: dict | None
    decision: object
    headers: dict = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.headers.get('host') or self.request.url.netloc}"


class WireResponse(Response):
    """Responses that misbehave on the wire: a reset, or a body cut short."""

    def __init__(self, partial: bytes | None = None, declared_length: int = 0, headers: dict | None = None):
        super().__init__(status_code=200)
        self.partial, self.declared_length, self.extra = partial, declared_length, headers or {}

    async def __call__(self, scope, receive, send):
        if self.partial is not None:
            headers = [(b"content-type", b"application/json"), (b"content-length", str(self.declared_length).encode())]
            await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
            await send({"type": "http.response.body", "body": self.partial, "more_body": True})
        # A cut body ends with a clean close (the client reads the part, then finds it short); a reset with an RST.
        abort_connection(scope, rst=self.partial is None)


def abort_connection(scope, rst: bool = True) -> None:
    """Drop the TCP connection, with an RST (SO_LINGER 0) or a FIN; under a test transport, raise instead."""
    cycle = scope.get(CYCLE_KEY)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionResetError("belvo-check simulator: connection reset by scenario")
    cycle.disconnected = True  # tells uvicorn not to answer 500 on our behalf
    if not rst:
        transport.close()
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    transport.abort()


class WireAccess:
    """Outer ASGI layer: keeps uvicorn's request cycle reachable so a scenario can reset the socket."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        cycle = None
        if scope["type"] == "http":
            cycle = scope[CYCLE_KEY] = getattr(send, "__self__", None)
            sock = cycle.transport.get_extra_info("socket") if getattr(cycle, "transport", None) else None
            if sock is not None:
                # uvicorn writes headers and body separately: without NODELAY, Nagle + delayed ACK cost 40 ms each.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            await self.app(scope, receive, send)
        except Exception:
            # Starlette re-raises an error after answering it, for the server to log. It was answered
            # (Belvo's 500) and logged in one line by SimulatorApp.crashed; uvicorn would add a traceback.
            # Under a test transport (no socket) it surfaces, for the test to see.
            if getattr(cycle, "transport", None) is None:
                raise


class SimulatorApp:
    def __init__(self, core):
        self.core = core
        self.handlers = Handlers(core)
        self._exchanges = 0

    def build(self):
        from starlette.convertors import Convertor, register_url_convertor

        class KindConvertor(Convertor):
            regex = "accounts|transactions|owners|balances"

            def convert(self, value):
                return value

            def to_string(self, value):
                return value

        register_url_convertor("kind", KindConvertor())
        routes = []
        for template, methods in ROUTES:
            endpoint = self._endpoint(methods)
            forms = [template] if template == "/api/" else [template, template.rstrip("/")]
            routes += [Route(p, endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]) for p in forms]
        routes.append(Route("/{rest:path}", self._endpoint({}), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
        return WireAccess(Starlette(routes=routes, exception_handlers={Exception: self._crash_response}))

    def _endpoint(self, methods: dict):
        async def endpoint(request: Request):
            name = methods.get(request.method)
            return await self.exchange(request, name, not methods)
        return endpoint

    # ---- one exchange
    async def exchange(self, request: Request, handler_name: str | None, unknown_path: bool) -> Response:
        core = self.core
        started = time.monotonic()
        self._exchanges += 1
        exchange_no = self._exchanges
        method, path = request.method, request.url.path
        query = {k: core.store.resolve(v) for k, v in request.query_params.items()}
        body, body_error = None, None
        try:
            body = parse_body(await read_body(request), method)
        except BodyError as exc:
            body_error = exc
        if isinstance(body, dict):
            body = {k: core.store.resolve(v) for k, v in body.items()}
        params = {k: core.store.resolve(v) for k, v in request.path_params.items()}
        entry = JournalEntry(seq=0, time=started, direction="in", method=method, path=path,
                             query=summarize(query, path) or {}, body=summarize(body, path))

        decision = None
        if not self._authorized(request):
            reply = self.handlers.error(401, "authentication_failed")
        else:
            decision = core.plan.decide(method, path, query)
            entry.rules = list(decision.rules)
            if decision.stall and not await self._stall(request, decision.stall):
                entry.error, entry.duration = "client disconnected during stall", time.monotonic() - started
                core.journal.add(entry)
                return Response(status_code=204)  # nobody is listening any more
            if decision.reset:
                entry.error, entry.duration = "connection reset", time.monotonic() - started
                core.journal.add(entry)
                return WireResponse()
            if decision.error:
                reply = self.handlers.fault(decision.error)
            elif body_error:
                reply = self.handlers.error(body_error.status, body_error.code, body_error.field, body_error.message)
            elif unknown_path:
                reply = self.handlers.error(404, "not_found")
            elif handler_name is None:
                reply = self.handlers.error(405, "method_not_allowed", message=f'Method "{method}" not allowed.')
            else:
                ctx = Ctx(request=request, method=method, path=path, params=params, query=query, body=body,
                          decision=decision)
                try:
                    if decision.link_status:
                        self.handlers.turn_link(ctx, decision.link_status)
                    reply = getattr(self.handlers, handler_name)(ctx)
                except Exception as exc:  # a simulator bug: Belvo's 500, never a traceback
                    reply = self.crashed(request, exc)
                    entry.error = f"internal error: {type(exc).__name__}"
        if body_error is not None and body_error.status == 413:
            reply.headers["Connection"] = "close"  # the rest of the body was never read

        payload = self._render(reply, decision, exchange_no)
        entry.status, entry.request_id = reply.status, reply.request_id
        entry.duration = time.monotonic() - started
        if decision and decision.body == "truncated":
            entry.error = "body truncated"
            core.journal.add(entry)
            wire = WireResponse(payload[: len(payload) // 2], len(payload))
            wire.status_code = reply.status
            return wire
        if decision and decision.body == "garbage":
            entry.error = "garbage body"
            payload = garbage(core.seed, exchange_no, len(payload))
        core.journal.add(entry)
        headers = dict(reply.headers)
        if reply.status == 204:
            return Response(status_code=204, headers=headers)
        return Response(payload, status_code=reply.status, headers=headers, media_type=reply.media_type)

    def _render(self, reply: Reply, decision, exchange_no: int) -> bytes:
        if reply.raw is not None:
            return reply.raw
        text = reply.text if reply.text is not None else json.dumps(reply.data, separators=(",", ":"), ensure_ascii=False)
        muts = decision.mutations if decision and 200 <= reply.status < 300 else {}
        structural = bool(STRUCTURAL & muts.keys())
        if not structural and not muts.get("timestamps"):
            return text if isinstance(text, bytes) else text.encode()  # bytes: a big list, sent as built
        if structural:
            rng = random.Random(f"{self.core.seed}:shuffle:{exchange_no}")
            obj = mutations.apply(json.loads(text), muts, self.core.store.aliases, rng)
            text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        elif isinstance(text, bytes):
            text = text.decode()
        if muts.get("timestamps"):
            text = mutations.timestamps(text, muts["timestamps"])
        return text.encode()

    def crashed(self, request: Request, exc: Exception) -> Reply:
        """Belvo's 500 for a request the simulator failed on, and one line on stderr saying so."""
        reply = self.handlers.error(500, "unexpected_error")
        log.error("belvo-check sim: internal error on %s %s (request_id %s): %s: %s", request.method,
                  ascii(request.url.path), reply.request_id, type(exc).__name__, ascii(str(exc))[:200])
        return reply

    def _crash_response(self, request: Request, exc: Exception) -> Response:
        reply = self.crashed(request, exc)
        return Response(json.dumps(reply.data), status_code=500, media_type=reply.media_type)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except ValueError:  # not base64, not ASCII, not UTF-8
            return False
        return (hmac.compare_digest(user.encode(), self.core.secret_id.encode())
                & hmac.compare_digest(password.encode(), self.core.secret_password.encode()))

    async def _stall(self, request: Request, seconds: float) -> bool:
        """Hold the response; False when the client went away (or the simulator stops) first."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.sleep(min(left, 0.05))
            if self.core.stopping.is_set() or await request.is_disconnected():
                return False
        return True


def garbage(seed: int, n: int, length: int) -> bytes:
    """Deterministic bytes that are not JSON (starts with a byte no JSON text can start with)."""
    import hashlib
    out = bytearray(b"\xff\x00<")
    block = hashlib.blake2b(f"{seed}:garbage:{n}".encode()).digest()
    while len(out) < max(64, min(length, 4096)):
        out += block
        block = hashlib.blake2b(block).digest()
    return bytes(out[: max(64, min(length, 4096))])
