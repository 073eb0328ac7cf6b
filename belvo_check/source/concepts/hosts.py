"""Every Belvo host in code, config and deploy files; wrong and look-alike hosts; sandbox hard-coded,
fixed by the SDK's environment alias, or silently used when an environment variable is unset.

The hosts themselves are listed in docs/belvo-api.md, "Hosts" (data in belvo_check.source.clients).
"""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText
from belvo_check.source.clients import API_HOSTS, NOT_API_HOSTS, WRONG_HOSTS, is_sdk_constructor

HOST = re.compile(r"(?i)(?<![\w@.-])(?P<host>(?:[a-z0-9-]+\.)*[a-z0-9-]*belvo[a-z0-9-]*(?:\.[a-z0-9-]+)+)(?![\w-])")
# A host ends in a top-level domain; "belvo.client" (a Python import) or "belvo-widget.js" does not.
TLDS = frozenset({"com", "co", "io", "net", "org", "app", "dev", "mx", "br", "ai", "cloud", "tech", "xyz", "info",
                  "biz", "me", "us", "finance", "money", "bank", "api", "cl", "ar", "pe", "uy"})
# Reading an environment variable or setting, in the languages' and deploy tools' spellings.
ENV_READ = re.compile(
    r"getenv|environ|process\.env|import\.meta\.env|ENV\s*[\[.]|\benv\s*\(|System\.getenv|os\.Getenv|LookupEnv"
    r"|GetEnvironmentVariable|\$\{[A-Za-z_][A-Za-z0-9_.]*:-?|\bconfig\s*\(|settings\.|Configuration\[|@Value")
SANDBOX_TEXT = r"(?:sandbox|https?://sandbox\.belvo\.com/?)"
SANDBOX_VALUE = r"""['"`]""" + SANDBOX_TEXT + r"""['"`]"""
# An environment read whose default is sandbox: as the read's second argument, after ||, ??, ?:, `or`,
# in a shell/compose ${VAR:-default}, a Spring ${key:default}, or a Go `if v == "" { v = ... }`.
FALLBACK = re.compile(
    r"(?:getenv|environ\.get|setdefault|ENV\.fetch|\benv|getOrDefault|GetEnvironmentVariable|\bconfig|getProperty)"
    r"\s*\([^()]*,\s*" + SANDBOX_VALUE +
    r"|(?:process\.env(?:\.\w+|\[[^\]]+\])|import\.meta\.env\.\w+|ENV\[[^\]]+\]|\w*[Gg]etenv\([^()]*\)"
    r"|environ\.get\([^()]*\)|\$_ENV\[[^\]]+\]|GetEnvironmentVariable\([^()]*\)|\benv\([^()]*\)"
    r"|config\([^()]*\))\s*(?:\|\||\?\?|\?:|\bor\b)\s*" + SANDBOX_VALUE +
    r"|\$\{[A-Za-z_][\w.]*:-?[^}]*sandbox"
    # a settings getter with a default: configService.get('BELVO_ENV') || 'sandbox', settings.get(...) or ...
    r"|\.get(?:<[^>]*>)?\(\s*['\"][A-Z0-9_]*BELVO[A-Z0-9_]*['\"][^()]*\)\s*(?:\|\||\?\?|\bor\b)\s*" + SANDBOX_VALUE)
GO_EMPTY_CHECK = re.compile(r'==\s*""')
PRODUCTION_FILES = re.compile(r"(?i)(?:^|[/._-])(?:prod|production|live)(?:[/._-]|$)")
SANDBOX_FILES = re.compile(r"(?i)(?:^|[/._-])(?:sandbox|dev|development|local|example|sample|staging|test)(?:[/._-]|$)")
DEPLOY = frozenset({"dotenv", "yaml", "toml", "terraform", "json", "ini", "properties", "docker", "shell"})
# An entry of a per-environment table, just before its host: `production: "https://`, `"sandbox" => '`,
# `Map.entry("sandbox", "`, `PRODUCTION_URL = "`. Its key names the environment the host serves.
ENTRY_KEY = re.compile(r"""(?P<key>[A-Za-z][\w-]*)['"`]?\]?\s*(?:=>|:|=|,)\s*['"`](?:https?://)?$""")
KEY_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
PROFILE_WORDS = {"production": {"production", "prod", "prd", "live"},
                 "sandbox": {"sandbox", "sbx", "dev", "development", "staging", "stage", "test", "testing", "qa",
                             "local"}}


