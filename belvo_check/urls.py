"""What a URL is: a Belvo host, loopback, a private address, or a tunnel. Shared by checks and probes."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

PRODUCTION_API = "https://api.belvo.com"
SANDBOX_API = "https://sandbox.belvo.com"
BELVO_HOSTS = {
    "api.belvo.com": "production",
    "sandbox.belvo.com": "sandbox",
    "development.belvo.com": "development (retired: Belvo now lists only sandbox and production)",
}
# Hosts that forward to a developer's machine: fine for testing, never a production webhook.
TUNNEL_SUFFIXES = (
    "ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok-free.dev", "ngrok.dev", "trycloudflare.com",
    "loca.lt", "localtunnel.me", "serveo.net", "localhost.run", "lhr.life", "pagekite.me", "telebit.io",
    "tunnelmole.net", "devtunnels.ms", "smee.io", "webhook.site", "requestbin.com", "pipedream.net",
    "expose.dev", "localxpose.io", "bore.pub", "zrok.io", "pinggy.io", "pinggy.link",
)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home", ".test", ".example", ".invalid")


def host_of(url: str) -> str:
    return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")


def is_loopback_or_private(host: str) -> str | None:
    """Why a host is not reachable from the internet, or None if it may be."""
    if host in ("localhost", "") or host.endswith(LOCAL_SUFFIXES):
        return "a local host name"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved:
        return "a private address"
    return None


def tunnel_service(host: str) -> str | None:
    for suffix in TUNNEL_SUFFIXES:
        if host == suffix or host.endswith("." + suffix):
            return suffix
    return None


def looks_like_belvo(host: str) -> bool:
    """A host that is probably meant to be Belvo's but is not one of its real hosts."""
    compact = host.replace("-", "").replace(".", "")
    return "belvo" in compact and host not in BELVO_HOSTS


def same_host(url_a: str, url_b: str) -> bool:
    return bool(host_of(url_a)) and host_of(url_a) == host_of(url_b)
