"""Request handling: pagination followed, the status code of a create, JSON parsing of a 204, idempotent storage.

Belvo's answers (201 on create, 204 without a body on delete, `next` on lists) are described in
docs/belvo-api.md, "Answers the code must expect".
"""

from __future__ import annotations

import re

from belvo_check.source.clients import BELVO_PATH, OWN_RECEIVERS, SDK_RESOURCES, SDKS, WRAPPER, cached_belvo_calls
from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.context import SourceText

READS_NEXT = re.compile(r"""['"]next['"]|\.next\b(?!\s*\()|\[:next\]|\bNext\b\s+\*?string|getNext\(|->next\b"""
                        r"""|\.Next\b(?!\s*\()""")
# A loop that can walk pages: while/until/do/loop, or Go's `for` (its only loop) with no range clause.
# Python and JS `for x in/of items` iterate one page's items, so they do not count.
LOOPS = re.compile(r"\bwhile\b|\buntil\b|\bloop\s+do\b|\bdo\s*\{|^\s*for\s*\{|^\s*for\s+[^\s({][^{]*(?:;|!=|==)[^{]*\{"
                   r"|^\s*for\s*\([^;)]*;[^;)]*;", re.I | re.M)
# A list path: the collection itself (its query string may follow), never `/api/links/` + an id.
LIST_PATH = re.compile(BELVO_PATH.pattern + r"""[a-z-]*/?(?:\?|['"`](?!\s*(?:\+|\.)\s*[\w$(])|$)""")
STATUS_200 = re.compile(r"""(?i)(?:status|code)\w*(?:\(\))?(?:\.to_i|\.intValue\(\)|\.value\(\))?\s*(?:===?|!==?)"""
                        r"""\s*['"]?200\b|\b200['"]?\s*(?:===?|!==?)\s*\w*(?:status|code)"""
                        r"""|StatusOK\b|HttpStatus\.OK\b|HttpStatusCode\.OK\b|status\(\)\.is\(200\)""")
# A status check that accepts 201 (or any 2xx) besides or instead of 200.
ACCEPTS_201 = re.compile(r"""\b201\b|HttpStatus\.CREATED|HttpStatusCode\.Created|StatusCreated|<\s*300\b|<=\s*299\b"""
                         r"""|\.ok\b|is2xxSuccessful|IsSuccessStatusCode|is_success|successful\(\)""")
POST_BUILT = re.compile(r"\.POST\(|HttpMethod\.Post\b|Method\.POST\b|\.post\(\s*(?:RequestBody|body|HttpRequest)")
SAVE_DATA_OFF = re.compile(r"""(?i)save_?data['"]?\s*(?:=|:|=>)\s*(?:False|false|0)\b|saveData\s*[:=]\s*false""")
# Parsers that throw on an empty body, and the two that quietly answer null (PHP json_decode without
# JSON_THROW_ON_ERROR, Laravel's $response->json()): the latter only earn a doubt.
PARSES_JSON = re.compile(r"\.json\(\)|JSON\.parse|json\.loads|json\.Unmarshal|json\.NewDecoder|readValue\("
                         r"|ReadFromJsonAsync|DeserializeObject|JsonSerializer\.Deserialize|\.readEntity\("
                         r"|json_decode|->json\(\)|\bbodyToMono\(|response\.parse")
AFTER_DELETE = 12  # lines after a DELETE where its answer is read
OWN_POST = re.compile(r"""^\(?\s*['"]POST['"]|HttpMethod\.(?:POST|Post)\b""")
OWN_DELETE = re.compile(r"""^\s*['"]DELETE['"]|HttpMethod\.DELETE|HttpMethod\.Delete|:delete\b""")
QUIET_ON_EMPTY = re.compile(r"json_decode\((?![^\n]*JSON_THROW_ON_ERROR)|->json\(\)")
SAYS_204 = re.compile(r"(?:==|!=|===|!==)\s*(?:204\b|HttpStatus(?:Code)?\.NO_?CONTENT|HttpStatusCode\.NoContent|http\.StatusNoContent)"
                      r"|\b204\s*(?:==|===)")
GUARDS_204 = re.compile(r"NoContent|no_content|\.content\b|content-length"
                        r"|\bis_empty|\.ok\b|\bstatus_code\s*(?:<|>=)|\.text\s*(?:==|!=|and|&&|\)|$)")


# The loop walks the pages when `next` feeds it (url = page["next"]) or ends it (if not page["next"]: break).
FEEDS_NEXT = re.compile(r"(?<![=!<>])=(?!=)[^=\n]*?(?:" + READS_NEXT.pattern + r")"
                        r"|\{[^}\n]*\bnext\b[^}\n]*\}\s*=(?!=)"
                        r"|(?:" + READS_NEXT.pattern + r")[^\n]*(?:\n[^\n]*)?\b(?:break|last)\b")


