"""Probes are safe: nothing reaches a production receiver without --live."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

from belvo_check.urls import host_of, is_loopback_or_private

RESOLVE_TIMEOUT = 2.0


def addresses(host: str, timeout: float = RESOLVE_TIMEOUT) -> set[str]:
    """The addresses a host name resolves to; empty when it does not resolve in time."""
    found: set[str] = set()

    def lookup() -> None:
        try:
            found.update(info[4][0] for info in socket.getaddrinfo(host, None))
        except (OSError, UnicodeError):
            pass

    worker = threading.Thread(target=lookup, daemon=True)  # getaddrinfo has no timeout of its own
    worker.start()
    worker.join(timeout)
    return set(found) if not worker.is_alive() else set()


def production_match(url: str, production_url: str | None) -> str | None:
    """Why `url` is (or may be) the production receiver, or None when it is not."""
    if not production_url:
        return None
    host, production_host = host_of(url), host_of(production_url)
    if not host or not production_host:
        return None
    if host == production_host:
        return f"{host} is the host of the production webhook URL (webhooks.urls.production)"
    if is_loopback_or_private(host) and not is_loopback_or_private(production_host):
        return None  # a local probe cannot reach a public production host: no DNS query needed
    shared = addresses(host) & addresses(production_host)
    if shared:
        return (f"{host} resolves to {', '.join(sorted(shared))}, as the production webhook host "
                f"{production_host} does")
    return None


def not_local(url: str) -> str | None:
    """Why a URL given on the command line may be a real (production) receiver, or None if it is local."""
    host = host_of(url)
    if not host:
        return "it has no host"
    if is_loopback_or_private(host):
        return None
    return f"{host} is not a loopback or private address, so it may be a production receiver"


def url_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL with a host"
    return None
