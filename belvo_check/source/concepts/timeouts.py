"""Belvo calls made without a request timeout, counting each client's default.

Each call is judged on the client that sends it: its own timeout argument, the client object it is
called on (resolved to the constructor or builder that made it, and the timeout set there or on that
variable), an enclosing context deadline (Go), or the client's documented default. A timeout of
0, None, nil or infinity switches the timeout off: it counts as none. A setting seen somewhere in a
file that holds several clients is never credited to a call it cannot be tied to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from belvo_check.source.clients import (
    CONNECT_ONLY,
    TIMEOUT_KEYS,
    BelvoCall,
    HttpClient,
    cached_belvo_calls,
    clients_in,
    judge_default,
)
from belvo_check.source.concepts import concept
from belvo_check.source.context import SourceText
from belvo_check.source.facts import Call, compact, last_ident

# Values that switch a timeout off: requests/httpx None, axios/Guzzle/Go/Java 0, Ruby nil, .NET infinite.
DISABLED = re.compile(r"(?i)^\s*(?:None|null|nil|undefined|false|0+(?:\.0*)?[lLfFdD]?|Infinity|math\.inf"
                      r"|float\(\s*['\"]inf['\"]\s*\)|(?:[\w.]+\.)?Infinite(?:TimeSpan)?|Duration\.ZERO"
                      r"|(?:[\w.]+\.)?(?:Client)?Timeout\(\s*(?:None|total\s*=\s*None)?\s*\))\s*$")
# `timeout=10`, `Timeout: 10 * time.Second`, `'timeout' => 0`, `.timeout(Duration.ofSeconds(20))`, `read_timeout = nil`
SETTING = re.compile(r"""(?i)\b['"]?(\w*time_?out\w*)['"]?\s*(?:=>|=(?!=)|:(?!:)|\()\s*"""
                     r"""([^,;\n()]*(?:\([^()\n]*\)[^,;\n()]*)*)""")
SESSION_TIMEOUT_JS = re.compile(r"(?:\.|\b)(?:defaults\.)?timeout\s*=\s*([^;\n]+)")
CONTEXT_DEADLINE = re.compile(r"context\.With(?:Timeout|Deadline)\(")
GO_REQUEST = re.compile(r"^http\.NewRequest(?:WithContext)?$")


def disabled(value: str) -> bool:
    """The value switches the timeout off (a timeout of none waits forever)."""
    return bool(DISABLED.match(value.strip().rstrip("]} \t")))


def settings(text: str) -> list[tuple[str, str]]:
    """(name, value) of each timeout setting in a piece of code."""
    return [(m.group(1), m.group(2).strip()) for m in SETTING.finditer(text)
            if m.group(1).lower() != "timeoutexception" and not CONNECT_ONLY.match(m.group(1))]


def _on(text: str) -> bool | None:
    """True: a timeout is set in this text; False: only switched off; None: not mentioned."""
    found = settings(text)
    if not found:
        return None
    return any(not disabled(value) for _, value in found)


def _keyword_timeout(keywords: dict) -> bool | None:
    values = [value for key, value in keywords.items() if key in TIMEOUT_KEYS]
    if not values:
        return None
    return any(not disabled(value) for value in values)


@dataclass(frozen=True)
class Behind:
    """The client object a Belvo call is sent through, as far as this file shows it."""
    client: HttpClient | None
    factory: Call | None = None  # the constructor or builder that made it
    statement: str = ""  # the text of that construction (its builder chain, its assignment)
    name: str = ""  # the variable holding it


def statement_of(ctx: SourceText, call: Call) -> str:
    """The call and what is chained onto it: its lines from the call on, then lines continuing the chain."""
    lines = ctx.lines
    text = ctx.line(call.line)[call.col - 1:] + "\n" + ctx.text_of_lines(call.line + 1, call.end_line)
    for number in range(call.end_line, min(call.end_line + 6, len(lines))):
        following = lines[number].lstrip()
        if not following.startswith((".", "->", "?.")):
            break
        text += "\n" + following
    return text