def _loops_on_next(body: str) -> bool:
    return bool(LOOPS.search(body) and FEEDS_NEXT.search(body))


def _sdk_lists(ctx: SourceText):
    """(call, Sdk) of each SDK list call: the SDK's own, and in JS/TS belvo-js's by its shape
    (`x.transactions.list({ filters: ... })`) where the client comes from another file."""
    seen = set()
    for belvo in cached_belvo_calls(ctx):
        if belvo.sdk is not None and belvo.call.name == "list":
            seen.add(id(belvo.call))
            yield belvo.call, belvo.sdk
    if ctx.language in SDKS["javascript"].languages:
        for call in ctx.facts.calls:
            if id(call) not in seen and call.name == "list" and SDK_RESOURCES.search("." + call.callee + ".") \
                    and ("filters" in call.keywords or "limit" in call.keywords):
                yield call, SDKS["javascript"]


@concept("pagination", "Belvo list calls that do not follow next", topics=("belvo",), code_only=True)
def match_pagination(ctx: SourceText):
    follows = bool(READS_NEXT.search(ctx.text))
    judged: set[int] = set()  # lines whose list call was judged: their path strings are not judged again
    for call, sdk in _sdk_lists(ctx):
        judged.add(call.line)
        if sdk.list_follows_next == "all":
            yield ctx.finding("pagination", "ok", f"{sdk.name} list() follows next to the end", call.line,
                              call.col, form=f"{sdk.name} list")
        elif sdk.list_follows_next == "up to limit":
            if "limit" in call.keywords or re.search(r"\blimit\b", call.args):
                yield ctx.finding("pagination", "ambiguous", "belvo-js list() stops at the limit it is given: "
                                  "longer lists are cut there", call.line, call.col, form="belvo-js list(limit)")
            else:
                yield ctx.finding("pagination", "bad", "belvo-js list() stops after 100 items by default: "
                                  "longer lists are silently cut", call.line, call.col,
                                  form="belvo-js list() default limit")
        else:
            yield ctx.finding("pagination", "ambiguous", f"{sdk.name} list() paging is not documented",
                              call.line, call.col, form=f"{sdk.name} list")
    for belvo in cached_belvo_calls(ctx):
        call = belvo.call
        if belvo.sdk is None and belvo.method in ("GET", "?") and not BELVO_PATH.search(belvo.url):
            # where it goes is built elsewhere: said by the conclusion if no list call is judged at all
            ctx.signals.add(("unread_get", ctx.finding(
                "pagination", "ambiguous", "cannot tell whether this Belvo call fetches a list: its path is "
                "built elsewhere, so whether it follows `next` is unread", call.line, call.col,
                form="Belvo call with an unread path")))
        if belvo.sdk is None and belvo.method == "GET" and LIST_PATH.search(belvo.url):
            func = ctx.facts.enclosing(call.line)
            body = ctx.text_of_lines(func.line, func.end_line) if func else ""
            if _loops_on_next(body) and not LIST_PATH.search(call.args) and any(
                    func.line <= f.line <= func.end_line and LIST_PATH.search(f.value) for f in ctx.facts.strings):
                continue  # a URL variable walked in a loop: shown below, at the list path it starts from
            judged.add(call.line)
            if _loops_on_next(body):
                yield ctx.finding("pagination", "ok", "this function loops on `next` over the list answers",
                                  call.line, call.col, form="raw GET list in a loop on next")
            elif READS_NEXT.search(body):
                yield ctx.finding("pagination", "ambiguous", "this function reads `next`, but no loop that "
                                  "`next` feeds is visible", call.line, call.col, form="next read without a loop")
            elif follows:
                yield ctx.finding("pagination", "ambiguous", "the file reads `next`, but not where this list is "
                                  "fetched", call.line, call.col, form="next read elsewhere")
            else:
                yield ctx.finding("pagination", "bad", "a Belvo list is fetched but `next` is never read: only the "
                                  "first page arrives", call.line, call.col, form="raw GET list without next")
    # The usual pagination loop fetches a variable (`url = page["next"]`), so its call does not name
    # Belvo: the list path it starts from, inside the loop's function, is where it shows.
    for fact in ctx.facts.strings:
        if fact.line in judged or not LIST_PATH.search(fact.value):
            continue
        func = ctx.facts.enclosing(fact.line)
        if func is not None and _loops_on_next(ctx.text_of_lines(func.line, func.end_line)):
            judged.add(fact.line)
            yield ctx.finding("pagination", "ok", "this Belvo list is walked in a loop on `next`", fact.line,
                              fact.col, form="list path in a loop on next")


