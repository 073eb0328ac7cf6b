"""Turn failures into one log line each (with Belvo's request_id) and an exit code."""

import logging

import httpx

from .belvo import BelvoError
from .config import ConfigError

log = logging.getLogger("acme")

EXIT_ERROR = 1
EXIT_CONFIG = 2
EXIT_MFA = 3


def report(exc: Exception) -> int:
    """Log exc for operators and Belvo support; return the CLI exit code."""
    if isinstance(exc, BelvoError):
        if exc.status == 428 and exc.code == "token_required":
            log.error("belvo error status=428 code=token_required request_id=%s link=%s",
                      exc.request_id, exc.detail.get("link"))
            log.error("MFA needed: the bank asks for a one-time token; "
                      "finish connecting in the Belvo widget")
            return EXIT_MFA
        if exc.status >= 500:
            log.error("belvo server error, giving up")
            return EXIT_ERROR
        log.error("belvo error status=%s code=%s request_id=%s message=%s",
                  exc.status, exc.code, exc.request_id, exc.message)
        if exc.code in ("invalid_link", "unconfirmed_link"):
            log.error("the user must reconnect this link in the Belvo widget (update mode)")
        return EXIT_ERROR
    if isinstance(exc, httpx.TimeoutException):
        try:
            where = f" {exc.request.method} {exc.request.url.path}"
        except RuntimeError:  # no request attached
            where = ""
        log.error("belvo request timed out%s (no answer, so no request_id)", where)
        return EXIT_ERROR
    if isinstance(exc, httpx.TransportError):
        log.error("belvo connection failed: %s", type(exc).__name__)
        return EXIT_ERROR
    if isinstance(exc, ConfigError):
        log.error("configuration error: %s", exc)
        return EXIT_CONFIG
    log.exception("unexpected error")
    return EXIT_ERROR
