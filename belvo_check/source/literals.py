"""What a literal Belvo secret looks like in text, and cutting it out of what belvo-check shows.

Belvo does not document the shape of its keys (docs/belvo-api.md, "Keys"), so a secret is
recognised by where it sits (a name such as BELVO_SECRET_PASSWORD, the SDK constructor, a Basic
header) and a value that is not a placeholder. The tree scan, the history scan and every snippet
shown beside a finding use this one line matcher.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Iterator

from belvo_check.secrets import fingerprint
from belvo_check.source.clients import SDK_CONSTRUCTORS

SECRET_NAME = (r"[A-Za-z0-9_\-.]*?(?:secret[_\-.]?(?:key[_\-.]?)?(?:id|password|pass|pwd|pw)"
               r"|belvo[_\-.]?(?:api[_\-.]?)?(?:key|secret|password|pass|pwd|pw))[A-Za-z0-9_]*")
ASSIGNED = re.compile(
    rf"(?i)(?<![A-Za-z0-9_])(?P<name>{SECRET_NAME})[\"']?\]?\s*(?:=>|:=|=(?!=)|:)\s*"
    r"(?P<q>[\"'`]?)(?P<value>[^\"'`\s,;#)}\]]+)(?P=q)")
HEX = re.compile(r"(?:[0-9a-fA-F]{2}){12,}")
BASIC = re.compile(r"(?i)\bbasic\s+(?P<value>[A-Za-z0-9+/]{12,}={0,2})(?![A-Za-z0-9+/=])")
# The scheme and the credentials as separate parts: ("Basic", "<b64>"), "Basic " + "<b64>".
BASIC_SCHEME = re.compile(r"(?i)\bbasic\b")
B64_LITERAL = re.compile(r"[\"'`](?P<value>[A-Za-z0-9+/]{12,}={0,2})[\"'`]")
# "id:password" encoded at run time: btoa("id:pw"), Base64.getEncoder().encodeToString("id:pw".getBytes()).
ENCODING = re.compile(r"(?i)\bbasic\b|base64|btoa\s*\(|b64encode|encode64")
COLON_PAIR = re.compile(r"[\"'`](?P<id>[A-Za-z0-9_.\-]{8,}):(?P<value>[^\"'`\s:]{8,})[\"'`]")
_ID = r"""(?P<id>[\"'`][^\"'`\n]*[\"'`]|[^,;\n]+?)"""
_PASSWORD = r"""(?P<q>[\"'`])(?P<value>[^\"'`\s]{1,200})(?P=q)(?=\s*(?:[,)\]}]|$))"""
# Key id and password as two literals given to a Basic-auth helper or option (Go SetBasicAuth,
# requests auth=(...), Guzzle 'auth' => [...], Faraday :basic, axios/HTTParty auth: {username, password}).
PAIR_ARGS = re.compile(
    r"(?i)(?:\b(?:set_?basic_?auth|HTTPBasicAuth|HTTPDigestAuth|basic_?auth|with_?basic_?auth|basicAuthentication"
    r"|Credentials\.basic|NetworkCredential|UsernamePasswordCredentials)\s*\(?"
    r"|\bauth['\"]?\]?\s*(?:=>|=(?!=)|:)\s*[(\[]|:basic\s*,)\s*" + _ID + r"\s*,\s*" + _PASSWORD)
PAIR_OPTIONS = re.compile(
    r"(?i)\b(?:auth|basic_?auth|credentials)['\"]?\s*(?:=>|=(?!=)|:)\s*\{\s*['\"]?(?:username|user)['\"]?"
    r"\s*(?:=>|:|=)\s*" + _ID + r"\s*,\s*['\"]?(?:password|pass)['\"]?\s*(?:=>|:|=)\s*" + _PASSWORD)
USERINFO = re.compile(r"(?i)\bhttps?://(?P<id>[^:/\s@\"'`]+):(?P<value>[^@/\s\"'`]+)@[\w.\-]*belvo")
# Lines worth matching (the tree scan and the history scan read only these).
KEYWORDS = ("secret", "belvo", "pass", "basic", "auth", "credential", "base64", "btoa", "encode64")
PLACEHOLDER = re.compile(
    r"(?i)^(?:your|my|the|some|insert|enter|put|add|replace)(?:[\W_]|$)|<[^>]*>|\$\{|\{\{|%\(|%s|^\$[A-Za-z_]|x{4,}"
    r"|\*{3,}|\.{3}|change[_\-]?me|replace|example|dummy|placeholder|sample|fake|todo|fixme|tbd|redacted"
    r"|^(?:none|null|nil|undefined|true|false|test\w*|foo|bar|baz|abc\w*|12345\w*|secret|password|pass|id|key)$")
UNQUOTED_OK = frozenset({"dotenv", "yaml", "toml", "ini", "properties", "shell", "docker", "markdown", "text",
                         "terraform"})
MIN_LENGTH = 8  # shorter values are test doubles (the SDKs' own tests use 'monty' and 'python')


def is_placeholder(value: str, name: str = "") -> bool:
    if len(value) < MIN_LENGTH or PLACEHOLDER.search(value) or len(set(value)) <= 2:
        return True
    if re.fullmatch(r"[A-Z][A-Z0-9_]+", value) and "_" in value:  # the name of an env var, not a value
        return True
    words = {w for w in re.split(r"[^a-z]+", value.lower()) if w}
    return bool(words) and words <= {"belvo", "secret", "key", "id", "password", "pass", "sandbox", "production",
                                     "prod", "dev", "api", "my", "test", "value"}


def secrets_in_line(line: str, language: str, about_belvo: bool) -> Iterator[tuple[int, str, str]]:
    """(column, form, value) for each literal Belvo secret on one line of text."""
    lower = line.lower()
    if "secret" in lower or "belvo" in lower or "pass" in lower:
        for match in ASSIGNED.finditer(line):
            name, value = match.group("name"), match.group("value")
            if not match.group("q") and language not in UNQUOTED_OK:
                continue
            if "belvo" not in name.lower() and not about_belvo:
                continue
            if not is_placeholder(value, name):
                yield match.start("value") + 1, f"literal value of {name}", value
    if not about_belvo:
        return
    if "basic" in lower:
        for match in BASIC.finditer(line):
            if encodes_credentials(match.group("value")):
                yield match.start("value") + 1, "base64 Basic authorization header", match.group("value")
        scheme = BASIC_SCHEME.search(line)
        for match in B64_LITERAL.finditer(line, scheme.end()) if scheme else ():
            if encodes_credentials(match.group("value")):
                yield match.start("value") + 1, "base64 credentials beside a Basic scheme", match.group("value")
    if ENCODING.search(line):
        for match in COLON_PAIR.finditer(line):
            if _real_pair(match) and not match.group(0)[1:].lower().startswith(("http", "ftp")):
                yield match.start("value") + 1, "literal id:password encoded for a Basic header", match.group("value")
    yield from pairs_in(line)


def encodes_credentials(value: str) -> bool:
    """The value is base64 (or hex) of printable `id:password` that is not a placeholder."""
    try:
        raw = bytes.fromhex(value) if HEX.fullmatch(value) else base64.b64decode(value, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    key_id, _, password = decoded.partition(":")
    return bool(key_id and password and decoded.isprintable()
                and not (is_placeholder(key_id) and is_placeholder(password)))


def _real_pair(match: re.Match) -> bool:
    """The password is a literal that is not a placeholder, nor one interpolating code; a literal key id
    that is a placeholder makes the pair a template."""
    value, key_id = match.group("value"), match.group("id").strip()
    if re.search(r"[{}$%]|#\{", value) or is_placeholder(value):
        return False
    quoted = key_id[:1] in ("'", '"', "`")
    return not (quoted and is_placeholder(key_id.strip("'\"`")))


def pairs_in(text: str) -> Iterator[tuple[int, str, str]]:
    """(column, or offset in a multi-line text, + 1; form; password) for each key id and password given
    as separate literals to a Basic-auth helper or option, or as a URL's user info."""
    lower = text.lower()
    if "auth" in lower or "credential" in lower or ":basic" in lower:
        for match in (*PAIR_ARGS.finditer(text), *PAIR_OPTIONS.finditer(text)):
            if _real_pair(match):
                yield match.start("value") + 1, "literal key id and password given for Basic auth", match.group("value")
    if "@" in text:
        for match in USERINFO.finditer(text):
            if _real_pair(match):
                yield match.start("value") + 1, "literal password in a Belvo URL", match.group("value")


def redact_sdk_keys(snippet: str, calls) -> str:
    """`snippet` with the literal keys given to any SDK client of its file replaced by their fingerprints:
    positional keys carry no name the line matcher could see, and a snippet of any concept may show them."""
    for call in calls:
        if call.callee in SDK_CONSTRUCTORS:
            for value in call.strings[:2]:
                if value in snippet and not is_placeholder(value):
                    snippet = snippet.replace(value, f"[redacted {fingerprint(value)}]")
    return snippet