@conclusion("pagination")
def conclude_pagination(findings, tree):
    """A tree whose Belvo calls go through paths the code does not spell names those calls, rather than
    saying it shows nothing about pagination."""
    if not findings:
        unread = sorted((s[1] for s in tree.signals if isinstance(s, tuple) and s[0] == "unread_get"),
                        key=lambda f: (f.path, f.line or 0))
        yield from unread


@concept("create_status", "Creates judged by == 200 (Belvo answers 201)", topics=("belvo",), code_only=True)
def match_create_status(ctx: SourceText):
    facts = ctx.facts
    belvo = cached_belvo_calls(ctx)
    for sdk_call in (b for b in belvo if b.sdk is not None and b.method == "POST"
                     and not re.search(r"(?i)widget_?token", b.call.callee)):
        yield ctx.finding("create_status", "ok", f"{sdk_call.sdk.name} takes every 2xx of a create as success",
                          sdk_call.call.line, sdk_call.call.col, form=f"{sdk_call.sdk.name} create")
    calls = [b for b in belvo if b.sdk is None]
    # The widget token request (POST /api/token/) answers 200, unlike creates (201).
    posts = [b.call for b in calls if b.method == "POST" and "/api/token" not in b.url]
    # A create sent through a function of the app this file does not show (c.do("POST", base + "/api/links/")).
    known = {id(b.call) for b in belvo}
    for call in facts.calls:
        if id(call) not in known and OWN_POST.search(call.args) and BELVO_PATH.search(call.args) \
                and "/api/token" not in call.args:
            yield ctx.finding("create_status", "ambiguous", f"a Belvo create is sent through {call.callee}(), "
                              "whose status handling this code does not show", call.line, call.col,
                              form="create through the app's own function")
    built = (_built_post(ctx, f) for f in facts.strings if BELVO_PATH.search(f.value) and "/api/token" not in f.value)
    posts += [call for call in built if call is not None]
    if not posts:
        return
    judged = set()  # the functions whose compare was judged
    for compare in facts.compares:
        if not STATUS_200.search(compare.text):
            continue
        func = facts.enclosing(compare.line)
        inside = lambda call: func is not None and func.line <= call.line <= func.end_line  # noqa: E731
        if func is None or not any(inside(c) for c in posts):
            continue
        judged.add(func.line)
        if ACCEPTS_201.search(ctx.text_of_lines(func.line, func.end_line)):
            continue  # `status === 201 || status === 200`, `in (200, 201)`: 201 is accepted too
        # The compared value comes from a create when it names the variable a POST was assigned to.
        created = {a.name for a in facts.assigns for c in posts if inside(c) and a.line == c.line and a.name}
        others = not any(re.search(rf"\b{re.escape(name)}\b", compare.text) for name in created) and any(
            inside(b.call) for b in calls if b.method not in ("POST", "?"))
        # A retrieval with save_data off answers 200, so then 200 may be right.
        unsaved = bool(SAVE_DATA_OFF.search(ctx.text_of_lines(func.line, func.end_line)))
        why = " (the function also makes other calls)" if others else \
            " (with save_data off a retrieval answers 200)" if unsaved else ""
        yield ctx.finding("create_status", "ambiguous" if others or unsaved else "bad",
                          "a Belvo create is judged by status 200, but creates answer 201" + why,
                          compare.line, compare.col, form="== 200 after POST")
    # Every other create is judged too: nothing in its function rejects a 201.
    for call in posts:
        func = facts.enclosing(call.line)
        if func is None or func.line not in judged:
            yield ctx.finding("create_status", "ok", "nothing here rejects this create's 201: no status is "
                              "compared with 200 alone", call.line, call.col, form="create without == 200")


def _built_post(ctx: SourceText, fact):
    """A POST built as a request object around this Belvo path (HttpRequest.newBuilder(...).POST(...),
    new HttpRequestMessage(HttpMethod.Post, ...)), as a pseudo-call at the string, or None."""
    from belvo_check.source.facts import Call

    if POST_BUILT.search(ctx.text_of_lines(fact.line, fact.line + 2)):
        return Call("request", "request", fact.value, fact.line, fact.col, fact.line)
    return None


