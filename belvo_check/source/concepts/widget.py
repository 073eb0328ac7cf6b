"""The connect widget: created with external_id and with success, exit and event callbacks."""

from __future__ import annotations

from belvo_check.source.concepts import concept
from belvo_check.source.context import SourceText

CALLBACKS = {"callback": "success", "onExit": "exit", "onEvent": "event"}


@concept("widget_config", "Widget created with external_id and its callbacks", topics=("widget",), code_only=True)
def match_widget(ctx: SourceText):
    for call in ctx.facts.calls:
        if call.name != "createWidget":
            continue
        keys = set(call.keywords)
        if not keys:  # the options are built elsewhere (a variable): cannot be read here
            yield ctx.finding("widget_config", "ambiguous", "the widget options are not written at the call",
                              call.line, call.col, form="createWidget(token, options variable)")
            continue
        missing = [f"{name} ({what})" for name, what in CALLBACKS.items() if name not in keys]
        if "external_id" not in keys:
            missing.insert(0, "external_id")
        if missing:
            yield ctx.finding("widget_config", "bad", "the widget is created without " + ", ".join(missing),
                              call.line, call.col, form="createWidget options incomplete")
        else:
            yield ctx.finding("widget_config", "ok", "the widget gets external_id and success, exit and event "
                              "callbacks", call.line, call.col, form="createWidget options complete")
