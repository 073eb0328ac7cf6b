"""Literal Belvo secrets: in code, config, docs, a tracked .env, a Basic header; and front-end exposure.

What a secret looks like on a line is belvo_check.source.literals'; values are never reported,
only their fingerprints.
"""

from __future__ import annotations

import re
from typing import Iterator

from belvo_check.secrets import fingerprint
from belvo_check.source.clients import BELVO_HOST_IN_TEXT, PUBLIC_ENV_PREFIXES, SDK_CONSTRUCTORS, cached_belvo_calls
from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.widget import TOKEN_PATH, token_requests
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText
from belvo_check.source.credentials import GENERIC_NAME, keys_of_calls
from belvo_check.source.literals import KEYWORDS, is_placeholder, pairs_in, secrets_in_line

PUBLIC_ENV = re.compile(rf"\b(?P<name>(?:{'|'.join(PUBLIC_ENV_PREFIXES)})[A-Z0-9_]*?"
                        r"(?:SECRET|PASSWORD|BELVO_KEY)"
                        r"[A-Z0-9_]*)")
# A value under a generic name can be a key only as one token: not a URL, a path, an e-mail or prose.
KEY_SHAPE = re.compile(r"[^\s/@]+")
SECRET_ENV_REF = re.compile(r"(?i)\bBELVO_SECRET_(?:ID|PASSWORD|KEY)\b|\bsecret_?password\b")


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
                    seen.add((call.line, password))
                    yield call.line, call.col, f"keys passed literally to {call.callee}(...)", password
        # A literal is a secret by where it flows: into the keys of a Belvo call, under any name.
        keys = keys_of_calls(ctx)
        for traced in keys:
            for literal in traced.literals:
                if (literal.line, literal.value) not in seen:
                    seen.add((literal.line, literal.value))
                    yield (literal.line, literal.col, f"literal that becomes {traced.what} (line {traced.call.line})",
                           literal.value)
        # Generic names (USER, PASSWORD, KEY, SECRET, ID) beside Belvo calls count even where no flow is seen.
        if keys or cached_belvo_calls(ctx):
            for assign in ctx.facts.assigns:
                if (assign.literal and GENERIC_NAME.fullmatch(assign.name) and KEY_SHAPE.fullmatch(assign.literal)
                        and not is_placeholder(assign.literal)
                        and (assign.line, assign.literal) not in seen and ctx.facts.enclosing(assign.line) is None):
                    seen.add((assign.line, assign.literal))
                    at = ctx.line(assign.line).find(assign.literal, assign.col - 1)
                    yield (assign.line, at + 1 if at >= 0 else assign.col,
                           f"literal value of {assign.name} in a file that calls Belvo", assign.literal)


@concept("secret_literal", "Literal Belvo secrets in the tree", topics=("belvo", "frontend"))
def match_literal(ctx: SourceText):
    where = "a tracked .env file" if ctx.language == "dotenv" else (
        "documentation" if ctx.language == "markdown" else "configuration" if not ctx.file.is_code else "code")
    # Tests are full of made-up keys that look real: there a literal can only be a warning.
    verdict = "ambiguous" if ctx.file.is_test else "bad"
    found = list(literal_secrets(ctx))
    ctx.secrets.update(value for _, _, _, value in found)  # for the history scan, and cut out of every snippet
    for line, col, form, value in found:
        fp = fingerprint(value)
        yield ctx.finding("secret_literal", verdict, f"a Belvo secret is written in {where} ({fp})", line, col,
                          form=form, fingerprint=fp, hide=value)


@concept("secret_source", "Where the keys of each Belvo call come from", topics=("belvo",), code_only=True,
         skip_tests=True)
def match_key_source(ctx: SourceText):
    """What a clean secret scan stands on: the keys of a Belvo call traced to the environment or
    configuration ("ok"), or a call whose keys could not be traced ("ambiguous")."""
    keys = keys_of_calls(ctx)
    for traced in keys:
        call = traced.call
        if traced.source in ("environment", "configuration"):
            yield ctx.finding("secret_source", "ok", f"{traced.what} come from {traced.source}: {traced.detail}"[:300],
                              call.line, call.col, form=traced.source)
        elif traced.source != "literal":
            why = "are placeholders" if traced.source == "placeholder" else f"could not be traced ({traced.detail})"
            yield ctx.finding("secret_source", "ambiguous", f"{traced.what} {why}"[:300], call.line, call.col,
                              form=traced.source)
    calls = cached_belvo_calls(ctx)
    if calls and not keys:
        call = calls[0].call
        yield ctx.finding("secret_source", "ambiguous", f"{call.callee}(...) calls Belvo, but where it gets the keys is "
                          "not in this file", call.line, call.col, form="keys set elsewhere")


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