def _definition(ctx: SourceText, name: str):
    """The function a file defines under `name` (def, function, func, or a method header), or None."""
    header = re.compile(rf"(?:\bdef|\bfunction|\bfunc(?:\s*\([^)]*\))?)\s+{re.escape(name)}\b"
                        rf"|^\s*(?:[\w<>\[\],?]+\s+)+{re.escape(name)}\s*\([^;]*$"
                        rf"|^\s*(?:async\s+)?{re.escape(name)}\s*\([^;]*\)\s*(?::\s*[\w<>\[\]|, ]+)?\s*\{{")
    for number in ctx.lines_with(name.lower()):
        if header.search(ctx.line(number)):
            return next((f for f in ctx.facts.funcs if f.line == number), None)
    return None


def _deletes(ctx: SourceText):
    """(call, wrapper name or "") of each raw Belvo DELETE, including those made through the app's own
    request method (self._request("DELETE", "/api/links/...")), whatever that method is called."""
    seen = set()
    for belvo in cached_belvo_calls(ctx):
        if belvo.sdk is None and belvo.method == "DELETE":
            seen.add(id(belvo.call))
            yield belvo.call, belvo.call.name if belvo.via == WRAPPER else ""
    for call in ctx.facts.calls:
        if id(call) not in seen and call.receiver in OWN_RECEIVERS and OWN_DELETE.search(call.args) \
                and BELVO_PATH.search(call.args):
            yield call, call.name


@concept("json_on_204", "JSON parsing of a 204 answer", topics=("belvo",), code_only=True)
def match_json_204(ctx: SourceText):
    for call, wrapper_name in _deletes(ctx):
        # What follows the call in its function (Go checks err first), up to the next Belvo call
        func = ctx.facts.enclosing(call.line)
        ends = [call.end_line + AFTER_DELETE, *([func.end_line] if func else []),
                *(b.call.line - 1 for b in cached_belvo_calls(ctx) if b.call.line > call.end_line)]
        window = ctx.text_of_lines(call.line, max(min(ends), call.end_line))
        where = ""
        wrapper = _definition(ctx, wrapper_name) if wrapper_name else None
        if wrapper is not None:  # the wrapper is what parses, for every method alike
            window = ctx.text_of_lines(wrapper.line, wrapper.end_line)
            where = f" by the app's {wrapper_name}(), which parses every answer"
        parse = PARSES_JSON.search(window)
        if not parse:
            yield ctx.finding("json_on_204", "ok", "the answer to this Belvo DELETE is not parsed as JSON"
                              + (f" (the app's {wrapper_name}() parses nothing either)" if wrapper else ""),
                              call.line, call.col, form="DELETE without a JSON parse")
            continue
        if SAYS_204.search(window):
            continue  # the 204 is told apart before parsing: handled
        guarded = GUARDS_204.search(window)
        quiet = QUIET_ON_EMPTY.search(window)
        verdict = "ambiguous" if guarded or quiet else "bad"
        yield ctx.finding("json_on_204", verdict, "the answer to a Belvo DELETE (204, no body) is parsed as JSON"
                          + where + (" behind a guard" if guarded else " (this parser answers null on an empty body)"
                                     if quiet else ""), call.line, call.col, form=f"DELETE then {parse.group(0)}")


# SQL: an upsert keyed on a column names it (ON CONFLICT (belvo_id)); the untargeted forms only
# work if some unique key exists, which the statement does not show.
INSERT_SQL = re.compile(r"(?is)^\s*(?:insert|replace|merge)\s+(?:or\s+(?:ignore|replace)\s+)?into\b")
KEYED_UPSERT_SQL = re.compile(r"(?is)on\s+conflict\s*\(([^)]*)\)|on\s+conflict\s+on\s+constraint\s+(\w+)"
                              r"|\bmerge\s+into\b.*\bon\b\s*\(?([^)]*)")
UNKEYED_UPSERT_SQL = re.compile(r"(?is)on\s+conflict\b|on\s+duplicate\s+key|^\s*insert\s+or\s+(?:ignore|replace)"
                                r"|^\s*replace\s+into")
UPSERT_CALLS = frozenset({"update_or_create", "get_or_create", "upsert", "find_or_create_by", "first_or_create",
                          "updateOrCreate", "firstOrCreate", "insertOrIgnore", "upsert_all", "findOrCreate",
                          "save_or_update", "merge", "create_or_find_by",
                          "on_conflict_do_update", "on_conflict_do_nothing", "updateOrInsert", "upsertAll",
                          "UpsertAsync", "BulkMerge", "insert_or_update"})
