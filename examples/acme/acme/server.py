"""Belvo webhook receiver: GET /health, POST /hooks/belvo.

Belvo wants a 2xx within 5 seconds, so each delivery is stored and
acknowledged first; slow work (fetching transactions) runs in a thread after.
Deliveries are deduplicated on webhook_id because Belvo may send one twice.
"""

import argparse
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import actions, errors
from .config import Settings
from .store import Store

log = logging.getLogger("acme.webhooks")

HOOK_PATH = "/hooks/belvo"
MAX_BODY = 1_000_000
TRANSACTION_CODES = {"historical_update", "new_transactions_available"}
LINK_STATUS_BY_CODE = {"invalid_credentials": "invalid", "token_required": "token_required",
                       "link_deleted": "deleted"}


def fetch_in_background(settings: Settings, link_id: str) -> None:
    def run() -> None:
        try:
            with actions.make_client(settings) as client, Store(settings.db_path) as store:
                actions.fetch_transactions(client, store, link_id)
        except Exception as exc:  # a thread has no caller: log it like the CLI would
            errors.report(exc)

    threading.Thread(target=run, name=f"fetch-{link_id}", daemon=True).start()


def handle(settings: Settings, hook: dict) -> None:
    """Act on one new webhook (already recorded and acknowledged)."""
    wtype, code, link_id = hook.get("webhook_type"), hook.get("webhook_code"), hook.get("link_id")
    if wtype == "TRANSACTIONS" and code in TRANSACTION_CODES and link_id:
        fetch_in_background(settings, link_id)
    elif wtype == "LINK" and code in LINK_STATUS_BY_CODE and link_id:
        status = LINK_STATUS_BY_CODE[code]
        with Store(settings.db_path) as store:
            known = store.set_link_status(link_id, status)
        if status in actions.NEEDS_USER:
            # Acme's app shows the user a "reconnect your bank" prompt for such links
            log.warning("link %s is %s: the user must update their credentials", link_id, status)
        if not known:
            log.warning("webhook for unknown link %s", link_id)
    else:
        # new types and codes appear over time: acknowledge and move on
        log.info("unhandled webhook type=%s code=%s link=%s", wtype, code, link_id)


class Handler(BaseHTTPRequestHandler):
    settings: Settings  # set by serve()
    server_version = "acme-webhooks/1.0"

    def do_GET(self) -> None:
        if self.path.split("?")[0] == "/health":
            self._reply(200, {"status": "ok"})
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path.split("?")[0] != HOOK_PATH:
            self._reply(404, {"error": "not found"})
            return
        # NOTE: the Authorization header is not checked (see README, "Known gaps").
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reply(413, {"error": "too large"})
                return
            hook = json.loads(self.rfile.read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            self._reply(400, {"error": "invalid JSON"})
            return
        if not isinstance(hook, dict):
            self._reply(400, {"error": "expected a JSON object"})
            return
        log.info("webhook id=%s type=%s code=%s link=%s request_id=%s",
                 hook.get("webhook_id"), hook.get("webhook_type"), hook.get("webhook_code"),
                 hook.get("link_id"), hook.get("request_id"))
        with Store(self.settings.db_path) as store:
            is_new = store.record_webhook(hook)
        self._reply(200, {"ok": True})  # acknowledge before doing any work
        if not is_new:
            log.info("duplicate webhook id=%s ignored", hook.get("webhook_id"))
            return
        try:
            handle(self.settings, hook)
        except Exception:
            log.exception("failed to process webhook id=%s", hook.get("webhook_id"))

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def log_message(self, fmt: str, *args: object) -> None:  # route access logs to logging
        log.debug("%s %s", self.address_string(), fmt % args)


class Server(ThreadingHTTPServer):
    # Belvo may deliver many webhooks at once; the default backlog of 5 resets the rest.
    request_queue_size = 128
    daemon_threads = True


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8099) -> None:
    Store(settings.db_path).close()  # create the schema before the first delivery
    Handler.settings = settings
    httpd = Server((host, port), Handler)
    log.info("webhook receiver listening on http://%s:%d%s", host, port, HOOK_PATH)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def main(argv: list[str] | None = None) -> int:
    """`python -m acme.server --port 8099` is the same as `python -m acme serve`."""
    from .cli import main as cli_main

    parser = argparse.ArgumentParser(prog="python -m acme.server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args(argv)
    return cli_main(["serve", "--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    raise SystemExit(main())