def answer_call(ctx: SourceText, belvo: BelvoCall) -> Call:
    """The call whose result is Belvo's answer: for a request built first (Go http.NewRequest, a request
    builder), the later call in the same function that sends it; otherwise the Belvo call itself."""
    call = belvo.call
    line = ctx.line(call.line)
    built = re.match(r"\s*(?:var\s+|val\s+|final\s+|\w+(?:<[^>]*>)?\s+)?([A-Za-z_]\w*)(?:\s*,\s*\w+)?\s*(?::=|=(?!=))",
                     line)
    if not built or not (GO_REQUEST.match(call.callee) or "newBuilder" in call.callee or "Builder" in line
                         or call.name in ("url", "uri")):
        return call
    name = built.group(1)
    func = ctx.facts.enclosing(call.line)
    end = func.end_line if func else len(ctx.lines)
    uses = re.compile(rf"(?:^|[(,\s]){re.escape(name)}\s*[,)]")
    return next((c for c in ctx.facts.calls if call.end_line <= c.line <= end and c is not call
                 and c.name in ("Do", "send", "sendAsync", "newCall", "execute", "exchange", "SendAsync")
                 and uses.search("(" + c.args + ")")), call)


def _factories(ctx: SourceText, present: list[HttpClient]) -> list[tuple[Call, HttpClient]]:
    found = []
    for call in ctx.facts.calls:
        client = next((c for c in present if c.factory.search(call.callee)), None)
        if client is not None:
            found.append((call, client))
    return found


def client_behind(ctx: SourceText, belvo: BelvoCall) -> Behind:
    """Resolve the client a Belvo call goes through: a module-level function names its client; a method call
    on a variable is traced to the constructor assigned to it (`self.client = Client(...)`, `with
    httpx.Client(...) as http`, `var c = &http.Client{...}`); one client in the file is that client."""
    if belvo.client is not None:
        return Behind(belvo.client)
    present = clients_in(ctx.text, ctx.language)
    answer = answer_call(ctx, belvo)
    receiver = answer.receiver
    # `web.get().uri(...)`: a chain starts from the client variable; `this.client.get(...)`: the last name
    name = re.findall(r"[A-Za-z_]\w*", receiver.removeprefix("this.").removeprefix("self."))[0] \
        if "(" in receiver else last_ident(receiver)
    factories = _factories(ctx, present)
    held_by_name = []
    for factory, client in factories:
        if factory.callee in compact(receiver):  # built and used in one chain: new OkHttpClient().newCall(...)
            return Behind(client, factory, statement_of(ctx, factory))
        assign = next((a for a in ctx.facts.assigns if a.line <= factory.line <= a.line + a.value.count("\n")
                       and a.name and factory.callee in compact(a.value)), None)
        held = assign.name if assign else None
        rest = ctx.line(factory.line)[factory.col - 1:]
        # Python `with httpx.Client(...) as http:`; Ruby `Net::HTTP.start(...) do |http|` yields the client
        # (while `Faraday.new(...) do |f|` yields only its builder)
        aliased = re.search(r"\bas\s+(\w+)\s*:", rest) if held is None else None
        aliased = aliased or (re.search(r"(?:\bdo|\{)\s*\|\s*(\w+)\s*\|", rest) if factory.name == "start" else None)
        held = aliased.group(1) if aliased else held
        if held and held == name:
            held_by_name.append(Behind(client, factory, assign.value if assign else statement_of(ctx, factory), held))
    if held_by_name:  # the same name built twice (two `with ... as http:` blocks): the nearest one before the call
        before = [b for b in held_by_name if b.factory.line <= answer.line]
        return max(before, key=lambda b: b.factory.line) if before else held_by_name[0]
    if name == "DefaultClient" and ctx.language == "go":
        return Behind(next((c for c in present if c.name == "net/http"), None), name="http.DefaultClient")
    return Behind(present[0] if len(present) == 1 else None, name=name)


@concept("timeout", "Belvo calls without a request timeout", topics=("belvo",), code_only=True)
def match_timeouts(ctx: SourceText):
    for belvo in cached_belvo_calls(ctx):
        verdict, message, form = judge_call(ctx, belvo)
        yield ctx.finding("timeout", verdict, message, belvo.call.line, belvo.call.col, form=form)


