"""The Connect widget: where its token is minted, and what it is opened with.

- `widget_token_server`: the token request (`POST /api/token/`, the SDKs' widget-token create)
  made by server code; front-end minting is `secret_frontend`'s (concepts/secrets.py).
- `widget_external_id`: the widget opened with an `external_id` that is not personal data.
- `widget_callbacks`: success, exit and event callbacks (the event one receives the Error and
  Warning events), or the hosted widget's `callback_urls`.
- `widget_fetch_resources`: single links (`access_mode: single`) asked with `fetch_resources`.

The web SDK is opened with `createWidget(token, options)` in JS/TS or in the script of an HTML,
Vue or Svelte file; the hosted widget with a `widget.belvo.io` URL (docs/belvo-api.md, "What the checks
rely on": Widget).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from belvo_check.source.clients import (
    BELVO_HOST_IN_TEXT,
    BELVO_URL_NAME,
    PUBLIC_ENV_PREFIXES,
    REQUEST_METHODS,
    cached_belvo_calls,
    split_top,
)
from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.links import note_link_creation
from belvo_check.source.context import SourceText
from belvo_check.source.facts import Facts, extract
from belvo_check.source.finding import SourceFinding

PII = (
    ("an e-mail address", re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")),
    ("a phone number", re.compile(r"^\+?[\d\s().-]{10,16}$")),
    ("a Mexican CURP", re.compile(r"^[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d$", re.I)),
    ("a Mexican RFC", re.compile(r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$", re.I)),
    ("a Brazilian CPF", re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")),
    ("a Brazilian CNPJ", re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$")),
)
# Words of an identifier that name personal data (userEmail, customer.cpf, user_name, taxId).
PII_WORDS = {"email": "an e-mail address", "mail": "an e-mail address", "phone": "a phone number",
             "mobile": "a phone number", "cpf": "a CPF", "cnpj": "a CNPJ", "curp": "a CURP", "rfc": "an RFC",
             "ssn": "a tax id", "taxid": "a tax id", "document": "a document number", "username": "a user name",
             "fullname": "a person's name", "firstname": "a person's name", "lastname": "a person's name"}
OPAQUE = re.compile(r"(?i)hash|sha\d*|digest|hmac|uuid|encrypt|pseudonym")  # a hashed e-mail is an opaque id


def personal_data(value: str) -> str | None:
    """What kind of personal data a value looks like, or None."""
    text = value.strip()
    return next((kind for kind, pattern in PII if pattern.search(text)), None)


def _words(identifier: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", identifier)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def personal_expression(expression: str) -> str | None:
    """What personal data an expression reads (`user.email`, `req.body.cpf`), or None."""
    if OPAQUE.search(expression):
        return None
    for identifier in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression):
        words = _words(identifier)
        for word in words + [a + b for a, b in zip(words, words[1:])]:
            if word in PII_WORDS:
                return PII_WORDS[word]
    return None


# ----------------------------------------------------------------------------- reading widget calls

SCRIPT = re.compile(r"(<script\b[^>]*>)(.*?)</script>", re.S | re.I)
MARKUP = frozenset({"html", "vue", "svelte"})


def script_facts(ctx: SourceText) -> Facts:
    """The parsed facts of a code file, or of the <script> blocks of an HTML, Vue or Svelte file (everything
    else blanked, so lines and columns stay those of the file)."""
    if ctx.file.is_code:
        return ctx.facts
    if "_script_facts" not in ctx.__dict__:
        text, kept, language = ctx.text, [], "javascript"
        last = 0
        for match in SCRIPT.finditer(text):
            kept.append(re.sub(r"[^\n]", " ", text[last:match.start(2)]))
            kept.append(match.group(2))
            last = match.end(2)
            if re.search(r"""lang=["']ts""", match.group(1)):
                language = "typescript"
        kept.append(re.sub(r"[^\n]", " ", text[last:]))
        ctx.__dict__["_script_facts"] = extract("".join(kept).encode(), language) if len(kept) > 1 else Facts()
    return ctx.__dict__["_script_facts"]