def classify(host: str) -> tuple[str, str] | None:
    """(verdict-ish kind, message) for a host that contains 'belvo', or None when it is not an API host."""
    host = host.lower().rstrip(".")
    if host.rsplit(".", 1)[-1] not in TLDS:
        return None
    if host in API_HOSTS:
        return API_HOSTS[host], ""
    if host in WRONG_HOSTS:
        return "wrong", WRONG_HOSTS[host]
    if host in NOT_API_HOSTS or host.endswith(tuple("." + h for h in NOT_API_HOSTS)):
        return None
    labels = host.split(".")
    if "belvo" not in "".join(labels[-2:]).replace("-", ""):
        return None  # e.g. the integration's own my-belvo-app.herokuapp.com
    if host.endswith(".belvo.com") and labels[0] not in {"api", "sandbox", "prod", "production", "dev",
                                                         "development", "staging", "api-sandbox"}:
        return None  # another Belvo site (docs, dashboard, status), not an API base
    return "wrong", "looks like a Belvo API host but is not one (production is api.belvo.com)"


def profile(line: str, start: int) -> str | None:
    """The environment ('production', 'sandbox') the key of a table entry names, for the host at `start`."""
    entry = ENTRY_KEY.search(line[:start])
    if entry is None:
        return None
    words = {word.lower() for word in KEY_WORD.findall(entry.group("key"))}
    return next((env for env, names in PROFILE_WORDS.items() if words & names), None)


def _judge(ctx: SourceText, host: str, kind: str, why: str, line: str, entry: str | None = None,
           table: bool = False) -> tuple[str, str, str] | None:
    """(verdict, message, form) for one Belvo host on one line, or None when another concept reports it.

    `entry`: the environment the host's table entry names; `table`: the file holds entries for both
    environments, each with its own host, so the host is chosen by environment."""
    rel = ctx.file.rel
    production_file = bool(PRODUCTION_FILES.search(rel))
    if kind == "wrong":
        return "bad", f"{host} {why}", "wrong host"
    if kind == "sandbox" and entry == "production":
        return "bad", f"{host} is the production entry of a per-environment table: production would call sandbox", \
            "sandbox host as the production entry"
    if table and entry == kind:
        return "ok", f"{host} for {kind}, chosen by environment from a per-environment table", \
            "per-environment host table"
    if table and kind == "sandbox" and entry is None and ctx.file.is_code and not ctx.file.is_test:
        return "bad", f"{host} is hard-coded beside the per-environment table, so the table does not choose it", \
            "sandbox host hard-coded"
    if kind == "production":
        if ctx.file.is_code and not ctx.file.is_test and not ENV_READ.search(line):
            return ("ambiguous", f"{host} is written in code: the base URL cannot be pointed elsewhere (a "
                    "simulator, sandbox) without editing code", "production host in code")
        return "ok", f"{host} (production)", "production host"
    if ctx.file.is_test or SANDBOX_FILES.search(rel) and not production_file:
        return None  # tests and example files use sandbox on purpose: no evidence either way
    if FALLBACK.search(line):
        return None  # reported by sandbox_fallback
    if production_file:
        return "bad", f"{host} in a production file", "sandbox host in production config"
    if ctx.language in DEPLOY and not ctx.file.is_code:
        return "ambiguous", f"{host} in {rel}: is this file used in production?", "sandbox host in config"
    if "api.belvo.com" in ctx.text:
        return ("ambiguous", f"{host} beside api.belvo.com: check how the environment is chosen",
                "sandbox and production hosts in one file")
    return "bad", f"{host} is hard-coded in non-test code", "sandbox host hard-coded"


def _in_prose(line: str, start: int, end: int) -> bool:
    """In code, a host outside any quoted literal on its line (a multi-line help text, a comment block)
    or inside a literal holding words around it (help text, a log message) is prose, not a base URL."""
    for quote in "\"'`":
        opened = line.rfind(quote, 0, start)
        closed = line.find(quote, end)
        if opened != -1 and closed != -1:
            return any(ch.isspace() for ch in line[opened + 1:closed])
    return True