# ORM and driver inserts, per language: Django/SQLAlchemy, ActiveRecord, Laravel, Sequelize/Prisma/TypeORM/
# Mongo, GORM, JPA repositories (save() inserts unless the @Id is the Belvo id), Entity Framework.
INSERT_CALLS = re.compile(r"(?:objects\.create|objects\.bulk_create|\.create!?|\.Create|\.insert|\.insert_all"
                          r"|insertMany|insertOne|\.insert_one|\.insert_many|\.bulk_save_objects"
                          r"|\.bulk_insert_mappings|createMany|bulkCreate|\.save|\.saveAll|\.persist|\.Save"
                          r"|\.(?:add|Add|add_all|AddRange|AddAsync|AddRangeAsync|CreateInBatches|Insert))$")
# .add() is an insert only on an ORM session or an Entity Framework DbSet, not on a set or a list.
ADD_RECEIVER = re.compile(r"(?i)(?:^|\.)_?(?:session|db|context|ctx|em)$|\.(?:transactions|accounts|owners|balances|links)$")
DECLARES_CONFLICT = re.compile(r"ignore_conflicts\s*=\s*True|update_conflicts\s*=\s*True|updateOnDuplicate"
                               r"|ignoreDuplicates|OnConflict|on_duplicate|ON CONFLICT|upsert\s*:\s*true")
# Mongo writes that insert only with upsert: true (otherwise they update what exists, or nothing).
MONGO_WRITES = frozenset({"updateOne", "update_one", "replaceOne", "replace_one", "bulkWrite", "bulk_write"})
BELVO_OBJECT = re.compile(r"(?i)transaction|account|owner|balance|link|belvo")
STORED_OBJECT = re.compile(r"(?i)transaction|account|owner|balance|\blinks?\b|belvo_?link")
# Database transactions (db.transaction(), session.begin()) are no store of Belvo transactions.
STATEMENT = re.compile(r"(?i)^(?:transaction|begin|commit|rollback|atomic|BeginTransaction(?:Async)?)$")
# save()/persist() with an argument is a repository or entity manager storing it; obj.save() may be an update.
SAVES = frozenset({"save", "Save", "saveAll", "persist"})


@concept("object_store", "Belvo objects stored idempotently (upsert or unique Belvo id)", topics=("belvo",),
         code_only=True, skip_tests=True)
def match_object_store(ctx: SourceText):
    facts = ctx.facts
    for fact in facts.strings:
        if not (INSERT_SQL.match(fact.value) and BELVO_OBJECT.search(fact.value)):
            continue
        keyed = KEYED_UPSERT_SQL.search(fact.value)
        key = next((g for g in keyed.groups() if g), "") if keyed else ""
        if keyed and re.search(r"(?i)id\b|_id|belvo", key):
            yield ctx.finding("object_store", "ok", f"Belvo objects are upserted on {key.strip()}", fact.line,
                              fact.col, form="INSERT ... ON CONFLICT (id)")
        elif keyed or UNKEYED_UPSERT_SQL.search(fact.value):
            yield ctx.finding("object_store", "ambiguous", "an upsert that names no Belvo id: it de-duplicates only "
                              "if a unique key on the Belvo id exists", fact.line, fact.col, form="unkeyed upsert")
        else:
            yield ctx.finding("object_store", "ambiguous", "a plain INSERT of Belvo objects: a redelivered "
                              "webhook or a re-sync duplicates rows unless a unique key on the Belvo id rejects "
                              "them", fact.line, fact.col, form="plain INSERT")
    sdk_calls = {id(b.call) for b in cached_belvo_calls(ctx) if b.sdk is not None}
    for call in facts.calls:
        if id(call) in sdk_calls or STATEMENT.match(call.name) or (call.name in SAVES and not call.args.strip()) \
                or BELVO_PATH.search(call.args):
            continue  # a Belvo call or URL (client.links.create, URI.create(".../api/links/")), or db.transaction()
        what = call.callee + call.args
        upserts = call.name in UPSERT_CALLS or "OnConflict" in call.callee or (
            call.name in MONGO_WRITES and re.search(r"(?i)upsert['\"]?\s*[:=]>?\s*true", call.args))
        if upserts and BELVO_OBJECT.search(what):
            yield ctx.finding("object_store", "ok", "Belvo objects are upserted", call.line, call.col,
                              form=f"{call.name}(...)")
        elif INSERT_CALLS.search(call.callee) and STORED_OBJECT.search(what) and not DECLARES_CONFLICT.search(what):
            if call.name.lower() in ("add", "addasync") and not ADD_RECEIVER.search(call.receiver):
                continue
            yield ctx.finding("object_store", "ambiguous", "Belvo objects are inserted without an upsert: check "
                              "for a unique key on the Belvo id", call.line, call.col, form=f"{call.name}(...)")
