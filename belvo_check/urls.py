"""What a URL is: a Belvo host, loopback, a private address, or a tunnel. Shared by checks and probes."""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv6Address
from urllib.parse import urlsplit

PRODUCTION_API = "https://api.belvo.com"
SANDBOX_API = "https://sandbox.belvo.com"
# docs/belvo-api.md "Hosts": every host of Belvo's API families, today's and retired. A call to any of
# them is a Belvo call (judged for timeouts, errors, paging...); only the environments in
# ANSWERING answer the API today. The value is the environment, or what a retired host was.
BELVO_HOSTS = {
    "api.belvo.com": "production",
    "sandbox.belvo.com": "sandbox",
    "development.belvo.com": "retired development environment (Belvo now lists only sandbox and production)",
    "api.belvo.co": "legacy production host (retired: production is api.belvo.com)",
    "sandbox.belvo.co": "legacy sandbox host (retired: sandbox is sandbox.belvo.com)",
    "development.belvo.co": "legacy development host (retired: Belvo now lists only sandbox and production)",
}
ANSWERING = ("production", "sandbox")
# Any host of Belvo's families, today's or legacy (api.belvo.co is not the start of api.belvo.com).
BELVO_HOST_IN_TEXT = re.compile(r"(?i)(?<![\w.-])(?:" + "|".join(
    re.escape(host) for host in sorted(BELVO_HOSTS, key=len, reverse=True)) + r")(?![\w-]|\.[\w-])")

# Hosts that forward to a developer's machine: fine for testing, never a production webhook.
TUNNEL_SUFFIXES = (
    "ngrok.io", "ngrok.app", "ngrok-free.app", "ngrok-free.dev", "ngrok.dev", "trycloudflare.com",
    "loca.lt", "localtunnel.me", "serveo.net", "localhost.run", "lhr.life", "pagekite.me", "telebit.io",
    "tunnelmole.net", "devtunnels.ms", "smee.io", "webhook.site", "requestbin.com", "pipedream.net",
    "expose.dev", "localxpose.io", "bore.pub", "zrok.io", "pinggy.io", "pinggy.link",
)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home")
# Top-level names reserved by RFC 2606 and RFC 6761: never delegated, so no host on the internet has them.
RESERVED_TLDS = ("test", "example", "invalid")
RESERVED_NAME = "a reserved name"


def host_of(url: str) -> str:
    """The host as written (lower case, no trailing dot); "" when the URL has none or is malformed."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:  # e.g. a bracketed host that is not an IPv6 address
        return ""


def canonical_host(host: str) -> str:
    """One spelling per host: an address in its standard form, or an ASCII (IDNA) lower-case name."""
    address = ip_of(host)
    return str(address) if address is not None else _ascii_name(host)


def ip_of(host: str) -> IPv4Address | IPv6Address | None:
    """The address a host spells, however it is spelled; None for a name.

    IPv4 is read as inet_aton, curl and browsers read it: one to four parts, each decimal, octal
    (leading 0) or hex (0x), the last filling the remaining bytes (127.1, 0x7f000001, 2130706433,
    0177.0.0.1). An IPv6 address that carries an IPv4 one (::ffff:a.b.c.d, ::a.b.c.d) is that
    IPv4 address, so one machine never hides behind a second spelling.
    """
    name = _ascii_name(host)
    if ":" in name:
        try:
            address = IPv6Address(name)
        except ValueError:
            return None
        embedded = int(address)
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if embedded >> 32 == 0 and embedded > 1:  # IPv4-compatible; :: and ::1 are themselves
            return IPv4Address(embedded)
        return address
    return _ipv4(name)


def is_loopback_or_private(host: str) -> str | None:
    """Why a host is not reachable from the internet, or None if it may be."""
    name = canonical_host(host)
    if name in ("localhost", "") or name.endswith(LOCAL_SUFFIXES):
        return "a local host name"
    if name.rpartition(".")[2] in RESERVED_TLDS:
        return RESERVED_NAME
    address = ip_of(name)
    if address is None:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_private or address.is_link_local or address.is_unspecified or address.is_reserved:
        return "a private address"
    return None


def _ascii_name(host: str) -> str:
    name = host.strip().strip("[]").lower().rstrip(".")
    if not name.isascii():
        import idna  # httpx's own dependency; only non-ASCII names need it

        try:  # UTS 46 as browsers do it: full-width digits and dots, case, then punycode
            name = idna.encode(name, uts46=True).decode("ascii").rstrip(".")
        except idna.IDNAError:
            pass
    return name


def _ipv4(name: str) -> IPv4Address | None:
    parts = name.split(".")
    numbers = [_ipv4_number(part) for part in parts]
    if not 1 <= len(numbers) <= 4 or None in numbers:
        return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    return IPv4Address(sum(n << 8 * (3 - i) for i, n in enumerate(leading)) + last)


def _ipv4_number(part: str) -> int | None:
    if part.startswith("0x"):
        digits, base, allowed = part[2:], 16, "0123456789abcdefABCDEF"
    elif len(part) > 1 and part.startswith("0"):
        digits, base, allowed = part[1:], 8, "01234567"
    else:
        digits, base, allowed = part, 10, "0123456789"
    if not digits:
        return 0 if base == 16 else None  # "0x" alone is zero; an empty part is no number
    # checked here because int() would also accept signs, blanks and underscores
    return int(digits, base) if all(c in allowed for c in digits) else None


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
    host = canonical_host(host_of(url_a))
    return bool(host) and host == canonical_host(host_of(url_b))