def arguments(call, language: str) -> list[str]:
    """The text of each argument of a call."""
    inner = call.args.strip()
    if language != "python":  # tree-sitter argument lists keep their brackets; Python's are the arguments alone
        inner = inner[1:-1]
    return split_top(inner, language=language)


KEY = re.compile(r"""^(?:async\s+)?['"]?([A-Za-z_$][\w$]*)['"]?\s*(?::|\(|$)""")


def object_keys(text: str) -> tuple[dict[str, str], bool] | None:
    """The top-level keys of a JS object literal and their value text (a method's value is its text),
    and whether it spreads another object in; None when the text is not an object literal."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    keys, spread = {}, False
    for part in split_top(text[1:-1]):
        if part.startswith("..."):
            spread = True
            continue
        match = KEY.match(part)
        if match:
            name = match.group(1)
            keys[name] = part.split(":", 1)[1].strip() if part[match.end() - 1:match.end()] == ":" else part
    return keys, spread


@dataclass(frozen=True)
class WidgetCall:
    line: int
    col: int
    options: dict[str, str] | None  # None: the options cannot be read here
    unread: str  # why they cannot (a variable built elsewhere, a spread)


def widget_calls(ctx: SourceText) -> list[WidgetCall]:
    """Every createWidget(token, options) call of a file, with its options when the code spells them out."""
    if not (ctx.file.is_code or ctx.language in MARKUP) or "createwidget" not in ctx.lower or \
            "belvo" not in ctx.lower:  # other SDKs have a createWidget too
        return []
    facts = script_facts(ctx)
    found = []
    for call in facts.calls:
        if call.name != "createWidget":
            continue
        args = arguments(call, "javascript")
        options = args[1] if len(args) > 1 else ""
        if re.fullmatch(r"[A-Za-z_$][\w$]*", options):  # a variable: read its object literal in this file
            built = [a for a in facts.assigns if a.name == options and a.line <= call.line and
                     a.value.lstrip().startswith("{")]
            options = built[-1].value if built else options
        read = object_keys(options) if options else ({}, False)
        if read is None:
            found.append(WidgetCall(call.line, call.col, None, f"the options ({options[:40]}) are built elsewhere"))
        else:
            keys, spread = read
            found.append(WidgetCall(call.line, call.col, keys, "the options spread another object" if spread else ""))
    return found


# ----------------------------------------------------------------------------- the token request

SDK_TOKEN = re.compile(r"(?i)(?:^|\.)widget_?token\.create$")
ANDROID = re.compile(r"^\s*import\s+android\.", re.M)
# JS/TS that runs on a server: a server framework, a serverless handler, a route handler, or the keys read
# from the environment under a name bundlers do not ship (a browser bundle would get undefined).
SERVER_JS = re.compile(
    r"""(?:from\s+|require\(\s*)['"](?:express|fastify|koa|@koa/router|@nestjs/[\w-]+|next/server|@hapi/hapi|hono"""
    r"""|node:http|https?|@vercel/node|firebase-functions[\w/-]*|firebase-admin|aws-lambda|@netlify/functions"""
    r"""|@remix-run/node|@sveltejs/kit|h3|nitro)['"]|^\s*['"]use server['"]"""
    r"""|export\s+(?:async\s+)?function\s+(?:POST|GET|handler|loader|action)\b|exports\.handler\b"""
    r"""|process\.env\.(?!""" + "|".join(PUBLIC_ENV_PREFIXES) + r""")\w*SECRET""", re.M)
SERVER_PARTS = frozenset({"server", "backend", "api", "functions", "lambda", "lambdas", "netlify", "serverless"})
TOKEN_PATH = "/api/token"


NOT_URL = re.compile(r"""(?i)^(?:['"`]?(?:get|post|put|patch|delete)['"`]?|(?:Http)?Method\.?\w*|ctx|context\.\w+\(\)"""
                     r"""|\w+\.Context\(\))$""")


def url_argument(call, language: str) -> str:
    """The argument of a request call that holds its URL: the first one that is not a verb or a context."""
    return next((a for a in arguments(call, language) if not NOT_URL.match(a)), "")


def _request_token(call, token_names: set[str], language: str) -> bool:
    """A raw HTTP call to Belvo's token endpoint: its URL is a Belvo host or a Belvo-named base joined to
    /api/token (or a variable holding one), or its body is a token request's (scopes, or id and password).
    A bare '/api/token', or any other base, is as likely the app's own route (Django simplejwt's login)."""
    if not REQUEST_METHODS.match(call.name):
        return False
    url = url_argument(call, language)
    at = url.find(TOKEN_PATH)
    if at < 0 and not any(re.search(rf"\b{re.escape(name)}\b", url) for name in token_names):
        return False
    body = "scopes" in call.keywords or {"id", "password"} <= set(call.keywords)
    return at < 0 or body or "belvo" in call.receiver.lower() or bool(BELVO_HOST_IN_TEXT.search(url)) \
        or bool(BELVO_URL_NAME.search(url[:at]))


def token_requests(ctx: SourceText) -> list[tuple[int, int, str]]:
    """(line, col, form) of each request for a widget token in a code file."""
    if not ctx.file.is_code or "token" not in ctx.lower:
        return []
    facts = ctx.facts
    found = []
    for call in facts.calls:
        if SDK_TOKEN.search(call.callee):
            found.append((call.line, call.col, f"{call.callee}()"))
        elif _request_token(call, set(), ctx.language):
            found.append((call.line, call.col, f"POST {TOKEN_PATH}/ via {call.callee}"))
    # The URL kept in a variable first (TOKEN_URL = BASE + "/api/token/"), unless that value is itself a request.
    named = {a.name for a in facts.assigns if TOKEN_PATH in a.value and (
        BELVO_HOST_IN_TEXT.search(a.value) or BELVO_URL_NAME.search(a.value[:a.value.find(TOKEN_PATH)]))
        and not any(a.line <= line <= a.line + a.value.count("\n") for line, _, _ in found)}
    if named:
        found += [(call.line, call.col, f"POST {TOKEN_PATH}/ via {call.callee}") for call in facts.calls
                  if not SDK_TOKEN.search(call.callee) and _request_token(call, named, ctx.language)
                  and (call.line, call.col) not in {(line, col) for line, col, _ in found}]
    # Any other Belvo call whose URL resolves to the token path: `${API}/token/` with API = '.../api'.
    seen = {(line, col) for line, col, _ in found}
    found += [(b.call.line, b.call.col, f"POST {TOKEN_PATH}/ via {b.call.callee}") for b in cached_belvo_calls(ctx)
              if b.sdk is None and TOKEN_PATH in b.url and (b.call.line, b.call.col) not in seen
              and (BELVO_HOST_IN_TEXT.search(b.url) or BELVO_URL_NAME.search(b.url))]
    return sorted(found)


def _runs_on_a_server(ctx: SourceText) -> tuple[str, str]:
    """(verdict, why) for the code of a file that requests a widget token."""
    if ctx.language == "java" and ANDROID.search(ctx.text):
        return "bad", "an Android app (it imports android.*): the keys ship inside the app"
    if ctx.language not in ("javascript", "typescript", "tsx"):
        return "ok", f"{ctx.language} server code"
    marker = SERVER_JS.search(ctx.text)
    if marker:
        return "ok", f"server code ({marker.group(0).strip()[:40]})"
    if SERVER_PARTS.intersection(ctx.file.rel.lower().split("/")[:-1]):
        return "ok", "server code (by its folder)"
    return "ambiguous", ("JS/TS that shows no sign of running on a server (no server framework, route handler or "
                         "secret read from process.env): set source.frontend to settle where it runs")


@concept("widget_token_server", "Widget token minted by server code", topics=("belvo",), code_only=True,
         skip_tests=True)
def match_token_server(ctx: SourceText):
    sites = token_requests(ctx)
    if sites:
        ctx.signals.add("mints_widget_token")
    if ctx.file.is_frontend:
        return  # secret_frontend reports minting in configured front-end code
    verdict, why = _runs_on_a_server(ctx) if sites else ("", "")
    if ctx.file.looks_frontend and verdict != "ok":
        return  # secret_frontend reports it as what looks like front-end code
    for line, col, form in sites:
        message = f"the widget token is minted by {why}" if verdict != "ambiguous" else \
            f"the widget token is minted here, in {why}"
        yield ctx.finding("widget_token_server", verdict, message, line, col, form=form)


# ----------------------------------------------------------------------------- external_id

HOSTED = "widget.belvo.io"


@concept("widget_external_id", "Widget opened with an external_id that is not personal data",
         topics=("widget", "belvo"), skip_tests=True)
def match_external_id(ctx: SourceText):
    for call in widget_calls(ctx):
        if call.options is None or ("external_id" not in call.options and call.unread):
            yield ctx.finding("widget_external_id", "ambiguous", f"cannot tell whether the widget gets an "
                              f"external_id: {call.unread}", call.line, call.col, form="createWidget options unread")
        elif "external_id" not in call.options:
            yield ctx.finding("widget_external_id", "bad", "the widget is opened without an external_id, so its "
                              "links cannot be tied to your user", call.line, call.col, form="createWidget")
        else:
            yield _judge_value(ctx, call.options["external_id"], call.line, call.col, "createWidget external_id")
    if ctx.file.is_code and HOSTED in ctx.lower:
        yield from _hosted_external_id(ctx)
    if ctx.file.is_code and ctx.about_belvo and "external_id" in ctx.lower:
        yield from _request_external_ids(ctx, {call.line for call in widget_calls(ctx)})
    if ctx.file.is_code and ctx.about_belvo:
        yield from _links_created_without_external_id(ctx)


# Calls that give Belvo an external_id: link creation (the SDK's, or the app's own create_link) and the
# widget token request; a lookup such as `User.find_by(external_id: ...)` is none of them.
GIVES_EXTERNAL_ID = re.compile(r"(?i)link|token|widget|register")


def _request_external_ids(ctx: SourceText, widget_lines: set[int]):
    """external_id given to Belvo by server code: `Links.create(..., external_id=...)`, a raw POST body,
    or the app's own `create_link(external_id: ...)`."""
    belvo = {id(b.call) for b in cached_belvo_calls(ctx)}
    for call in ctx.facts.calls:
        value = call.keywords.get("external_id")
        if value is None or call.line in widget_lines or not (id(call) in belvo or GIVES_EXTERNAL_ID.search(
                call.callee)):
            continue
        at = next((n for n in range(call.line, call.end_line + 1) if "external_id" in ctx.line(n)), call.line)
        yield _judge_value(ctx, value, at, ctx.line(at).find("external_id") + 1, "external_id in a Belvo request",
                           f"Belvo ({call.callee})")


LINKS_CREATED = re.compile(r"(?i)(?:^|\.)links\.(?:create|register)$")
EXTERNAL_ID = re.compile(r"external_?id|externalId|ExternalId", re.I)


def _body_shown(call, language: str) -> bool:
    """The request body is written in the call: a `json=`/`data=`/`body:` literal, or a literal second argument."""
    literal = re.compile(r"^\s*(?:JSON\.stringify\(\s*)?[{\[]|^\s*(?:Map\.of|dict)\(")
    given = [call.keywords[key] for key in ("json", "data", "body") if key in call.keywords]
    if given:  # fetch's options object holds the body: judge the body alone
        return any(literal.match(value) for value in given)
    args = arguments(call, language)
    return len(args) > 1 and bool(literal.match(args[1]))


def _links_created_without_external_id(ctx: SourceText):
    """A Belvo link creation (SDK Links.create / links.register, a raw POST to /api/links/) whose call and
    function never name an external_id: the code does not show the link tied to the app's user."""
    for belvo in cached_belvo_calls(ctx):
        call = belvo.call
        creates = LINKS_CREATED.search(call.callee) if belvo.sdk else belvo.method == "POST" and re.search(
            r"/api/links/?(?:['\"`\n]|$)", belvo.url)
        if not creates:
            continue
        func = ctx.facts.enclosing(call.line)
        around = ctx.text_of_lines(func.line, func.end_line) if func else call.args
        if EXTERNAL_ID.search(around) or "**" in call.keywords or re.search(r"\.\.\.\s*\w", call.args):
            continue  # named here (judged by _request_external_ids), or options passed through
        if not belvo.sdk and not _body_shown(call, ctx.language):
            continue  # the body is built elsewhere: what it holds is not shown here
        yield ctx.finding("widget_external_id", "ambiguous", "this link creation sends no external_id the code "
                          "shows: the link cannot be tied to your user in Belvo", call.line, call.col,
                          form="link created without external_id")


def _judge_value(ctx: SourceText, value: str, line: int, col: int, form: str,
                 receiver: str = "the widget") -> SourceFinding:
    literal = value.strip("'\"` ") if re.fullmatch(r"""\s*(['"`])[^'"`$]*\1\s*""", value) else None
    kind = personal_data(literal) if literal is not None else personal_expression(value)
    if kind:
        return ctx.finding("widget_external_id", "bad", f"external_id is given {value.strip()[:40]}, which looks "
                           f"like {kind}: Belvo asks for an opaque id of your own", line, col, form=form)
    if literal is not None and len(literal) < 3:
        return ctx.finding("widget_external_id", "bad", "external_id is shorter than 3 characters", line, col,
                           form=form)
    return ctx.finding("widget_external_id", "ok", f"{receiver} gets external_id from {value.strip()[:40]}",
                       line, col, form=form)


def longest_per_line(strings, needle: str):
    """The strings holding `needle`, one per line: the longest (an f-string, not its literal parts)."""
    best = {}
    for string in strings:
        if needle in string.value and (string.line not in best or len(string.value) > len(best[string.line].value)):
            best[string.line] = string
    return [best[line] for line in sorted(best)]


def _hosted_external_id(ctx: SourceText):
    facts = ctx.facts
    for string in longest_per_line(facts.strings, HOSTED):
        if "external_id" in string.value:
            value = re.search(r"external_id=([^&#\s]*)", string.value)
            yield _judge_value(ctx, value.group(1) if value else "", string.line, string.col,
                               "hosted widget URL external_id")
            continue
        func = facts.enclosing(string.line)
        lo, hi = (func.line, func.end_line) if func else (string.line, string.line)
        near = [a for a in facts.assigns if a.name == "external_id" and lo <= a.line <= hi]
        if near:
            yield _judge_value(ctx, near[0].value, string.line, string.col, "hosted widget external_id parameter")
        elif "external_id" in ctx.lower:
            yield ctx.finding("widget_external_id", "ambiguous", "the hosted widget URL is built here and "
                              "external_id is set elsewhere in the file: cannot tell it reaches the URL",
                              string.line, string.col, form="hosted widget URL")
        elif "?" in string.value or "access_token" in string.value:
            yield ctx.finding("widget_external_id", "bad", "the hosted widget is opened without an external_id",
                              string.line, string.col, form="hosted widget URL")
        else:  # the bare host: its parameters may be added anywhere
            yield ctx.finding("widget_external_id", "ambiguous", "the hosted widget's address is kept here; "
                              "no external_id is set in this file", string.line, string.col, form="hosted widget URL")


# ----------------------------------------------------------------------------- callbacks

CALLBACKS = {"callback": "success", "onExit": "exit", "onEvent": "Error and Warning events"}
DOES_NOTHING = re.compile(r"""^(?:async\s*)?(?:\([^)]*\)|[\w$]+)\s*=>\s*(?:\{\s*\}|null|undefined|void\s+0)$"""
                          r"""|^(?:async\s+)?(?:function\s*[\w$]*\s*)?\([^)]*\)\s*\{\s*\}$|^(?:null|undefined|noop)$"""
                          r"""|^[\w$]+\s*\([^)]*\)\s*\{\s*\}$""")
HOSTED_CALLBACKS = ("success", "exit", "event")


@concept("widget_callbacks", "Widget success, exit and event (Error, Warning) callbacks handled",
         topics=("widget", "belvo"), skip_tests=True)
def match_callbacks(ctx: SourceText):
    for call in widget_calls(ctx):
        options = call.options or {}
        missing = [f"{name} ({what})" for name, what in CALLBACKS.items() if name not in options]
        empty = [f"{name} ({what})" for name, what in CALLBACKS.items()
                 if name in options and DOES_NOTHING.match(" ".join(options[name].split()))]
        if call.options is None or (missing and call.unread):
            yield ctx.finding("widget_callbacks", "ambiguous", f"cannot tell which callbacks the widget gets: "
                              f"{call.unread}", call.line, call.col, form="createWidget options unread")
        elif missing or empty:
            what = "; ".join(filter(None, [missing and "without " + ", ".join(missing),
                                           empty and "with " + ", ".join(empty) + " doing nothing"]))
            yield ctx.finding("widget_callbacks", "bad", f"the widget is opened {what}", call.line, call.col,
                              form="createWidget callbacks")
        else:
            yield ctx.finding("widget_callbacks", "ok", "the widget handles its success, exit and event callbacks",
                              call.line, call.col, form="createWidget callbacks")
    if ctx.file.is_code and "callback_urls" in ctx.lower:
        for assign in ctx.facts.assigns:
            if assign.name != "callback_urls":
                continue
            given = [k for k in HOSTED_CALLBACKS if re.search(rf"""['"]?\b{k}\b['"]?\s*(?::|=>|=|,)""", assign.value)]
            missing = [k for k in HOSTED_CALLBACKS if k not in given]
            if not re.search(r"[{\[(]", assign.value):  # a variable: its keys are set elsewhere
                yield ctx.finding("widget_callbacks", "ambiguous", f"the hosted widget's callback_urls come from "
                                  f"{assign.value.strip()[:40]}: cannot tell they name success, exit and event",
                                  assign.line, assign.col, form="callback_urls variable")
            elif missing:
                yield ctx.finding("widget_callbacks", "bad",
                                  f"the hosted widget's callback_urls lack {', '.join(missing)}",
                                  assign.line, assign.col, form="callback_urls")
            else:
                yield ctx.finding("widget_callbacks", "ambiguous", "the hosted widget redirects to the success, exit "
                                  "and event callback_urls: that those pages handle the outcome (Error and Warning "
                                  "events included) is not visible here", assign.line, assign.col, form="callback_urls")


# ----------------------------------------------------------------------------- fetch_resources

FETCH_RESOURCES = re.compile(r"fetch_resources|fetchResources|FetchResources")
SINGLE = re.compile(r"""(?i)^\s*(?:['"`]single['"`]|(?:[\w.]*\.)?SINGLE)\s*$""")
RECURRENT = re.compile(r"""(?i)^\s*(?:['"`]recurrent['"`]|(?:[\w.]*\.)?RECURRENT)\s*$""")
ACCESS_MODE = ("access_mode", "accessMode", "AccessMode")
MODES = ("single", "recurrent")
LINK_CREATION = re.compile(r"/api/links|\.links\.(?:register|create)|Links\.create|widget_?token|/api/token", re.I)


@concept("widget_fetch_resources", "Single links created with fetch_resources", topics=("widget", "belvo"),
         skip_tests=True)
def match_fetch_resources(ctx: SourceText):
    if not (ctx.file.is_code or ctx.language in MARKUP) or not (LINK_CREATION.search(ctx.text) or
                                                                  "createwidget" in ctx.lower or HOSTED in ctx.lower):
        return  # access_mode read from a Link or declared in a model is not a link being asked for
    note_link_creation(ctx)
    if token_requests(ctx):
        ctx.signals.add("mints_widget_token")
    facts = script_facts(ctx)
    sends = _sends_fetch_resources(facts)
    if sends:
        ctx.signals.add("fetch_resources")
    for line, col, value in _access_modes(facts):
        if RECURRENT.match(value):  # recurrent links refresh themselves: fetch_resources is for single ones
            yield ctx.finding("widget_fetch_resources", "ok", "recurrent links are asked for here: only single "
                              "links need fetch_resources", line, col, form="access_mode recurrent")
            continue
        if not SINGLE.match(value):
            yield ctx.finding("widget_fetch_resources", "ambiguous", f"the access mode comes from {value[:40]}: "
                              "if it can be single, its links need fetch_resources", line, col, form="access_mode")
        elif sends:
            yield ctx.finding("widget_fetch_resources", "ok", "single links are asked here with fetch_resources",
                              line, col, form="access_mode single")
        else:  # the token request or link creation that carries it may be in another file: the tree decides
            site = ctx.finding("widget_fetch_resources", "ambiguous", "", line, col, form="access_mode single")
            ctx.signals.add(("single_link", site.path, site.line, site.col, site.language, site.snippet))


def _sends_fetch_resources(facts: Facts) -> bool:
    """A key or keyword named fetch_resources, or the string "fetch_resources" among a call's arguments (a Map)."""
    return any(FETCH_RESOURCES.fullmatch(a.name) for a in facts.assigns) or any(
        "fetch_resources" in c.strings or any(FETCH_RESOURCES.fullmatch(k) for k in c.keywords) for c in facts.calls)


def _access_modes(facts: Facts):
    """(line, col, value text) of each access mode the code asks for: a key or keyword, a Map entry
    ("access_mode", "single"), or a hosted widget URL parameter."""
    for assign in facts.assigns:
        value = assign.value.strip()
        copied = value.rpartition(".")[2] in ACCESS_MODE  # link.access_mode: a field read back, not a link asked for
        if assign.name in ACCESS_MODE and (assign.literal is not None or re.fullmatch(r"[\w$.]+", value)) \
                and not copied:
            yield assign.line, assign.col, value
    for call in facts.calls:
        strings = call.strings
        for index, text in enumerate(strings[:-1]):
            # A Map entry ("access_mode", "single"): the next string is the mode only when it names one
            # (in a dict literal's strings the next may be another key, its value being a variable).
            if text in ACCESS_MODE and strings[index + 1].lower() in MODES:
                yield call.line, call.col, repr(strings[index + 1])
    for string in longest_per_line(facts.strings, "access_mode=single"):
        yield string.line, string.col, "'single'"


@conclusion("widget_fetch_resources")
def conclude_fetch_resources(findings, tree):
    sites = sorted(s for s in tree.signals if isinstance(s, tuple) and s[0] == "single_link")
    creates = "mints_widget_token" in tree.signals or "creates_links" in tree.signals
    if creates and not sites and not findings:
        # No access mode asked for anywhere: links are recurrent, Belvo's default (docs/belvo-api.md, widget).
        yield tree.finding("widget_fetch_resources", "ok", "links are created without an access mode, so they are "
                           "recurrent (Belvo's default): only single links need fetch_resources", form="default mode")
    for _, path, line, col, language, snippet in sites:
        if "fetch_resources" in tree.signals:
            verdict, message = "ok", "single links are opened here, and the token request or link creation " \
                                     "sends fetch_resources"
        elif creates:
            verdict, message = "bad", "single links are opened here, and no token request or link creation " \
                                      "sends fetch_resources: their historical data never arrives asynchronously"
        else:
            verdict, message = "ambiguous", "single links are opened here; the token request that should send " \
                                            "fetch_resources is not in the scanned code"
        yield SourceFinding("widget_fetch_resources", verdict, message, path, line, col, language, snippet,
                            "access_mode single")
