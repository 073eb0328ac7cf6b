"""Run the simulator: in-process (``Simulator``) or in the foreground for the CLI (``serve_forever``)."""
from __future__ import annotations

import asyncio
import errno
import functools
import logging
import signal
import socket
import threading
from datetime import datetime

import uvicorn

from ..errors import UsageError
from .app import SimulatorApp
from .faults import FaultPlan, Scenario, ScenarioError
from .ids import Minter
from .journal import Journal
from .protocol import MAX_HEADER_BYTES, READ_TIMEOUT, WRITE_TIMEOUT, GuardedH11Protocol
from .state import Store
from .webhooks import Delivery, WebhookSender

DEFAULT_SECRET_ID, DEFAULT_SECRET_PASSWORD = "sim-secret-id", "sim-secret-password"
_UNSET = object()
log = logging.getLogger("belvo_check.sim")


class Simulator:
    """A Belvo API double with its own state, journal and port. Several may run at once."""

    def __init__(self, seed: int = 0, secret_id: str = DEFAULT_SECRET_ID,
                 secret_password: str = DEFAULT_SECRET_PASSWORD, scenario: Scenario | str | None = None,
                 page_size_cap=_UNSET, webhook_url: str | None = None, webhook_authorization: str | None = None,
                 host: str = "127.0.0.1", port: int = 0, today: datetime | None = None,
                 read_timeout: float = READ_TIMEOUT, write_timeout: float = WRITE_TIMEOUT):
        self.seed, self.secret_id, self.secret_password = seed, secret_id, secret_password
        self.scenario = Scenario.load(scenario) if scenario is not None else Scenario(name="default")
        settings = self.scenario.settings
        # Explicit argument wins, then the scenario's setting, then Belvo's sandbox page of 10.
        if page_size_cap is _UNSET:
            page_size_cap = settings.get("page_size_cap", 10)
        self.page_size_cap = page_size_cap
        self.host, self.port = host, port
        self.read_timeout, self.write_timeout = read_timeout, write_timeout
        self.journal = Journal()
        self.minter = Minter(seed)
        self.store = Store(seed, settings, today)
        self.plan = FaultPlan(self.scenario, seed)
        self.webhooks = WebhookSender(seed, self.journal, webhook_url, webhook_authorization,
                                      duplicates=settings.get("webhook_duplicates", False),
                                      out_of_order=settings.get("webhook_out_of_order", False))
        self.stopping = threading.Event()
        self._handling = SimulatorApp(self)
        self.app = self._handling.build()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> Store:
        return self.store

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ---- lifecycle
    def start(self) -> "Simulator":
        """Serve on a background thread; returns once the socket accepts connections."""
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        self.stopping.clear()
        # log_config=None: uvicorn must not reconfigure the process's logging on every start; it
        # would put an access-log handler on stdout, which carries belvo-check's JSON report.
        # No limit_concurrency: uvicorn would answer 503 to every client once hostile ones hold enough
        # connections; the read and write deadlines and the body and header limits bound what each one costs.
        protocol = functools.partial(GuardedH11Protocol, read_timeout=self.read_timeout,
                                     write_timeout=self.write_timeout)
        config = uvicorn.Config(self.app, log_level="error", log_config=None, lifespan="off", access_log=False,
                                timeout_graceful_shutdown=1, http=protocol,
                                h11_max_incomplete_event_size=MAX_HEADER_BYTES)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve(sock)),
                                        name=f"belvo-sim-{self.port}", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"simulator failed to start on {self.url}")
            self._thread.join(0.005)
        return self

    async def _serve(self, sock: socket.socket) -> None:
        asyncio.get_running_loop().set_exception_handler(_log_loop_error)
        await self._server.serve(sockets=[sock])

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
            self._server = None
        self.webhooks.close()

    def __enter__(self) -> "Simulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- for judges and other components
    def send_webhook(self, url: str | None = None, authorization: str | None = None, **payload_fields) -> Delivery:
        """Deliver one webhook now. Fields not given get Belvo-shaped defaults (fresh webhook_id, ...)."""
        fields = dict(payload_fields)
        payload = self.webhooks.payload(fields.pop("webhook_type", "TRANSACTIONS"),
                                        fields.pop("webhook_code", "historical_update"), **fields)
        return self.webhooks.deliver(payload, url=url, authorization=authorization)

    def announce_historical(self, link_id: str) -> None:
        """Queue the webhooks Belvo sends when a link's historical data is ready (as after its creation),
        naming the link as given: the id as the integration saw it (an altered one in string drills)."""
        link = self.store.link(link_id)
        if link is None:
            raise KeyError(f"no link {link_id} in this simulator")
        payloads = self._handling.handlers.historical_payloads(link)
        self.webhooks.enqueue([{**payload, "link_id": link_id} for payload in payloads])

    @property
    def in_flight(self) -> int:
        """Requests being answered now, a stalled one included."""
        return self._handling.in_flight

    def add_transactions(self, link_id: str, count: int) -> list[str]:
        """Make `count` new transactions available on a link, as a refresh at the bank would; their ids."""
        link = self.store.link(link_id)
        if link is None:
            raise KeyError(f"no link {link_id} in this simulator")
        return link.add_transactions(count)

    def minted_request_ids(self, rule: str | None = None, status: int | None = None, method: str | None = None,
                           path: str | None = None) -> list[str]:
        """The request_id each matching response carried, in order: what a judge looks for in logs."""
        return [e.request_id for e in self.journal.find(method=method, path=path, status=status, rule=rule,
                                                        direction="in") if e.request_id]


