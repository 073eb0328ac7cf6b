"""Request handling: pagination followed, the status code of a create, JSON parsing of a 204, idempotent storage.

Belvo's answers (201 on create, 204 without a body on delete, `next` on lists) are described in
docs/belvo-api.md, "Answers the code must expect".
"""

from __future__ import annotations

import re

from belvo_check.source.clients import BELVO_PATH, cached_belvo_calls
from belvo_check.source.concepts import concept
from belvo_check.source.context import SourceText

READS_NEXT = re.compile(r"""['"]next['"]|\.next\b(?!\s*\()|\[:next\]|\bNext\b\s+\*?string|getNext\(|->next\b""")
LIST_PATH = re.compile(BELVO_PATH.pattern + r"[a-z-]*/?(?:\?|['\"`]|$)")
STATUS_200 = re.compile(r"(?i)(?:status|code)\w*(?:\(\))?\s*(?:===?|!==?)\s*200\b"
                        r"|\b200\s*(?:===?|!==?)\s*\w*(?:status|code)"
                        r"|StatusOK\b|HttpStatus\.OK\b|HttpStatusCode\.OK\b|status\(\)\.is\(200\)")
PARSES_JSON = re.compile(r"\.json\(\)|JSON\.parse|json\.loads|json\.Unmarshal|json\.NewDecoder|json_decode|readValue\("
                         r"|ReadFromJsonAsync|DeserializeObject|JsonSerializer\.Deserialize|\.to_json|JSON\.parse")
GUARDS_204 = re.compile(r"(?:==|!=|===|!==)\s*204\b|\b204\s*(?:==|===)|NoContent|no_content|\.content\b|content-length"
                        r"|\bis_empty|\.ok\b")


@concept("pagination", "Belvo list calls that do not follow next", topics=("belvo",), code_only=True)
def match_pagination(ctx: SourceText):
    follows = bool(READS_NEXT.search(ctx.text))
    for belvo in cached_belvo_calls(ctx):
        call = belvo.call
        if belvo.sdk is not None:
            if call.name != "list":
                continue
            if belvo.sdk.list_follows_next == "all":
                yield ctx.finding("pagination", "ok", f"{belvo.sdk.name} list() follows next to the end", call.line,
                                  call.col, form=f"{belvo.sdk.name} list")
            elif belvo.sdk.list_follows_next == "up to limit":
                if "limit" in call.keywords or re.search(r"\blimit\b", call.args):
                    yield ctx.finding("pagination", "ambiguous", "belvo-js list() stops at the limit it is given: "
                                      "longer lists are cut there", call.line, call.col, form="belvo-js list(limit)")
                else:
                    yield ctx.finding("pagination", "bad", "belvo-js list() stops after 100 items by default: "
                                      "longer lists are silently cut", call.line, call.col,
                                      form="belvo-js list() default limit")
            else:
                yield ctx.finding("pagination", "ambiguous", f"{belvo.sdk.name} list() paging is not documented",
                                  call.line, call.col, form=f"{belvo.sdk.name} list")
        elif belvo.method == "GET" and LIST_PATH.search(call.args):
            func = ctx.facts.enclosing(call.line)
            body = ctx.text_of_lines(func.line, func.end_line) if func else ""
            if READS_NEXT.search(body):
                yield ctx.finding("pagination", "ok", "this function reads `next` from the list answers", call.line,
                                  call.col, form="raw GET list with next")
            elif follows:
                yield ctx.finding("pagination", "ambiguous", "the file reads `next`, but not where this list is "
                                  "fetched", call.line, call.col, form="next read elsewhere")
            else:
                yield ctx.finding("pagination", "bad", "a Belvo list is fetched but `next` is never read: only the "
                                  "first page arrives", call.line, call.col, form="raw GET list without next")


