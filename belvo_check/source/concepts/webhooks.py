"""Webhook receivers: the route (Flask, FastAPI, Django, aiohttp, Express, Fastify, Nest, Next.js, Spring,
Rails, Sinatra, Laravel, Slim, Go routers, ASP.NET), and whether the receiver's code checks Authorization
and de-duplicates by webhook_id.

A route declaration and the code that handles it are often in different files (routes.rb and a
controller, urls.py and views.py, routes/api.php and a controller). So Authorization and webhook_id are
judged where a receiver's code is: a route with its handler inline (a decorator, an annotation, a
function passed in place), a controller class named for webhooks, or code that reads a delivery's
fields. A route that only names a handler elsewhere is a route, and its handler is judged where it is.
"""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.links import note_link_creation
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

ROUTE_CALLS = frozenset({
    "route", "post", "Post", "POST", "api_route", "add_url_rule", "add_api_route", "path", "re_path", "url",  # Python
    "add_post", "add_route",  # aiohttp
    "all", "use", "Controller",  # Express, Fastify, Nest
    "PostMapping", "RequestMapping",  # Spring
    "match", "resources", "resource", "namespace", "scope",  # Rails
    "HandleFunc", "Handle", "Any", "Group",  # Go routers
    "HttpPost", "Route", "MapPost",  # ASP.NET
})
# Calls whose path is a prefix of the routes inside them: a prefix must name webhooks itself.
PREFIXES = frozenset({"Controller", "Group", "use", "Route", "RequestMapping", "resources", "resource", "namespace",
                      "scope"})
CONSTANT_TIME = frozenset({"compare_digest", "timingSafeEqual", "ConstantTimeCompare", "secure_compare", "hash_equals",
                           "FixedTimeEquals", "isEqual", "secure_compare", "fixed_length_secure_compare"})
REJECTS = re.compile(r"\b40[13]\b|(?i:unauthorized|forbidden)")
DEDUPE = re.compile(r"(?i)exists|get_or_create|unique|upsert|on\s+conflict|find_by|setnx|insert\s+or\s+ignore|seen"
                    r"|processed|already|findOne|first_or_create|firstOrCreate|updateOrCreate|ContainsKey"
                    r"|\.has\(|\.contains\(|sismember|duplicate|\.Any(?:Async)?\(|\.exists\(")
PATH_COMPARE = re.compile(r"(?i)\b(?:path|url|pathname|path_info|request_uri)\b")
WEBHOOK_ID = re.compile(r"(?i)webhook_?id")
# `id in SEEN` (not `"webhook_id" in payload`, which asks whether the key is there), or a store indexed
# by the id itself (`processed[d.WebhookID]`, not `payload["webhook_id"]`, which only reads it).
MEMBERSHIP = re.compile(r"""(?i)(?<!['"])\b[\w.\]\[]*webhook_?id\w*['"\]\)]*\s+(?:not\s+)?in\s+(?!(?:payload|body|data|"""
                        r"""request|req|json|event|hook|message|msg|params|delivery)\b)\w|\w\[\s*[\w.]*webhook_?id\w*\s*\]""")
# Code that reads a delivery's code or type (not a DTO or interface that only declares the field).
READS_DELIVERY = re.compile(r"""(?i)\.webhook_?(?:code|type)\b|\[\s*['"]webhook_(?:code|type)['"]\s*\]"""
                            r"""|\(\s*['"]webhook_(?:code|type)['"]|:webhook_(?:code|type)\]|\.get_?webhook_?(?:code|type)\s*\("""
                            r"""|\{[^}]*\bwebhook_(?:code|type)\b[^}]*\}\s*=""")
RECEIVER_CLASS = re.compile(r"(?i)\bclass\s+(\w*webhook\w*(?:controller|view|viewset|handler|resource|endpoint|receiver"
                            r"|servlet|function)s?)\b")
NEXT_HANDLER = re.compile(r"export\s+(?:async\s+)?function\s+POST\b|export\s+default\b")
RUBY_SYMBOL = re.compile(r":(\w+)")
# Data announcements: historical_update reaches single and recurrent links; new_*_available only recurrent
# ones (docs/belvo-api.md, webhooks). A receiver that dispatches on codes must name both kinds.
HISTORICAL = "historical_update"
RECURRENT = re.compile(r"^new_\w+_available$")
# A handler written in place of a name, in the route call or (a Ruby block) right after it.
INLINE_HANDLER = {language: re.compile(pattern) for languages, pattern in [
    (("javascript", "typescript", "tsx"), r"=>|\bfunction\b"), (("python",), r"\blambda\b"), (("go",), r"\bfunc\s*\("),
    (("ruby",), r"\bdo\b|\{|->|\blambda\b"), (("php",), r"\bfunction\b|\bfn\s*\("), (("java",), r"->"),
    (("csharp",), r"=>|\bdelegate\b")] for language in languages}
