"""Belvo calls made without a request timeout, counting each client's default."""

from __future__ import annotations

import re

from belvo_check.source.clients import TIMEOUT_KEYS, cached_belvo_calls, clients_in, judge_default
from belvo_check.source.concepts import concept
from belvo_check.source.context import SourceText
from belvo_check.source.facts import compact, last_ident

SESSION_TIMEOUT_JS = re.compile(r"\.timeout\s*=|defaults\.timeout")


def _sets_timeout(keywords: dict) -> bool:
    return any(key in TIMEOUT_KEYS for key in keywords)


@concept("timeout", "Belvo calls without a request timeout", topics=("belvo",), code_only=True)
def match_timeouts(ctx: SourceText):
    calls = cached_belvo_calls(ctx)
    if not calls:
        return
    text = ctx.text
    present = clients_in(text, ctx.language)
    factories = [call for call in ctx.facts.calls
                 if any(c.factory.search(call.callee) for c in present)]
    # When the client variable cannot be resolved, a file whose every client gets a timeout settles it
    timed_factory = factories[0] if factories and all(_sets_timeout(f.keywords) for f in factories) else None
    # Which factory built which variable: `self.client = new Client([...])` lets `client.get(...)` be judged
    by_name = {a.name: f for f in factories for a in ctx.facts.assigns if a.line == f.line and a.name
               and f.callee in compact(a.value)}
    set_elsewhere = next((c for c in present if c.timeout_text.search(text)), None)
    for belvo in calls:
        call = belvo.call
        say = lambda verdict, message, form: ctx.finding("timeout", verdict, message, call.line, call.col,  # noqa
                                                         form=form)
        if _sets_timeout(call.keywords) or "timeout" in call.callee.lower():
            yield say("ok", f"the {belvo.method} call to Belvo sets a timeout", "timeout argument")
        elif belvo.sdk is not None:
            default = belvo.sdk.get_timeout if belvo.method in ("GET", "DELETE") else belvo.sdk.post_timeout
            if belvo.sdk.name == "belvo-js" and SESSION_TIMEOUT_JS.search(text):
                yield say("ok", "belvo-js session given a timeout", "belvo-js session timeout")
            elif default is not None:
                yield say("ok", f"{belvo.sdk.name} {belvo.method} calls default to a {default:g} s timeout",
                          f"{belvo.sdk.name} default")
            elif not belvo.sdk.documented:
                yield say("ambiguous", f"{belvo.sdk.name}'s timeout default is not known", f"{belvo.sdk.name} default")
            else:
                yield say("bad", f"{belvo.sdk.name} sets no timeout on {belvo.method} calls and none is passed",
                          f"{belvo.sdk.name} {belvo.method} without timeout")
        elif belvo.client is not None:  # a module-level function: only the client's global default applies
            if belvo.client.timeout_text.search(text):
                yield say("ok", f"{belvo.client.name} is given a default timeout in this file",
                          f"{belvo.client.name} global timeout")
            else:
                yield say(judge_default(belvo.client), f"{call.callee}(...) to Belvo without a timeout: "
                          f"{belvo.client.note}", f"{belvo.client.name} default")
        elif last_ident(call.receiver) in by_name:
            factory = by_name[last_ident(call.receiver)]
            client = next(c for c in present if c.factory.search(factory.callee))
            if _sets_timeout(factory.keywords) or client.timeout_text.search(text):
                yield say("ok", f"the {client.name} client behind this call (line {factory.line}) has a timeout",
                          "client timeout")
            else:
                yield say(judge_default(client), f"the {client.name} client behind this call (line {factory.line}) "
                          f"is built without a timeout: {client.note}", f"{client.name} default")
        elif timed_factory is not None or set_elsewhere is not None:
            where = f"line {timed_factory.line}" if timed_factory else f"{set_elsewhere.name} timeout setting"
            yield say("ok", f"the client behind this call is given a timeout ({where})", "client timeout")
        elif factories:
            client = next(c for c in present if c.factory.search(factories[0].callee))
            verdict = judge_default(client)
            yield say(verdict, f"the {client.name} client behind this call is built without a timeout: {client.note}",
                      f"{client.name} default")
        elif "http.DefaultClient" in text:
            yield say("bad", "Go's http.DefaultClient has no timeout", "net/http default client")
        else:
            yield say("ambiguous", "the client behind this Belvo call is built elsewhere: its timeout cannot be "
                      "seen here", "client built elsewhere")