def serve_forever(host: str = "127.0.0.1", port: int = 8787, seed: int = 0, secret_id: str | None = None,
                  secret_password: str | None = None, scenario=None, page_size_cap: int | None = None, console=None,
                  webhook_url: str | None = None, webhook_authorization: str | None = None) -> None:
    """Serve until Ctrl-C (SIGINT) or SIGTERM, printing where and with which keys (for ``belvo-check sim``).

    ``page_size_cap``: None leaves it to the scenario (else Belvo's sandbox page of 10); 0 turns it off.
    The lines go to stdout, flushed at once, so a parent process can read the URL (with the real port
    when ``port`` is 0). Either signal ends the server cleanly: a one-line goodbye and a normal return
    (exit code 0 for the CLI), never a traceback. A port in use or a bad scenario is a ``UsageError``.
    """
    out = console.print if console is not None else (lambda *a, **k: print(*a, flush=True))
    cap = _UNSET if page_size_cap is None else (page_size_cap or None)
    try:
        sim = Simulator(seed=seed, secret_id=secret_id or DEFAULT_SECRET_ID,
                        secret_password=secret_password or DEFAULT_SECRET_PASSWORD, scenario=scenario,
                        page_size_cap=cap, webhook_url=webhook_url,
                        webhook_authorization=webhook_authorization, host=host, port=port)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    stop = threading.Event()
    previous = _on_signals((signal.SIGINT, signal.SIGTERM, signal.SIGHUP), lambda signum, frame: stop.set())
    try:
        try:
            sim.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} is in use; choose another with --port or --port 0") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        out(f"Belvo API simulator listening on {sim.url}  (scenario: {sim.scenario.name}, seed: {seed})")
        out(f"  BELVO_API_URL={sim.url}")
        out(f"  BELVO_SECRET_ID={sim.secret_id}")
        # Only the simulator's dummy default is printed; a password the user chose stays off the screen.
        shown = sim.secret_password if sim.secret_password == DEFAULT_SECRET_PASSWORD else "(the password you gave)"
        out(f"  BELVO_SECRET_PASSWORD={shown}")
        out("Press Ctrl-C to stop.")
        try:
            while not stop.is_set() and sim._thread is not None and sim._thread.is_alive():
                stop.wait(0.5)
        except KeyboardInterrupt:  # SIGINT where our handler could not be installed (not the main thread)
            pass
    finally:
        sim.stop()
        _restore_signals(previous)
    out("Simulator stopped.")


def _log_loop_error(loop, context: dict) -> None:
    """One line for what asyncio would log with a traceback (e.g. out of file descriptors on accept)."""
    exc = context.get("exception")
    log.error("belvo-check sim: %s%s", context.get("message", "event loop error"),
              f": {type(exc).__name__}: {exc}" if exc else "")


def _on_signals(signums, handler) -> dict:
    """Install ``handler`` for each signal, from the main thread only; returns what to restore.

    A signal the parent chose to ignore stays ignored (a shell's background job ignores SIGINT).
    """
    previous = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for signum in signums:
        if signal.getsignal(signum) is signal.SIG_IGN:
            continue
        try:
            previous[signum] = signal.signal(signum, handler)
        except (OSError, ValueError):
            pass
    return previous


def _restore_signals(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