@concept("create_status", "Creates judged by == 200 (Belvo answers 201)", topics=("belvo",), code_only=True)
def match_create_status(ctx: SourceText):
    calls = [b for b in cached_belvo_calls(ctx) if b.sdk is None]
    # The widget token request (POST /api/token/) answers 200, unlike creates (201).
    posts = [b.call for b in calls if b.method == "POST" and "/api/token" not in b.call.args]
    if not posts:
        return
    facts = ctx.facts
    for compare in facts.compares:
        if not STATUS_200.search(compare.text):
            continue
        func = facts.enclosing(compare.line)
        inside = lambda call: func is not None and func.line <= call.line <= func.end_line  # noqa: E731
        if func is None or not any(inside(c) for c in posts):
            continue
        # The compared value comes from a create when it names the variable a POST was assigned to.
        created = {a.name for a in facts.assigns for c in posts if inside(c) and a.line == c.line and a.name}
        others = not any(re.search(rf"\b{re.escape(name)}\b", compare.text) for name in created) and any(
            inside(b.call) for b in calls if b.method not in ("POST", "?"))
        yield ctx.finding("create_status", "ambiguous" if others else "bad",
                          "a Belvo create is judged by status 200, but creates answer 201" +
                          (" (the function also makes other calls)" if others else ""),
                          compare.line, compare.col, form="== 200 after POST")


@concept("json_on_204", "JSON parsing of a 204 answer", topics=("belvo",), code_only=True)
def match_json_204(ctx: SourceText):
    for belvo in cached_belvo_calls(ctx):
        if belvo.sdk is not None or belvo.method != "DELETE":
            continue
        call = belvo.call
        window = ctx.text_of_lines(call.line, call.end_line + 3)
        parse = PARSES_JSON.search(window)
        if parse:
            guarded = GUARDS_204.search(window)
            yield ctx.finding("json_on_204", "ambiguous" if guarded else "bad",
                              "the answer to a Belvo DELETE (204, no body) is parsed as JSON" +
                              (" behind a guard" if guarded else ""), call.line, call.col,
                              form=f"DELETE then {parse.group(0)}")


INSERT_SQL = re.compile(r"(?is)^\s*insert\s+(?:or\s+(?:ignore|replace)\s+)?into\b")
UPSERT_SQL = re.compile(r"(?i)on\s+conflict|on\s+duplicate\s+key|insert\s+or\s+(?:ignore|replace)|\bmerge\b")
UPSERT_CALLS = frozenset({"update_or_create", "get_or_create", "upsert", "find_or_create_by", "first_or_create",
                          "updateOrCreate", "firstOrCreate", "insertOrIgnore", "upsert_all", "findOrCreate",
                          "save_or_update", "merge", "bulkWrite", "replace_one", "updateOne"})
INSERT_CALLS = re.compile(r"(?:objects\.create|objects\.bulk_create|\.create!?|\.insert|\.insert_all|insertMany"
                          r"|\.insert_one|\.add|\.add_all|\.bulk_save_objects|\.bulk_insert_mappings|createMany)$")
BELVO_OBJECT = re.compile(r"(?i)transaction|account|owner|balance|link|belvo")
STORED_OBJECT = re.compile(r"(?i)transaction|account|owner|balance|\blinks?\b|belvo_?link")


@concept("object_store", "Belvo objects stored idempotently (upsert or unique Belvo id)", topics=("belvo",),
         code_only=True, skip_tests=True)
def match_object_store(ctx: SourceText):
    facts = ctx.facts
    for fact in facts.strings:
        if INSERT_SQL.match(fact.value) and BELVO_OBJECT.search(fact.value):
            if UPSERT_SQL.search(fact.value):
                yield ctx.finding("object_store", "ok", "Belvo objects are upserted", fact.line, fact.col,
                                  form="INSERT ... ON CONFLICT")
            else:
                yield ctx.finding("object_store", "ambiguous", "a plain INSERT of Belvo objects: a redelivered "
                                  "webhook or a re-sync duplicates rows unless a unique key on the Belvo id rejects "
                                  "them", fact.line, fact.col, form="plain INSERT")
    for call in facts.calls:
        if call.name in UPSERT_CALLS and BELVO_OBJECT.search(call.callee + call.args):
            yield ctx.finding("object_store", "ok", "Belvo objects are upserted", call.line, call.col,
                              form=f"{call.name}(...)")
        elif INSERT_CALLS.search(call.callee) and STORED_OBJECT.search(call.callee + call.args) and not re.search(
                r"ignore_conflicts\s*=\s*True|update_conflicts\s*=\s*True", call.args):
            if ".links." in f".{call.callee.lower()}." or ".transactions." in f".{call.callee.lower()}.":
                continue  # an SDK call (client.links.create), not a store
            yield ctx.finding("object_store", "ambiguous", "Belvo objects are inserted without an upsert: check "
                              "for a unique key on the Belvo id", call.line, call.col, form=f"{call.name}(...)")