# What a receiver site shows, reported per site: (message, form) when seen, and when not.
RECEIVER_CHECKS = {
    "webhook_auth": (("the receiver's code compares the Authorization header and rejects a mismatch",
                      "Authorization checked"),
                     ("no Authorization check seen in the receiver's code (a middleware elsewhere may do it)",
                      "no Authorization check here")),
    "webhook_dedupe": (("the receiver's code looks webhook_id up", "webhook_id lookup"),
                       ("no de-duplication by webhook_id seen in the receiver's code", "no webhook_id lookup here")),
}


def _code_lines(ctx: SourceText, *needles: str):
    """(number, line) of the lines holding a needle that are code, not a comment or an import."""
    for number in ctx.lines_with(*needles):
        line = ctx.line(number)
        if not COMMENT_OR_IMPORT.match(line):
            yield number, line


def _checks_authorization(ctx: SourceText) -> bool:
    """The code reads Authorization and either compares it in constant time or answers 401/403."""
    reads = any(True for _ in _code_lines(ctx, "authorization"))
    facts = ctx.facts
    compares = any(call.name in CONSTANT_TIME for call in facts.calls)
    rejects = any(REJECTS.search(call.args) or REJECTS.search(call.callee) for call in facts.calls) or any(
        REJECTS.search(s.value) for s in facts.strings) or any(True for _ in _code_lines(ctx, ":unauthorized"))
    return reads and (compares or rejects)


def _dedupes(ctx: SourceText) -> bool:
    """A line that looks the webhook_id up (a membership test, a keyed lookup, an upsert...)."""
    return any(WEBHOOK_ID.search(line) and (DEDUPE.search(line) or MEMBERSHIP.search(line))
               for _, line in _code_lines(ctx, "webhook_id", "webhookid"))


def _route_path(call, language: str) -> str | None:
    """The webhook path a route registration names; prefixes (a Nest @Controller('belvo')) need 'webhook'."""
    if call.name not in ROUTE_CALLS:
        return None
    words = ("webhook",) if call.name in PREFIXES else ("webhook", "belvo")
    names = list(call.strings)
    if language == "ruby":  # Rails routes name paths with symbols: resources :belvo_webhooks, post :belvo
        names += [f":{m.group(1)}" for m in RUBY_SYMBOL.finditer(call.args.split(",")[0])]
    return next((s for s in names if any(w in s.lower() for w in words)), None)


def _declares_handler(ctx: SourceText, call) -> bool:
    """The route's handler is right there: a decorator or annotation over it, or a function passed inline."""
    line = ctx.line(call.line)
    before, at = line[:max(call.col - 1, 0)].strip(), line[call.col - 1:call.col]
    if before in ("@", "[") or not before and at in ("@", "[") and at:
        return True
    if getattr(call, "name", "") in PREFIXES:  # a block of routes (Rails namespace ... do) is not a handler
        return False
    inline = INLINE_HANDLER.get(ctx.language)
    return bool(inline and inline.search(call.args + line[call.col - 1:]))


def _routes(ctx: SourceText):
    """(line, col, path, form) of each webhook route the file declares."""
    for call in ctx.facts.calls:
        path = _route_path(call, ctx.language)
        if path:
            yield call, path, f"{call.callee}(...)"
    # Hand-rolled servers (http.server, net/http without a router) compare the request path instead.
    for compare in ctx.facts.compares:
        if PATH_COMPARE.search(compare.text) and "hook" in compare.text.lower():
            yield compare, compare.text, "request path comparison"


def _next_route(ctx: SourceText):
    """A Next.js route or API file under a webhook path (app/api/webhooks/belvo/route.ts, pages/api/webhook.ts)."""
    rel = ctx.file.rel.lower()
    if ctx.language not in ("javascript", "typescript", "tsx") or "/api/" not in f"/{rel}" or "webhook" not in rel:
        return None
    match = NEXT_HANDLER.search(ctx.text)
    return (*ctx.position(match.start()), match.group(0)) if match else None


