"""Webhook receivers: the route (Flask, FastAPI, Django, Express, Nest, Spring, Rails, Laravel, Go
routers, ASP.NET), and whether its file checks Authorization and de-duplicates by webhook_id."""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.links import note_link_creation
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

ROUTE_CALLS = frozenset({
    "route", "post", "Post", "POST", "api_route", "add_url_rule", "add_api_route", "path", "re_path", "url",  # Python
    "all", "use", "Controller",  # Express, Nest
    "PostMapping", "RequestMapping",  # Spring
    "match", "resources", "resource",  # Rails
    "HandleFunc", "Handle", "Any", "Group",  # Go routers
    "HttpPost", "Route", "MapPost",  # ASP.NET
})
CONSTANT_TIME = frozenset({"compare_digest", "timingSafeEqual", "ConstantTimeCompare", "secure_compare", "hash_equals",
                           "FixedTimeEquals", "isEqual"})
REJECTS = re.compile(r"\b40[13]\b|Unauthorized|Forbidden|UNAUTHORIZED|FORBIDDEN")
DEDUPE = re.compile(r"(?i)exists|get_or_create|unique|upsert|on\s+conflict|find_by|setnx|insert\s+or\s+ignore|seen"
                    r"|processed|already|findOne|first_or_create|firstOrCreate|updateOrCreate|ContainsKey|contains")
PREFIXES = frozenset({"Controller", "Group", "use", "Route", "RequestMapping", "resources", "resource"})
PATH_COMPARE = re.compile(r"(?i)\b(?:path|url|pathname|path_info|request_uri)\b")
WEBHOOK_ID = re.compile(r"(?i)webhook_?id")
MEMBERSHIP = re.compile(r"\bin\s+[\w.]+|\w+\[[^\]]*webhook_?id", re.I)
# What a route's file shows about its receiver, reported per route: (message, form) when seen, and when not.
RECEIVER_CHECKS = {
    "webhook_auth": (("the receiver's file compares the Authorization header and rejects a mismatch",
                      "Authorization checked"),
                     ("no Authorization check seen in the receiver's file (a middleware elsewhere may do it)",
                      "no Authorization check here")),
    "webhook_dedupe": (("the receiver's file looks webhook_id up", "webhook_id lookup"),
                       ("no de-duplication by webhook_id seen in the receiver's file", "no webhook_id lookup here")),
}


def _checks_authorization(ctx: SourceText) -> bool:
    """The code (not a comment) reads Authorization and either compares it in constant time or answers 401/403."""
    facts = ctx.facts
    reads = any("authorization" in s.value.lower() for s in facts.strings) or any(
        ".authorization" in ctx.line(n).lower() and not COMMENT_OR_IMPORT.match(ctx.line(n))
        for n in ctx.lines_with(".authorization"))
    compares = any(call.name in CONSTANT_TIME for call in facts.calls)
    rejects = any(REJECTS.search(call.args) or REJECTS.search(call.callee) for call in facts.calls) or any(
        REJECTS.search(s.value) for s in facts.strings)
    return reads and (compares or rejects)


def _dedupes(ctx: SourceText) -> bool:
    """A line that looks the webhook_id up (a membership test, a keyed lookup, an upsert...)."""
    for number in ctx.lines_with("webhook_id", "webhookid"):
        line = ctx.line(number)
        if WEBHOOK_ID.search(line) and (DEDUPE.search(line) or MEMBERSHIP.search(line)):
            return True
    return False


def _route_path(call) -> str | None:
    """The webhook path a route registration names; prefixes (a Nest @Controller('belvo')) need 'webhook'."""
    if call.name not in ROUTE_CALLS:
        return None
    words = ("webhook",) if call.name in PREFIXES else ("webhook", "belvo")
    return next((s for s in call.strings if any(w in s.lower() for w in words)), None)


@concept("webhook_route", "Webhook receiver routes", topics=("webhook",), code_only=True, skip_tests=True)
def match_routes(ctx: SourceText):
    if "webhook_code" in ctx.lower or "webhook_type" in ctx.lower:
        ctx.signals.add("webhook_payload")  # code that reads deliveries, wherever its route is declared
    routes = [(call, path) for call in ctx.facts.calls if (path := _route_path(call))]
    # Hand-rolled servers (http.server, net/http without a router) compare the request path instead.
    routes += [(compare, compare.text) for compare in ctx.facts.compares
               if PATH_COMPARE.search(compare.text) and "hook" in compare.text.lower()]
    note_link_creation(ctx)
    if not routes:
        return
    # Whole-file evidence, the same for every route the file declares.
    seen = {"webhook_auth": _checks_authorization(ctx), "webhook_dedupe": _dedupes(ctx)}
    for call, path in routes:
        ctx.signals.add("webhook_route")
        form = f"{call.callee}(...)" if hasattr(call, "callee") else "request path comparison"
        yield ctx.finding("webhook_route", "ok", f"webhook receiver route {path!r}", call.line, call.col, form=form)
        for concept_name, (when_seen, when_not) in RECEIVER_CHECKS.items():
            message, form = when_seen if seen[concept_name] else when_not
            yield ctx.finding(concept_name, "ok" if seen[concept_name] else "ambiguous", message, call.line,
                              call.col, form=form)


@conclusion("webhook_route")
def conclude_routes(findings, tree):
    if "webhook_route" not in tree.signals:
        # No route seen: a failure only when links are created and nothing reads a delivery either.
        verdict = "bad" if "creates_links" in tree.signals and "webhook_payload" not in tree.signals else "ambiguous"
        yield tree.finding("webhook_route", verdict, "no webhook receiver route found" +
                           (" although the code creates links" if verdict == "bad" else ""), form="no route")
