"""Literal Belvo secrets: in code, config, docs, a tracked .env, a Basic header; and front-end exposure.

Belvo does not document the shape of its keys (docs/belvo-api.md, "Keys"), so a secret is
recognised by where it sits (a name such as BELVO_SECRET_PASSWORD, the SDK constructor, a Basic
header) and a value that is not a placeholder. Values are never reported, only their fingerprints.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Iterator

from belvo_check.secrets import fingerprint
from belvo_check.source.clients import (
    BELVO_HOST_IN_TEXT,
    PUBLIC_ENV_PREFIXES,
    SDK_CONSTRUCTORS,
)
from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.widget import TOKEN_PATH, token_requests
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

SECRET_NAME = (r"[A-Za-z0-9_\-.]*?(?:secret[_\-.]?(?:key[_\-.]?)?(?:id|password|pass|pwd|pw)"
               r"|belvo[_\-.]?(?:api[_\-.]?)?(?:key|secret|password|pass|pwd|pw))[A-Za-z0-9_]*")
ASSIGNED = re.compile(
    rf"(?i)(?<![A-Za-z0-9_])(?P<name>{SECRET_NAME})[\"']?\]?\s*(?:=>|:=|=(?!=)|:)\s*"
    r"(?P<q>[\"'`]?)(?P<value>[^\"'`\s,;#)}\]]+)(?P=q)")
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
PUBLIC_ENV = re.compile(rf"\b(?P<name>(?:{'|'.join(PUBLIC_ENV_PREFIXES)})[A-Z0-9_]*?"
                        r"(?:SECRET|PASSWORD|BELVO_KEY)"
                        r"[A-Z0-9_]*)")
SECRET_ENV_REF = re.compile(r"(?i)\bBELVO_SECRET_(?:ID|PASSWORD|KEY)\b|\bsecret_?password\b")
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
            if _encodes_credentials(match.group("value")):
                yield match.start("value") + 1, "base64 Basic authorization header", match.group("value")
        scheme = BASIC_SCHEME.search(line)
        for match in B64_LITERAL.finditer(line, scheme.end()) if scheme else ():
            if _encodes_credentials(match.group("value")):
                yield match.start("value") + 1, "base64 credentials beside a Basic scheme", match.group("value")
    if ENCODING.search(line):
        for match in COLON_PAIR.finditer(line):
            if _real_pair(match) and not match.group(0)[1:].lower().startswith(("http", "ftp")):
                yield match.start("value") + 1, "literal id:password encoded for a Basic header", match.group("value")
    yield from pairs_in(line)


def _encodes_credentials(value: str) -> bool:
    """The base64 value decodes to printable `id:password` that is not a placeholder."""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
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


def literal_secrets(ctx: SourceText) -> Iterator[tuple[int, int, str, str]]:
    """(line, col, form, value) of every literal Belvo secret in a file, from text and from SDK calls."""
    seen = set()
    for number in ctx.lines_with(*KEYWORDS):
        line = ctx.line(number)
        for col, form, value in secrets_in_line(line, ctx.language, ctx.about_belvo):
            if (number, value) not in seen:
                seen.add((number, value))
                yield number, col, form, value
    if ctx.about_belvo:  # options spread over several lines: auth: {\n username: ..., \n password: ... }
        for offset, form, value in pairs_in(ctx.text):
            line, col = ctx.position(offset - 1)
            if (line, value) not in seen:
                seen.add((line, value))
                yield line, col, form, value
    if ctx.file.is_code and ctx.about_belvo and ctx.language != "kotlin":
        for call in ctx.facts.calls:
            if call.callee in SDK_CONSTRUCTORS and len(call.strings) >= 2:
                key_id, password = call.strings[0], call.strings[1]
                if not is_placeholder(password) and not is_placeholder(key_id) and (call.line, password) not in seen:
                    yield call.line, call.col, f"keys passed literally to {call.callee}(...)", password


def redact_sdk_keys(snippet: str, calls) -> str:
    """`snippet` with the literal keys given to any SDK client of its file replaced by their fingerprints:
    positional keys carry no name the line matcher could see, and a snippet of any concept may show them."""
    for call in calls:
        if call.callee in SDK_CONSTRUCTORS:
            for value in call.strings[:2]:
                if value in snippet and not is_placeholder(value):
                    snippet = snippet.replace(value, f"[redacted {fingerprint(value)}]")
    return snippet


@concept("secret_literal", "Literal Belvo secrets in the tree", topics=("belvo", "frontend"))
def match_literal(ctx: SourceText):
    where = "a tracked .env file" if ctx.language == "dotenv" else (
        "documentation" if ctx.language == "markdown" else "configuration" if not ctx.file.is_code else "code")
    # Tests are full of made-up keys that look real: there a literal can only be a warning.
    verdict = "ambiguous" if ctx.file.is_test else "bad"
    for line, col, form, value in literal_secrets(ctx):
        fp = fingerprint(value)
        yield ctx.finding("secret_literal", verdict, f"a Belvo secret is written in {where} ({fp})", line, col,
                          form=form, fingerprint=fp, hide=value)


@concept("secret_frontend", "Belvo secrets or widget-token minting reachable by front-end code",
         topics=("belvo", "frontend"))
def match_frontend(ctx: SourceText):
    for number in ctx.lines_with("next_public_", "react_app_", "vite_", "expo_public_"):
        line = ctx.line(number)
        for match in PUBLIC_ENV.finditer(line):
            name = match.group("name")
            if "BELVO" in name or ctx.about_belvo:
                yield ctx.finding("secret_frontend", "bad", f"{name}: bundlers inline this variable into "
                                  "front-end code, so the secret ships to every browser", number, match.start() + 1,
                                  form="public env prefix")
    if ctx.file.is_frontend:
        ctx.signals.add("frontend_file")  # every configured front-end file reaches here (its topic is frontend)
    if not (ctx.file.is_frontend or ctx.file.looks_frontend):
        return
    # Configured front-end globs settle it; a path that only looks like front-end code does not.
    verdict, where = ("bad", "front-end code") if ctx.file.is_frontend else (
        "ambiguous", "what looks like front-end code (set source.frontend to settle it)")
    for line, col, form, value in literal_secrets(ctx):
        fp = fingerprint(value)
        yield ctx.finding("secret_frontend", verdict, f"a Belvo secret is written in {where} ({fp})", line, col,
                          form=form, fingerprint=fp, hide=value)
    for number in ctx.lines_with("secret"):
        line = ctx.line(number)
        match = SECRET_ENV_REF.search(line)
        if match and not COMMENT_OR_IMPORT.match(line):
            yield ctx.finding("secret_frontend", verdict, f"{where} reads the Belvo secret keys", number,
                              match.start() + 1, form="secret reference in front-end code")
    # Minting is a request to Belvo's /api/token/ (widget.token_requests): fetch('/api/token/') asks the
    # app's own backend, which is the right design. Outside parsed code, the line must name Belvo's host.
    sites = token_requests(ctx) if ctx.file.is_code else [
        (number, 1, "") for number in ctx.lines_with(TOKEN_PATH)
        if BELVO_HOST_IN_TEXT.search(ctx.line(number)) and not COMMENT_OR_IMPORT.match(ctx.line(number))]
    for line, col, _ in sites:
        at = ctx.line(line).find(TOKEN_PATH)  # shown at the path when the call's line holds it
        yield ctx.finding("secret_frontend", verdict, f"{where} mints the widget token: that needs the secret keys, "
                          "which must stay on the server", line, at + 1 if at >= 0 else col,
                          form="widget token minted in front-end code")


@conclusion("secret_frontend")
def conclude_frontend(findings, tree):
    # A clean scan is evidence only where front-end code is known: the files source.frontend marks.
    # A path that only looks like front-end code is read only when it mentions secrets, so without
    # the setting nothing proves that no other front-end code exists.
    files = tree.signals["frontend_file"]
    if files and not findings:
        yield tree.finding("secret_frontend", "ok", f"no Belvo secret, secret-key read or widget-token minting in "
                           f"the {files} front-end files source.frontend marks, and no secret under a name "
                           "bundlers ship", form="source.frontend scanned")


def with_frontend(scan, globs):
    """`scan` (a SourceScan) saying why finding nothing in front-end code proves nothing, when no file
    source.frontend marks was read (a skip that names the setting, not a pass)."""
    from dataclasses import replace

    if scan.signals["frontend_file"]:
        return scan
    why = (f"source.frontend ({', '.join(globs)}) matches no file read" if globs else
           "source.frontend is not configured") + ", so no code is known to ship to browsers: finding no secret " \
        "in front-end code proves nothing"
    enable = "set source.frontend to the folders of browser or app code (belvo-check init writes it)"
    return replace(scan, unavailable={**scan.unavailable, "secret_frontend": (why, enable)})
