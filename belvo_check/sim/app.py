"""The simulator's HTTP surface: routes, auth, and each exchange run through the fault phases, the handler and the journal."""
from __future__ import annotations

import base64
import functools
import hmac
import json
import logging
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from . import openapi
from .body import BodyError, parse as parse_body, read as read_body
from .faults import ANSWER, BEFORE, NOTHING, RENDER, Decision
from .handlers import Handlers
from .journal import JournalEntry, summarize
from .replies import Reply
from .wire import WireAccess

log = logging.getLogger("belvo_check.sim")
BODY_KEYS_PATH = "/api/token"  # the widget token takes the secret keys in its body, not Basic auth
# Bad keys answer 401, except where the spec documents no 401 (the payments widget token: 200, 400, 500).
BAD_KEYS_STATUS = {"/payments/br/token": 400}

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
    exchange: "Exchange"

    @property
    def base_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.headers.get('host') or self.request.url.netloc}"


@dataclass
class Exchange:
    """One request on its way through the fault phases and the handler."""
    core: object
    handlers: Handlers
    request: Request
    number: int
    entry: JournalEntry
    decision: Decision = field(default_factory=lambda: NOTHING)
    ctx: Ctx | None = None
    reply: Reply | None = None
    wire: Response | None = None     # set when the exchange ends on the wire instead of with a reply
    page_overlap: int = 0            # items each page after the first repeats from the one before

    def end(self, response: Response, error: str) -> None:
        self.wire, self.entry.error = response, error


class SimulatorApp:
    def __init__(self, core):
        self.core = core
        self.handlers = Handlers(core)
        self._exchanges = 0
        self.in_flight = 0  # requests being answered now (a stalled one included)

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
        routes.append(Route("/{rest:path}", self._spec_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))
        return WireAccess(Starlette(routes=routes, exception_handlers={
            Exception: self._crash_response, 404: self._unrouted, 405: self._unrouted}))

    async def _unrouted(self, request: Request, exc) -> Response:
        """A target no route can take ('*', 'http://host/...') or a method none serves: Belvo's 404 or 405."""
        return await self.exchange(request, None, {}, unknown_path=exc.status_code == 404)

    def _endpoint(self, methods: dict):
        handlers = {method: getattr(self.handlers, name) for method, name in methods.items()}

        async def endpoint(request: Request):
            return await self.exchange(request, handlers.get(request.method), request.path_params)
        return endpoint

    async def _spec_endpoint(self, request: Request):
        """Every operation of the spec without a hand-written route, served by its generic behaviour."""
        op, params, known = openapi.match(request.method, request.url.path)
        if op is None:
            return await self.exchange(request, None, {}, unknown_path=not known)
        return await self.exchange(request, functools.partial(self.handlers.resources.serve, op=op), params)

    # ---- one exchange
    async def exchange(self, request: Request, handler, path_params: dict, unknown_path: bool = False) -> Response:
        self.in_flight += 1
        try:
            return await self._exchange(request, handler, path_params, unknown_path)
        finally:
            self.in_flight -= 1

    async def _exchange(self, request: Request, handler, path_params: dict, unknown_path: bool = False) -> Response:
        """One request: parsed, authenticated, run through the scenario's phases and ``handler`` (a callable of
        the ``Ctx``; None: the path takes no such method), journaled."""
        core = self.core
        started = time.monotonic()
        self._exchanges += 1
        method, path = request.method, request.url.path
        query = {k: core.store.resolve(v) for k, v in request.query_params.items()}
        body, body_error = None, None
        try:
            body = parse_body(await read_body(request), method)
        except BodyError as exc:
            body_error = exc
        except ClientDisconnect:  # left (or was cut off) before its body was complete: nobody to answer
            return Response(status_code=204)
        if isinstance(body, dict):
            body = {k: core.store.resolve(v) for k, v in body.items()}
        params = {k: core.store.resolve(v) for k, v in path_params.items()}
        entry = JournalEntry(seq=0, time=started, direction="in", method=method, path=path,
                             query=summarize(query, path) or {}, body=summarize(body, path))
        x = Exchange(core, self.handlers, request, self._exchanges, entry)

        if path.rstrip("/") != BODY_KEYS_PATH and not self._authorized(request):
            x.reply = self.handlers.error(BAD_KEYS_STATUS.get(path.rstrip("/"), 401), "authentication_failed")
        else:
            x.decision = core.plan.decide(method, path, query)
            entry.rules = list(x.decision.rules)
            if not (body_error or unknown_path or handler is None):
                x.ctx = Ctx(request=request, method=method, path=path, params=params, query=query, body=body,
                            exchange=x)
            try:
                for action, value in x.decision.phase(BEFORE):
                    await action.apply(x, value)
                    if x.reply is not None or x.wire is not None:
                        break
                if x.wire is None and x.reply is None:
                    if body_error:
                        x.reply = self.handlers.error(body_error.status, body_error.code, body_error.field,
                                                      body_error.message)
                    elif unknown_path:
                        x.reply = self.handlers.error(404, "not_found")
                    elif handler is None:
                        x.reply = self.handlers.error(405, "method_not_allowed",
                                                      message=f'Method "{method}" not allowed.')
                    else:
                        x.reply = handler(x.ctx)
            except Exception as exc:  # a simulator bug: Belvo's 500, never a traceback
                x.reply, x.wire = self.crashed(request, exc), None
                entry.error = f"internal error: {type(exc).__name__}"
        if body_error is not None and body_error.status == 413 and x.reply is not None:
            x.reply.headers["Connection"] = "close"  # the rest of the body was never read

        if x.wire is None:
            payload = self._render(x)
            entry.status, entry.request_id = x.reply.status, x.reply.request_id
        entry.duration = time.monotonic() - started
        core.journal.add(entry)
        if x.wire is not None:
            return x.wire
        if x.reply.status == 204:
            return Response(status_code=204, headers=dict(x.reply.headers))
        return Response(payload, status_code=x.reply.status, headers=dict(x.reply.headers),
                        media_type=x.reply.media_type)

    def _render(self, x: Exchange) -> bytes:
        """The reply as bytes, through the scenario's answer and rendering actions."""
        reply = x.reply
        if reply.raw is not None:
            payload = reply.raw
        else:
            text = reply.text if reply.text is not None else json.dumps(reply.data, separators=(",", ":"), ensure_ascii=False)
            reshapes = x.decision.phase(ANSWER) if 200 <= reply.status < 300 else ()
            if reshapes:
                document = json.loads(text)
                for action, value in reshapes:
                    document = action.apply(document, value, x)
                text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
            payload = text if isinstance(text, bytes) else text.encode()  # bytes: a big list, sent as built
        for action, value in x.decision.phase(RENDER):
            payload = action.apply(payload, value, x)
            if x.wire is not None:
                break
        return payload

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
