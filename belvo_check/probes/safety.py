"""Probes are safe: nothing reaches a production receiver without --live.

The guard decides by where a delivery lands, not by spelling: 127.1, 0x7f000001, 2130706433,
[::ffff:127.0.0.1] and 127.0.0.1 are one receiver, and a name counts as every address it resolves to.
"""

from __future__ import annotations

import socket
import threading
from ipaddress import IPv4Address, IPv6Address
from typing import Callable
from urllib.parse import urlsplit

from belvo_check.urls import canonical_host, host_of, ip_of, is_loopback_or_private

RESOLVE_TIMEOUT = 2.0
Address = IPv4Address | IPv6Address
Resolver = Callable[[str], set[Address]]  # host -> where a connection to it lands


def addresses(host: str, timeout: float = RESOLVE_TIMEOUT) -> set[Address]:
    """Where a connection to `host` lands; empty when a name does not resolve in time."""
    literal = ip_of(host)
    if literal is not None:
        return {_landing(literal)}
    found: set[str] = set()

    def lookup() -> None:
        try:
            found.update(str(info[4][0]) for info in socket.getaddrinfo(canonical_host(host), None))
        except (OSError, UnicodeError):
            pass

    worker = threading.Thread(target=lookup, daemon=True)  # getaddrinfo has no timeout of its own
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        return set()
    return {_landing(address) for address in map(ip_of, found) if address is not None}


def production_match(url: str, production_url: str | None, resolve: Resolver = addresses) -> str | None:
    """Why `url` is (or may be) the production receiver, or None when it is provably elsewhere.

    Judged by where the delivery lands: a loopback address is the production receiver only when the
    production host is, or resolves to, that same address. A production host that does not resolve
    here cannot be reached here either, so it costs a loopback target nothing; any other target
    that cannot be told apart from it counts as production.
    """
    if not production_url:
        return None
    shown, production_shown = host_of(url), host_of(production_url)
    if not shown or not production_shown:
        return None
    production_named = f"the production webhook host {production_shown} (webhooks.urls.production)"
    if canonical_host(shown) == canonical_host(production_shown):
        if shown == production_shown:
            return f"{shown} is the host of the production webhook URL (webhooks.urls.production)"
        return f"{shown} and {production_named} are the same address, {canonical_host(shown)}"
    target, production = resolve(shown), resolve(production_shown)
    shared = target & production
    if shared:
        verb = "is" if ip_of(shown) is not None else "resolves to"
        return f"{shown} {verb} {', '.join(sorted(map(str, shared)))}, an address of {production_named}"
    if _all_loopback(target):
        return None
    if not production:
        return f"{production_named} could not be resolved here, so {shown} cannot be told apart from it"
    if not target:
        return f"{shown} could not be resolved here, so it cannot be told apart from {production_named}"
    return None


def refusal(url: str, production_url: str | None, live: bool, resolve: Resolver = addresses) -> str | None:
    """Why nothing may be delivered to `url` in this run, or None. The one judgement of every delivery.

    Without --live a delivery goes only to this machine's loopback, and never to an address of the
    production webhook host; with --live it goes anywhere (that is what --live is for).
    """
    if live:
        return None
    why = production_match(url, production_url, resolve)
    if why:
        return f"{url} may be the production receiver ({why}); probes reach production only with --live"
    elsewhere = not_loopback(url, resolve)
    if elsewhere:
        return f"{url} is not on this machine's loopback ({elsewhere}); probes go elsewhere only with --live"
    return None


def not_loopback(url: str, resolve: Resolver = addresses) -> str | None:
    """Why a delivery to `url` may leave this machine, or None when it lands on a loopback address."""
    host = host_of(url)
    if not host:
        return "it has no host"
    landing = resolve(host)
    if _all_loopback(landing):
        return None
    if not landing:
        return f"{host} could not be resolved here"
    return f"{host} is {', '.join(sorted(map(str, landing)))}"


def _all_loopback(landing: set[Address]) -> bool:
    return bool(landing) and all(address.is_loopback for address in landing)


def not_local(url: str) -> str | None:
    """Why a URL given on the command line may be a real (production) receiver, or None if it is local."""
    host = host_of(url)
    if not host:
        return "it has no host"
    if is_loopback_or_private(host):
        return None
    address = ip_of(host)
    spelled = f" (the address {address})" if address is not None and str(address) != host else ""
    return f"{host}{spelled} is not a loopback or private address, so it may be a production receiver"


def url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL with a host"
    return None


def _landing(address: Address) -> Address:
    """A connection to the unspecified address (0.0.0.0, ::) lands on this machine's loopback."""
    if address.is_unspecified:
        return IPv4Address("127.0.0.1") if address.version == 4 else IPv6Address("::1")
    return address