@concept("belvo_host", "Belvo hosts in code, config and deploy files", topics=("belvo",),
         skip_languages=("markdown",))
def match_hosts(ctx: SourceText):
    hosts = []  # (line number, line, match, (kind, why), the environment its table entry names)
    for number in ctx.lines_with("belvo"):
        line = ctx.line(number)
        if ctx.file.is_code and COMMENT_OR_IMPORT.match(line):
            continue  # a comment naming a host is not a base URL
        for match in HOST.finditer(line):
            if ctx.file.is_code and _in_prose(line, match.start(), match.end()):
                continue
            kind = classify(match.group("host"))
            if kind:
                hosts.append((number, line, match, kind, profile(line, match.start())))
    # Production's host and sandbox's, each under a key naming its environment: selected by environment.
    table = {"production", "sandbox"} <= {kind[0] for _, _, _, kind, entry in hosts if kind[0] == entry}
    for number, line, match, kind, entry in hosts:
        host = match.group("host").lower()
        judged = _judge(ctx, host, kind[0], kind[1], line, entry, table)
        if judged:
            verdict, message, form = judged
            yield ctx.finding("belvo_host", verdict, message, number, match.start() + 1, form=form)


@concept("sandbox_fallback", "Belvo environment silently falling back to sandbox", topics=("belvo",),
         skip_tests=True, skip_languages=("markdown",))
def match_fallback(ctx: SourceText):
    lines = set(ctx.lines_with("sandbox"))
    # Constants holding the sandbox host or alias: `os.environ.get("BELVO_API_URL") or SANDBOX_URL`.
    names = {a.name for a in ctx.facts.assigns if a.literal is not None and a.name
             and re.fullmatch(SANDBOX_TEXT, a.literal)}
    by_name = re.compile(r"(?:\|\||\?\?|\?:|\bor\b|,)\s*(?:self\.|this\.|static::|::)?(?:" +
                         "|".join(map(re.escape, sorted(names))) + r")\b(?!\s*(?::|=(?!=)))") if names else None
    # (a name followed by `:` or `=` is a key or argument being defined, as in a per-environment table)
    if by_name is not None:
        lines.update(n for n, line in enumerate(ctx.lines, 1) if ENV_READ.search(line) and by_name.search(line))
    for number in sorted(lines):
        line = ctx.line(number)
        match = FALLBACK.search(line) or (by_name.search(line) if by_name and ENV_READ.search(line) else None)
        if match is None and ctx.language == "go" and "sandbox" in line and "=" in line:
            before = ctx.text_of_lines(max(1, number - 3), number - 1)
            if GO_EMPTY_CHECK.search(before) and re.search(r"Getenv|LookupEnv", before):
                match = re.search("sandbox", line)
        if match and not COMMENT_OR_IMPORT.match(line):
            yield ctx.finding("sandbox_fallback", "ambiguous", "when the variable is unset, Belvo calls silently "
                              "go to sandbox: a production deploy missing it would use sandbox", number,
                              match.start() + 1, form="environment default 'sandbox'")


@concept("sdk_environment", "SDK environment alias fixed in code", topics=("belvo",), code_only=True)
def match_sdk_environment(ctx: SourceText):
    for call in ctx.facts.calls:
        if not is_sdk_constructor(call, ctx.text) or len(call.strings) < 1:
            continue
        alias = next((s for s in reversed(call.strings) if s.lower() in ("sandbox", "production", "development")
                      or s.rstrip("/") in ("https://sandbox.belvo.com", "https://api.belvo.com")), None)
        if alias is None:
            continue
        if "sandbox" in alias.lower():
            if ctx.file.is_test:
                continue  # tests use sandbox on purpose: no evidence either way
            verdict, message = "bad", "the SDK client is fixed to sandbox in code"
        elif "development" in alias.lower():
            verdict, message = "bad", "the SDK client uses the retired development environment"
        else:
            verdict, message = "ambiguous", "the SDK client is fixed to production in code: it cannot be pointed " \
                                            "at sandbox or a simulator without editing code"
        yield ctx.finding("sdk_environment", verdict, message, call.line, call.col,
                          form=f"{call.callee}(..., '{alias}')")