def _site(ctx: SourceText, line: int, col: int, seen: dict[str, bool]):
    ctx.signals.add("webhook_receiver")
    for concept_name, (when_seen, when_not) in RECEIVER_CHECKS.items():
        message, form = when_seen if seen[concept_name] else when_not
        yield ctx.finding(concept_name, "ok" if seen[concept_name] else "ambiguous", message, line, col, form=form)


def _codes(ctx: SourceText):
    """A finding on which data codes a receiver that dispatches on webhook_code names, or nothing.

    Only a file that names codes as strings dispatches on them; one that fetches on any code names none.
    """
    named = [s for s in ctx.facts.strings if s.value == HISTORICAL or RECURRENT.match(s.value)]
    if not named:
        return
    first = named[0]
    historical = any(s.value == HISTORICAL for s in named)
    recurrent = sorted({s.value for s in named if RECURRENT.match(s.value)})
    if historical and recurrent:
        yield ctx.finding("webhook_codes", "ok", f"the receiver handles {HISTORICAL} (single and recurrent links) "
                          f"and {', '.join(recurrent)} (recurrent links)", first.line, first.col, form="both kinds")
    elif historical:
        yield ctx.finding("webhook_codes", "ambiguous", f"the receiver names {HISTORICAL} but no new_*_available "
                          "code: recurrent links' new data is missed unless another branch fetches it",
                          first.line, first.col, form="no recurrent code")
    else:
        yield ctx.finding("webhook_codes", "ambiguous", f"the receiver names {', '.join(recurrent)} but not "
                          f"{HISTORICAL}: single links announce their data only with it, so it is dropped unless "
                          "another branch fetches it", first.line, first.col, form=f"no {HISTORICAL}")


@concept("webhook_route", "Webhook receiver routes", topics=("webhook",), code_only=True, skip_tests=True)
def match_routes(ctx: SourceText):
    note_link_creation(ctx)
    mentions = list(_code_lines(ctx, "webhook_code", "webhook_type", "webhookcode", "webhooktype"))
    if mentions:
        ctx.signals.add("webhook_payload")  # code about deliveries, wherever its route is declared
    payload = next(((n, line) for n, line in mentions if READS_DELIVERY.search(line)), None)
    if payload:
        yield from _codes(ctx)
    seen = None
    sites = []
    for node, path, form in _routes(ctx):
        ctx.signals.add("webhook_route")
        yield ctx.finding("webhook_route", "ok", f"webhook receiver route {path!r}", node.line, node.col, form=form)
        if form == "request path comparison" or _declares_handler(ctx, node) or payload:
            sites.append((node.line, node.col))
    routed = bool(sites) or "webhook_route" in ctx.signals
    if not routed:
        found = _next_route(ctx)
        receiver = RECEIVER_CLASS.search(ctx.text)
        if found:
            ctx.signals.add("webhook_route")
            yield ctx.finding("webhook_route", "ok", f"webhook route file {ctx.file.rel!r}", found[0], found[1],
                              form="Next.js route file")
            sites.append(found[:2])
        elif receiver:
            line, col = ctx.position(receiver.start(1))
            ctx.signals.add("webhook_route")
            yield ctx.finding("webhook_route", "ok", f"webhook receiver class {receiver.group(1)!r}", line, col,
                              form="webhook controller class")
            sites.append((line, col))
        elif payload:  # the handler of a route declared elsewhere, or the worker it hands deliveries to
            sites.append((payload[0], READS_DELIVERY.search(payload[1]).start() + 1))
    if sites:
        seen = {"webhook_auth": _checks_authorization(ctx), "webhook_dedupe": _dedupes(ctx)}
        for line, col in sites:
            yield from _site(ctx, line, col, seen)


@conclusion("webhook_route")
def conclude_routes(findings, tree):
    if "webhook_route" not in tree.signals:
        # No route seen: a failure only when links are created and nothing reads a delivery either.
        verdict = "bad" if "creates_links" in tree.signals and "webhook_payload" not in tree.signals else "ambiguous"
        yield tree.finding("webhook_route", verdict, "no webhook receiver route found" +
                           (" although the code creates links" if verdict == "bad" else ""), form="no route")
    elif "webhook_receiver" not in tree.signals:
        for name in RECEIVER_CHECKS:
            yield tree.finding(name, "ambiguous", "webhook routes are declared, but the code that handles their "
                               "deliveries was not found in the scanned tree", form="no receiver code")