def judge_call(ctx: SourceText, belvo: BelvoCall) -> tuple[str, str, str]:
    """(verdict, message, form) for the timeout of one Belvo call."""
    call, method = belvo.call, belvo.method
    own = _keyword_timeout(call.keywords)
    if own is None:
        own = _on(statement_of(ctx, call)) if "timeout" in statement_of(ctx, call).lower() else None
    if own is not None:
        return ("ok", f"the {method} call to Belvo sets a timeout", "timeout argument") if own else \
            ("bad", f"the {method} call to Belvo switches its timeout off (0, none or infinite waits forever)",
             "timeout switched off")
    if "**" in call.keywords or re.search(r"\.\.\.\s*\w", call.args):
        return "ambiguous", "options are passed through (**kwargs, ...spread): a timeout may be among them", \
            "options passed through"
    if belvo.sdk is not None:
        return _sdk_default(ctx, belvo)
    func = ctx.facts.enclosing(call.line)
    if ctx.language == "go" and CONTEXT_DEADLINE.search(ctx.text_of_lines(func.line, func.end_line) if func else ""):
        return "ok", "the request carries a context deadline set in this function", "context deadline"
    behind = client_behind(ctx, belvo)
    client = behind.client
    if client is None:
        return "ambiguous", "the client behind this Belvo call is built elsewhere: its timeout cannot be seen here", \
            "client built elsewhere"
    if behind.name == "http.DefaultClient":
        return "bad", "Go's http.DefaultClient has no timeout", "net/http default client"
    if behind.factory is not None:
        where = f"the {client.name} client behind this call (line {behind.factory.line})"
        on = _keyword_timeout(behind.factory.keywords)
        on = _on(behind.statement) if on is None else on
        if on is None and behind.name:  # set on the variable afterwards: http.read_timeout = 10, c.Timeout = ...
            # a local variable only where it lives (another function's `http` is another client)
            scope = ctx.facts.enclosing(behind.factory.line)
            on = _on("\n".join(m.group(0) for m in re.finditer(
                rf"\b{re.escape(behind.name)}\s*\.\s*\w*[Tt]ime_?[Oo]ut\w*\s*(?:=(?!=)|\()[^;\n]*",
                ctx.text_of_lines(scope.line, scope.end_line) if scope else ctx.text)))
        if on is not None:
            return ("ok", f"{where} has a timeout", "client timeout") if on else \
                ("bad", f"{where} switches its timeout off: it waits forever", "client timeout switched off")
        return judge_default(client), f"{where} is built without a timeout: {client.note}", f"{client.name} default"
    # A module-level function, or a client made elsewhere: only a setting on the client itself applies,
    # and only when it is the one client this file uses.
    alone = len(clients_in(ctx.text, ctx.language)) == 1
    spans = _line_spans(ctx, client.timeout_text) if alone or belvo.client else []
    if spans:
        on = _on("\n".join(ctx.line(number) for number in spans))
        if on is not False:
            return "ok", f"{client.name} is given a timeout in this file", f"{client.name} timeout setting"
        return "bad", f"{client.name}'s timeout is switched off in this file", f"{client.name} timeout switched off"
    if belvo.client is not None:
        return judge_default(client), f"{call.callee}(...) to Belvo without a timeout: {client.note}", \
            f"{client.name} default"
    built = [f for f, c in _factories(ctx, [client])]
    if built and alone and all(_keyword_timeout(f.keywords) or _on(statement_of(ctx, f)) for f in built):
        return "ok", f"the client behind this call is given a timeout (line {built[0].line})", "client timeout"
    if built:
        return judge_default(client), f"the {client.name} client behind this call is built without a timeout: " \
            f"{client.note}", f"{client.name} default"
    return "ambiguous", "the client behind this Belvo call is built elsewhere: its timeout cannot be seen here", \
        "client built elsewhere"


def _line_spans(ctx: SourceText, pattern: re.Pattern) -> list[int]:
    """The lines setting a client's timeout for the whole file; a context deadline is not one (it bounds
    only the requests made with that context, judged per function)."""
    return sorted({ctx.position(m.start())[0] for m in pattern.finditer(ctx.text)
                   if not CONTEXT_DEADLINE.match(ctx.text, m.start())})


def _sdk_default(ctx: SourceText, belvo: BelvoCall) -> tuple[str, str, str]:
    sdk, method = belvo.sdk, belvo.method
    default = sdk.get_timeout if method in ("GET", "DELETE") else sdk.post_timeout
    session = SESSION_TIMEOUT_JS.search(ctx.text) if sdk.name == "belvo-js" else None
    if session:
        return ("bad", "belvo-js session timeout switched off", "belvo-js session timeout switched off") \
            if disabled(session.group(1)) else ("ok", "belvo-js session given a timeout", "belvo-js session timeout")
    if default is not None:
        return "ok", f"{sdk.name} {method} calls default to a {default:g} s timeout", f"{sdk.name} default"
    if not sdk.documented:
        return "ambiguous", f"{sdk.name}'s timeout default is not known", f"{sdk.name} default"
    return "bad", f"{sdk.name} sets no timeout on {method} calls and none is passed", f"{sdk.name} {method} without timeout"
