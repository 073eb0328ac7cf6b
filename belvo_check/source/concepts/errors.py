"""Error handling: the request_id (or the whole error body) reaching a log; belvo-python POST results
never inspected (it returns Belvo's error body as data unless raise_exception=True)."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from belvo_check.source.clients import (
    ANY_ERROR,
    CLIENT_BY_NAME,
    RAISED,
    REQUEST_METHODS,
    WRAPPER,
    cached_belvo_calls,
    without_literals,
)
from belvo_check.source.concepts import concept, conclusion
from belvo_check.source.concepts.timeouts import answer_call, client_behind
from belvo_check.source.context import COMMENT_OR_IMPORT, SourceText

LOGGER = re.compile(r"(?i)(?:^|\.)(?:_?logger|_?log|logging|console|slog|logrus|zap|sugar|sentry\w*|rails\.logger"
                    r"|capture_?exception|capture_?message|errorlog|monolog)(?:\.|$)|^(?:print|println|printf|puts|pp"
                    r"|warn|error_log|fmt\.(?:Print|Fprint|Eprint)\w*|log\.\w+|Log\.\w+|System\.(?:out|err)\.print\w*"
                    r"|Console\.Write\w*|_?logger\.\w+|report|captureException)$")
REQUEST_ID = re.compile(r"(?i)request[_-]?id")
# Belvo's whole error body: an error's or an answer's body, never a request's (`req.body` in a webhook route).
ERROR_BODY = re.compile(r"\.detail\b|response\.data\b|err\.response|\.response\.text|\.response\.body|\bresp\.text\b"
                        r"|response\.text\b|errorBody|getResponseBodyAsString|ReadAsStringAsync|getBody\(\)"
                        r"|\b(?:r|res|resp|response|answer|result)\s*\.\s*(?:text|content|data)\b(?!\s*\()"
                        r"|\b(?:e|ex|err|error|exc|exception|response|resp|res|answer|result)\s*(?:\.|->)\s*body\b"
                        r"|\[:body\]|\[['\"]body['\"]\]")
# An answer's body read into a variable: raw, _ := io.ReadAll(resp.Body); body = resp.json(); text = await res.text().
BODY_READ = re.compile(r"ReadAll\([^)]*\bBody\b|\b(?:resp|res|response|r|answer|result)\s*\.\s*(?:json|text)\b"
                       r"|ReadAsStringAsync|body\(\)\.string\(\)|getBody\(\)")
EXCEPTION = re.compile(r"(?i)^\s*(?:e|err|error|exc|ex|exception)\s*$")


def _note_belvo_calls(ctx: SourceText) -> None:
    """Signal `belvo_calls`: the tree calls Belvo, so finding no request_id log or 429 handling is worth a warning."""
    if cached_belvo_calls(ctx):
        ctx.signals.add("belvo_calls")


@concept("request_id_logged", "request_id (or the whole error body) reaching a log", topics=("belvo",),
         code_only=True, skip_tests=True, docs="""
         Log calls (logging, console, slog, log4j, Rails.logger, Monolog, ILogger, print...) whose
         arguments name the `request_id` (or a variable assigned from it), or Belvo's whole error body
         (`error.response.text`, `err.response?.data`, `err.detail`, `getResponseBodyAsString()`...), and
         errors raised with that body (`throw new Error(JSON.stringify(body))`, `raise X(resp.text)`), which
         keep it for the caller to log. A `request_id` field that
         is only declared, never logged, does not count. A failure branch on a raw Belvo answer that
         raises or returns an error built from the status alone, never reading the body, fails: no caller
         can log a `request_id` that was thrown away. Code that calls Belvo with no such log call is a
         warning.""")
def match_request_id(ctx: SourceText):
    facts = ctx.facts
    _note_belvo_calls(ctx)
    holders = {a.name for a in facts.assigns if REQUEST_ID.search(a.value)}
    # The variables holding a Belvo answer (belvoRes = await fetch(...)): what is read from them is its body.
    answers = {a.name for b in cached_belvo_calls(ctx) for a in facts.assigns if a.line == b.call.line and a.name}
    answer_read = re.compile(r"(?<![\w$.])(?:" + "|".join(map(re.escape, sorted(answers))) +
                             r")\s*(?:\.|->)\s*(?:json|text|body|data|content)\b") if answers else None
    bodies = {name for a in facts.assigns if BODY_READ.search(a.value) or ERROR_BODY.search(a.value)
              or answer_read and answer_read.search(a.value)
              for name in (re.findall(r"\b(?!_\b|err\b)\w+", a.target) if "," in a.target else [a.name]) if name}
    body_re = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(bodies))) + r")\b") if bodies else None
    holder_re = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(holders))) + r")\b") if holders else None
    for call in facts.calls:
        if not LOGGER.search(call.callee):
            continue
        args = call.args.replace("?.", ".").replace("!.", ".")  # err.response?.data is err.response.data
        if REQUEST_ID.search(args) or (holder_re and holder_re.search(args)):
            yield ctx.finding("request_id_logged", "ok", "the request_id is logged", call.line, call.col,
                              form="request_id in log call")
        elif ERROR_BODY.search(args) or body_re and body_re.search(args):
            yield ctx.finding("request_id_logged", "ok", "Belvo's error body (which holds the request_id) is logged",
                              call.line, call.col, form="error body in log call")
        elif cached_belvo_calls(ctx) and any(EXCEPTION.match(part) for part in re.split(r"[,()]", args)):
            yield ctx.finding("request_id_logged", "ambiguous", "an error object is logged: whether its text carries "
                              "Belvo's request_id depends on the client", call.line, call.col,
                              form="exception object in log call")


    yield from _rethrown_bodies(ctx, body_re)
    yield from _dropped_bodies(ctx)
    yield from _errors_read_as_data(ctx)


RETHROWS = re.compile(r"\b(?:throw|raise)\b(?P<rest>.*)")
STATUS_ONLY = re.compile(r"[\w$]+\s*(?:\.|->)\s*(?:status\w*|StatusCode|getStatusCode|code)\b(?:\(\))?")


def _rethrown_bodies(ctx: SourceText, body_re):
    """A failure branch that raises an error carrying Belvo's whole error body (`throw new
    Error(JSON.stringify(body))`, `raise BelvoError(resp.text)`) keeps the request_id for the caller to log."""
    if not cached_belvo_calls(ctx):
        return
    for number in ctx.lines_with("throw", "raise"):
        found = RETHROWS.search(ctx.line(number))
        # the code of what is raised, with the names its literals interpolate (f"{resp.text}") but not their words
        rest = STATUS_ONLY.sub("", without_literals(found.group("rest").replace("?.", "."))) if found else ""
        if rest and (ERROR_BODY.search(rest) or body_re and body_re.search(rest)) and not rest.lstrip().startswith(
                ("err;", "error;", "e;", "e\n")):
            yield ctx.finding("request_id_logged", "ok", "Belvo's error body (which holds the request_id) goes "
                              "into the error raised here, for the caller to log", number, found.start() + 1,
                              form="error body rethrown")


BRACES = frozenset({"go", "javascript", "typescript", "tsx", "java", "csharp", "php"})
STATUS_READ = r"\s*(?:\.|->)\s*(?:StatusCode|status_code|statusCode|status|ok|getStatusCode\(\)|IsSuccessStatusCode" \
              r"|successful\(\)|failed\(\)|is2xxSuccessful\(\))"
# What a failure branch may do with the answer without reading its body: read its status, close it.
NOT_BODY = r"\s*(?:\.|->)\s*(?:StatusCode|status_code|statusCode|status|ok|getStatusCode\(\)|IsSuccessStatusCode" \
           r"|successful\(\)|failed\(\)|is2xxSuccessful\(\)|Body\.Close\(\)|close\(\)|Dispose\(\))"
# The branch ends the call in failure with an error of its own making.
LINE_COMMENT = re.compile(r"(?m)\s(?://|#)\s.*$")
FAILS_HERE = re.compile(r"\bthrow\b|\braise\b|\breturn\b[^\n]*(?:Error|Exception|errors\.New|fmt\.Errorf)")


def _branch(ctx: SourceText, line: int) -> str | None:
    """The text of the block an `if` on this line guards (brace languages and Python), or None."""
    text = LINE_COMMENT.sub("", ctx.text_of_lines(line, min(line + 40, len(ctx.lines))))
    start = re.search(r"\bif\b", text)
    if start is None:
        return None
    if ctx.language == "python":
        own = len(text) - len(text.lstrip())
        head, _, rest = text.partition("\n")
        if not head.rstrip().endswith(":"):
            return head.partition(":")[2]
        body = []
        for following in rest.split("\n"):
            if following.strip() and len(following) - len(following.lstrip()) <= own:
                break
            body.append(following)
        return "\n".join(body)
    depth = 0
    for index in range(start.end(), len(text)):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth == 0 and ctx.language != "go" and text[index + 1:].partition("\n")[0].strip() not in ("", "{"):
                return text[index + 1:].partition("\n")[0]  # `if (!res.ok) throw new Error(...)`
        elif char == "{" and depth == 0:
            inner = 0
            for end in range(index, len(text)):
                inner += {"{": 1, "}": -1}.get(text[end], 0)
                if inner == 0:
                    return text[index + 1:end]
            return None
    return None


def _dropped_bodies(ctx: SourceText):
    """Failure branches on a Belvo answer that build their own error from its status alone: the body, and
    with it the request_id, is dropped there, so no caller can log it."""
    if ctx.language != "python" and ctx.language not in BRACES:
        return
    seen = set()
    for belvo in cached_belvo_calls(ctx):
        if belvo.sdk is not None:
            continue
        client = CLIENT_BY_NAME.get(belvo.via) or client_behind(ctx, belvo).client
        if client is not None and client.raises:
            continue  # error answers raise before any status branch: what the branch sees is no error answer
        answer = answer_call(ctx, belvo)
        func = ctx.facts.enclosing(answer.line)
        if func is None:
            continue
        names = {name for a in ctx.facts.assigns if a.line == answer.line
                 for name in (re.findall(r"\b(?!_\b|err\b)\w+", a.target) if "," in a.target else [a.name]) if name}
        for name in names:
            checks = re.compile(rf"^\s*(?:}}\s*else\s+)?if\b.*(?<![\w$]){re.escape(name)}{STATUS_READ}")
            other = re.compile(rf"(?<![\w$.]){re.escape(name)}\b(?!{NOT_BODY})")
            # the body read into a variable: const body = await belvoRes.json()
            reads = re.compile(rf"(?<![\w$.]){re.escape(name)}\s*(?:\.|->)\s*(?:json|text|body|Body|data|content"
                               rf"|getBody|readEntity|Content)\b(?!\s*\.\s*Close\b)")
            for number in range(answer.end_line + 1, func.end_line + 1):
                if number in seen or not checks.search(ctx.line(number)):
                    continue
                before = ctx.text_of_lines(answer.end_line + 1, number - 1)
                if BODY_READ.search(before) or ERROR_BODY.search(before) or reads.search(before):
                    break  # the body was read before the check: it may be logged or kept
                branch = _branch(ctx, number)
                if branch is None or not FAILS_HERE.search(branch) or other.search(branch) \
                        or REQUEST_ID.search(branch) or ERROR_BODY.search(branch) or BODY_READ.search(branch):
                    continue
                seen.add(number)
                col = ctx.line(number).find(name) + 1
                yield ctx.finding("request_id_logged", "bad", "this failure branch builds its error from the status "
                                  "alone and drops Belvo's answer: its body, with the request_id, is lost, so no "
                                  "caller can log it", number, col, form="error body dropped on failure")


@conclusion("request_id_logged")
def conclude_request_id(findings, tree):
    if "belvo_calls" in tree.signals and not any(f.verdict == "ok" for f in findings):
        yield tree.finding("request_id_logged", "ambiguous", "Belvo is called, but no log call in the code names "
                           "the request_id or Belvo's error body", form="no request_id log found")


def _sdk_post(belvo) -> bool:
    return belvo.sdk is not None and belvo.sdk.name == "belvo-python" and belvo.method == "POST"


def _raise_exception(call) -> str | None:
    """"True"/"False" when raise_exception is a literal, "?" when it is an expression, None when absent."""
    value = call.keywords.get("raise_exception")
    if value is None:
        return "?" if "**" in call.keywords else None
    return value.strip() if value.strip() in ("True", "False") else "?"


# Code that tells belvo-python's error list from a created object: isinstance(x, list), x[0]["code"]...
INSPECTS = r"(?:isinstance\(\s*{name}\s*,\s*(?:list|dict)|type\(\s*{name}\s*\)|{name}\s*\[\s*0\s*\]|not\s+{name}\s*\.get\(\s*['\"]id" \
           r"|['\"](?:request_id|code)['\"]\s+(?:not\s+)?in\s+{name}\b)"

# Code that reads the result as the object it asked for: link["id"], accounts.get(...), for acc in accounts.
USED = r"(?:\b{name}\s*\[\s*['\"]|\b{name}\s*\.\s*get\(|\bfor\s+[\w, ]+\s+in\s+{name}\b)"


def _sdk_post_results(ctx: SourceText):
    """(call, verdict, message, form) for each belvo-python POST: what the code does with a result that is
    Belvo's error list whenever raise_exception=True is not given."""
    if ctx.language != "python":
        return
    for belvo in cached_belvo_calls(ctx):
        call = belvo.call
        if not _sdk_post(belvo):
            continue
        raising = _raise_exception(call)
        if raising == "True":
            yield call, "ok", "raise_exception=True: errors raise", "raise_exception=True"
            continue
        if raising == "?":
            yield call, "ambiguous", "raise_exception is not a literal True: whether errors raise is decided at " \
                "run time", "raise_exception computed"
            continue
        line = ctx.line(call.line)
        held = re.match(r"\s*([\w.\[\]'\"]+)\s*=(?!=)", line)
        assigned = held or re.match(r"\s*return\b", line)
        func = ctx.facts.enclosing(call.line)
        after = ctx.text_of_lines(call.end_line + 1, func.end_line if func else len(ctx.lines))
        if held and re.search(INSPECTS.format(name=re.escape(held.group(1))), after):
            yield call, "ok", "the result is checked for Belvo's error list", "result inspected"
        elif held and re.search(USED.format(name=re.escape(held.group(1))), after):
            yield call, "bad", "the result is used as the created object without a check: belvo-python returns " \
                "Belvo's error list as data unless raise_exception=True, so an error is read as the object and its " \
                "request_id is lost", "belvo-python POST result used unchecked"
        elif not assigned:
            yield call, "bad", "the result is dropped: belvo-python returns Belvo's error body as data unless " \
                "raise_exception=True, so errors pass as success", "belvo-python POST result dropped"
        else:
            yield call, "ambiguous", "without raise_exception=True an error comes back as data: check that the " \
                "result is inspected", "belvo-python POST without raise_exception"


@concept("unchecked_post", "belvo-python POST results never inspected", topics=("belvo",), code_only=True,
         skip_tests=True)
def match_unchecked_post(ctx: SourceText):
    for call, verdict, message, form in _sdk_post_results(ctx):
        yield ctx.finding("unchecked_post", verdict, message, call.line, call.col, form=form)


def _errors_read_as_data(ctx: SourceText):
    """belvo-python POSTs whose error list the code uses or drops as success: that error never reaches a
    log or an except, so a log elsewhere does not log its request_id."""
    for call, verdict, _, form in _sdk_post_results(ctx):
        if verdict == "bad":
            yield ctx.finding("request_id_logged", "bad", "belvo-python returns Belvo's error list as data here "
                              "(no raise_exception=True) and the code reads it as success: that error's request_id "
                              "never reaches a log", call.line, call.col, form=form)


STATUS_CHECK = re.compile(r"raise_for_status|status_code|\.status\b|\.ok\b|StatusCode|getStatusCode|is_success"
                          r"|successful\(\)|failed\(\)|IsSuccessStatusCode|EnsureSuccessStatusCode|HTTPError"
                          r"|is2xxSuccessful|isError|onStatus|\.code\b|(?:\.|->)throw\(\)|validateStatus|statusCode\(\)"
                          r"|\.success\?|\.ok\?|HTTPSuccess|isSuccessful\(\)")
HANDLER = re.compile(r"\btry\s*[:{]|\bexcept\b|\bcatch\b|\brescue\b|\.catch\(|if\s+err\s*!=\s*nil")


# A function's name on its first line: def/function/func/fun (Go receivers, Ruby self.), an arrow function's
# constant, or a method's name before its parameters (Java, C#).
DEFINED = re.compile(r"\b(?:def|function|func|fun)\s+(?:\([^)]*\)\s*)?(?:self\.)?(\w+)"
                     r"|\b(\w+)\s*=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|\w+\s*=>)"
                     r"|\b(?!(?:if|for|while|switch|catch|return|new)\b)(\w+)\s*\(")
FAILS = re.compile(r"\braise\b|\bthrow\b|\bpanic\(|\babort!?\(|errors\.New\(|fmt\.Errorf\(|raise_for_status"
                   r"|EnsureSuccessStatusCode")


def status_helpers(ctx: SourceText) -> frozenset[str]:
    """The functions of this file that check an answer's status and raise (or return an error) on a bad one:
    `_check(resp)` after a request is as good as a check written inline."""
    if "_status_helpers" not in ctx.__dict__:
        found = set()
        for func in ctx.facts.funcs:
            named = DEFINED.search(ctx.line(func.line))
            body = ctx.text_of_lines(func.line + 1, func.end_line)
            if named and STATUS_CHECK.search(body) and FAILS.search(body):
                found.add(next(g for g in named.groups() if g))
        ctx.__dict__["_status_helpers"] = frozenset(found)
    return ctx.__dict__["_status_helpers"]


def _given_to_helper(ctx: SourceText, call, body: str) -> bool:
    """The answer goes to a status-checking helper of this file: `_check(session.get(...))`, or
    `resp = session.get(...)` then `_check(resp)`."""
    helpers = status_helpers(ctx)
    if not helpers:
        return False
    helper = "(?:" + "|".join(map(re.escape, sorted(helpers))) + r")\s*\(\s*(?:await\s+)?"
    if re.search(rf"\b{helper}$", ctx.line(call.line)[:call.col - 1]):
        return True
    names = {name for a in ctx.facts.assigns if a.line == call.line
             for name in (re.findall(r"\b(?!_\b|err\b)\w+", a.target) if "," in a.target else [a.name]) if name}
    return any(re.search(rf"\b{helper}{re.escape(name)}\b", body) for name in names)


def _status_checked(ctx: SourceText, call, body: str, alone: bool) -> bool:
    """The answer of this call has its status checked: chained on the call, by a status-checking helper of
    this file it is given to, on the variable it was assigned to, or anywhere in a function that makes no
    other Belvo call."""
    line = ctx.line(call.end_line)
    if re.search(r"raise_for_status|EnsureSuccessStatusCode|(?:\.|->)throw\(\)", line) or _given_to_helper(ctx, call, body):
        return True
    if alone:
        return bool(STATUS_CHECK.search(body))
    names = {a.name for a in ctx.facts.assigns if a.line == call.line and a.name}
    return any(re.search(rf"\b{re.escape(name)}\s*(?:\.|->|\[)\s*\W?(?:status|ok|code|failed|successful|"
                         rf"success\?|IsSuccess|getStatus|isSuccessful)", body, re.I) for name in names)


def _returned(ctx: SourceText, call) -> bool:
    """The call's result goes straight back to the caller (explicitly, or as Ruby's last expression)."""
    if ctx.line(call.line).lstrip().startswith("return"):
        return True
    if ctx.language == "ruby":
        following = next((line.strip() for line in ctx.lines[call.end_line:] if line.strip()), "")
        return following in ("end", "rescue") or following.startswith("rescue ")
    return False


# A catch clause and what it names: `catch (A | B e)`, C#'s bare `catch`, `.catch(...)`, Python
# `except (A, B) as e:` and bare `except:`, Ruby `rescue A, B => e` and bare `rescue`.
CATCH = re.compile(r"\bcatch\b\s*(?:\((?P<c>[^)]*)\))?|\bexcept\b(?P<p>[^:\n]*):|\brescue\b(?!_)(?P<r>[^\n]*)"
                   r"|\.catch\s*\(|\bon_error\b")
TRY = re.compile(r"\btry\b\s*[:{(]?")
RUBY_TRY = re.compile(r"\bbegin\b|\bdef\b")  # a Ruby method body rescues like a begin block
TYPE_NAME = re.compile(r"[A-Za-z_\\][\w:.\\]*")


def caught(clause: re.Match, language: str) -> tuple[str, ...] | None:
    """The exception types a catch clause names (without namespaces); None when it catches everything."""
    text = clause.group("c") if clause.group("c") is not None else clause.group("p") \
        if clause.group("p") is not None else clause.group("r")
    if text is None:
        return None  # .catch(...), C# `catch {`
    text = text.split("=>")[0].split(" as ")[0].replace("(", " ").replace(")", " ")
    if clause.group("r") is not None:
        text = text.split(" then")[0]
    names = []
    for part in re.split(r"[|,]", text):
        words = TYPE_NAME.findall(part)
        if language in ("javascript", "typescript", "tsx") or not words:
            continue  # JS catches are untyped (`err: unknown` is a type annotation of the variable)
        if language in ("java", "csharp", "php", "kotlin") and len(words) > 1:
            words = words[:-1]  # the variable: `HttpClientErrorException e`, `RequestException $e`
        names.append(re.split(r"[.:\\]+", words[-1].strip(":\\"))[-1])
    return tuple(names) or None


def covers(types: tuple[str, ...] | None, raised: tuple[str, ...]) -> bool:
    """A catch of these types handles what the client raises: untyped, a root type, or one it raises."""
    if types is None:
        return True
    short = {name.split("::")[-1] for name in raised}
    return any(t in ANY_ERROR or t in short or t in raised for t in types)


def try_blocks(ctx: SourceText) -> list[tuple[int, int, tuple[str, ...] | None]]:
    """(first line, catch line, caught types) of each catch clause of a file: its block runs from the
    nearest try before it (a Ruby method body rescues like a begin block), or, for `promise.catch(...)`,
    from the chain it ends; a try whose catches come before a line does not hold that line."""
    if "_try_blocks" not in ctx.__dict__:
        opener = RUBY_TRY if ctx.language == "ruby" else TRY
        tries = [n for n in ctx.lines_with("try", "begin", "def") if opener.search(ctx.line(n))]
        blocks = []
        for line in ctx.lines_with("catch", "except", "rescue", "on_error"):
            text = ctx.line(line)
            clause = CATCH.search(text)
            if clause is None or COMMENT_OR_IMPORT.match(text):
                continue
            at = bisect.bisect_right(tries, line) - 1
            if clause.group(0).startswith("."):
                first = max(1, line - 3)
            elif at >= 0:
                first = tries[at]
            else:
                continue
            blocks.append((first, line, caught(clause, ctx.language)))
        ctx.__dict__["_try_blocks"] = blocks
    return ctx.__dict__["_try_blocks"]


def _holding(ctx: SourceText, line: int) -> list[tuple[str, ...] | None]:
    """The types caught by the catch clauses whose block holds this line."""
    blocks = try_blocks(ctx)
    closed = {catch for _, catch, _ in blocks}
    return [types for first, catch, types in blocks if first <= line < catch
            and not any(first < other <= line for other in closed)]


def _raised(belvo, via: str) -> tuple[str, ...]:
    return RAISED.get(belvo.sdk.name if belvo.sdk else via, ())


@concept("error_handling", "Belvo calls whose errors are not handled", topics=("belvo", "error_handler"),
         code_only=True, skip_tests=True)
def match_error_handling(ctx: SourceText):
    if ctx.about_belvo:
        yield from _judge_calls(ctx)
        yield from _fixed_positions(ctx)
        _note_caught_calls(ctx)
    _note_registered_handlers(ctx)


def _judge_calls(ctx: SourceText):
    calls = cached_belvo_calls(ctx)
    for belvo in calls:
        call = belvo.call
        via, raises = belvo.via, belvo.sdk.raises if belvo.sdk else False
        if _sdk_post(belvo):
            if _raise_exception(call) != "True":
                continue  # its result comes back as data whatever the status: unchecked_post judges it
            raises = True
        elif belvo.sdk is not None and belvo.sdk.name == "belvo-python":
            raises = True  # GET, list and DELETE errors raise requests.HTTPError
        elif belvo.sdk is None and via != WRAPPER:
            client = CLIENT_BY_NAME.get(via) or client_behind(ctx, belvo).client
            via, raises = (client.name, client.raises) if client else (via, False)
        answer = answer_call(ctx, belvo)
        func = ctx.facts.enclosing(call.line)
        body = ctx.text_of_lines(func.line, func.end_line) if func else ctx.text
        # resp.raise_for_status(), ->throw(), EnsureSuccessStatusCode(): chained, or on the answer's variable
        made_raising = RAISES_HERE.search(ctx.line(answer.end_line)) or _raised_later(ctx, answer, func)
        raised = _raised(belvo, via)
        if via == "Faraday" and FARADAY_RAISES.search(ctx.text):
            raises = True  # its raise_error middleware raises Faraday::ClientError/ServerError on 4xx/5xx
        if made_raising and not raises:
            kind = {"raise_for_status": "requests", "throw": "Laravel Http"}.get(made_raising.group(1),
                                                                               ".NET HttpClient")
            raised = RAISED.get(via) or RAISED[kind]
            raises, via = True, f"{via} with {made_raising.group(1)}()"
        if raises:
            yield from _judge_raising(ctx, belvo, via, raised, func, body, answer)
            continue
        alone = func is not None and sum(func.line <= b.call.line <= func.end_line for b in calls) == 1
        checked = _status_checked(ctx, answer, body, alone)
        if checked:
            yield ctx.finding("error_handling", "ok", "the status of this Belvo call is checked", call.line,
                              call.col, form="status check")
        elif belvo.via == WRAPPER:
            yield ctx.finding("error_handling", "ambiguous", "sent through the app's own request method: whether "
                              "it raises on error answers is decided there", call.line, call.col, form="own wrapper")
        elif STATUS_CHECK.search(body) or HANDLER.search(body) and via not in CLIENT_BY_NAME:
            # a handler near a client that never raises on a status (Go's `if err != nil`) catches only
            # transport errors: it is no sign that Belvo's error answers are handled
            yield ctx.finding("error_handling", "ambiguous", "a status check or handler is near, but not clearly "
                              "on this call's answer", call.line, call.col, form="check nearby")
        elif _returned(ctx, answer):
            yield ctx.finding("error_handling", "ambiguous", "the answer is returned unchecked: a caller may check "
                              "it", call.line, call.col, form="answer returned to the caller")
        else:
            yield ctx.finding("error_handling", "bad", f"{via} does not raise on 4xx/5xx and this code "
                              "checks no status: Belvo's errors pass as data", call.line, call.col,
                              form="no status check")


FARADAY_RAISES = re.compile(r"response\s*\(?\s*:raise_error|Faraday::Response::RaiseError")
RAISES_HERE = re.compile(r"(raise_for_status|EnsureSuccessStatusCode|(?<=->)throw|(?<=\.)throw)\s*\(")


def _raised_later(ctx: SourceText, answer, func) -> re.Match | None:
    """`resp.raise_for_status()` (or `->throw()`, `EnsureSuccessStatusCode()`) on the answer's variable later
    in its function: from there on, an error answer raises."""
    names = {a.name for a in ctx.facts.assigns if a.line == answer.line and a.name}
    if not names or func is None:
        return None
    after = ctx.text_of_lines(answer.end_line + 1, func.end_line)
    on_answer = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names))) + r")\s*(?:\.|->)\s*" +
                           RAISES_HERE.pattern)
    return on_answer.search(after)


def _judge_raising(ctx: SourceText, belvo, via: str, raised: tuple[str, ...], func, body: str, answer):
    """A call whose error answers raise: handled only where that exception is caught."""
    call = belvo.call
    # where the error surfaces: the call, or the later raise_for_status() that turns it into an exception
    raised_at = answer.end_line
    later = _raised_later(ctx, answer, func)
    if later is not None:
        raised_at = answer.end_line + 1 + ctx.text_of_lines(answer.end_line + 1, func.end_line).count(
            "\n", 0, later.start())
    catches = _holding(ctx, raised_at)
    if any(covers(types, raised) for types in catches):
        yield ctx.finding("error_handling", "ok", f"{via} raises on error answers and this code catches them",
                          call.line, call.col, form="handler")
        return
    others = sorted({t for types in catches if types for t in types})
    why = f"; the catch here names only {', '.join(others)}" if others else ""
    if _status_checked(ctx, answer, body, False):
        why += "; a status check after the call never sees an error answer"
    # Whether a caller or a handler the tree registers catches it is known only once every file is read.
    finding = ctx.finding("error_handling", "ambiguous", f"{via} raises on error answers and nothing here "
                          f"catches it{why}: a caller may", call.line, call.col, form=f"{via} raises")
    named = DEFINED.search(ctx.line(func.line)) if func is not None else None
    name = next((g for g in named.groups() if g), "") if named else ""
    ctx.signals.add(("raising_call", finding, raised, name if len(name) > 2 and not REQUEST_METHODS.match(name)
                     else ""))


def _note_caught_calls(ctx: SourceText) -> None:
    """Signal the name of each call made inside a try block, with the types its catch names: a Belvo call
    that raises in `fetch_link()` is handled where `fetch_link()` is called inside such a block."""
    calls = sorted(ctx.facts.calls, key=lambda call: call.line)
    if try_blocks(ctx):
        for call in calls:
            for types in _holding(ctx, call.line):
                ctx.signals.add(("caught_call", call.name, ctx.file.rel, call.line, types))
    for call in calls:
        ctx.signals.add(("called", call.name, ctx.file.rel, call.line))


# Handlers a framework runs for every route's exceptions nothing else caught, and the types they name
# (a Flask blueprint's or a Spring controller's own handler covers only its own routes).
REGISTERED = re.compile(
    r"@ExceptionHandler\s*(?:\(\s*(?:value\s*=\s*)?\{?(?P<java>[^)]*?)\}?\s*\))?"
    r"|(?:\bapp\.errorhandler|\bapp_errorhandler|\bapp\.register_error_handler|\.exception_handler"
    r"|\.add_exception_handler)\s*\(\s*(?P<py>[\w.]+)"
    r"|\brescue_from\s+(?P<rb>[\w:, ]+?)(?:,\s*with:|\s+do\b|\s*$)"
    r"|\bUseExceptionHandler\s*\((?P<net>)")


# Express error middleware, the four-argument function app.use() is given.
EXPRESS_ERROR_MIDDLEWARE = re.compile(r"\.use\(\s*(?:async\s*)?(?:function\s*\w*\s*)?\(\s*\w+\s*(?::\s*\w+\s*)?"
                                      r"(?:,\s*\w+\s*(?::\s*\w+\s*)?){3}\)")
HANDLER_WORDS = ("ExceptionHandler", "errorhandler", "exception_handler", "error_handler", "rescue_from")


def _note_registered_handlers(ctx: SourceText) -> None:
    """Signal each exception handler the file registers, with the types it names (None: every type)."""
    text, numbers = ctx.text, set()
    for needle in HANDLER_WORDS:  # as frameworks spell them: the file is not lower-cased for this
        at = text.find(needle)
        while at >= 0:
            numbers.add(text.count("\n", 0, at) + 1)
            at = text.find(needle, at + 1)
    if "express-async-errors" in text:  # rejected route promises reach the app's error middleware
        for number in ctx.lines_with(".use("):
            if EXPRESS_ERROR_MIDDLEWARE.search(ctx.line(number)):
                ctx.signals.add(("exception_handler", ctx.file.rel, number, None))
    for number in sorted(numbers):
        line = ctx.line(number)
        found = REGISTERED.search(line)
        if found is None or COMMENT_OR_IMPORT.match(line):
            continue
        if found.group("net") is not None:
            types = None
        elif found.group("java") is not None or line.strip().startswith("@ExceptionHandler"):
            if "ControllerAdvice" not in text:
                continue  # a controller's own @ExceptionHandler covers that controller only
            named = (found.group("java") or "").replace(".class", "")
            if not named.strip():  # @ExceptionHandler without types: the method's parameter types
                named = ctx.text_of_lines(number + 1, number + 3).partition("(")[2].partition(")")[0]
                named = " ".join(p.split()[0] for p in named.split(",") if len(p.split()) > 1)
            types = tuple(re.split(r"[.$]", t)[-1] for t in re.findall(r"[\w.$]+(?=\.class)|[\w.$]+", named)
                          if t not in ("class", "final"))
        else:
            named = found.group("py") or found.group("rb") or ""
            types = tuple(t.split(".")[-1].split("::")[-1] for t in re.findall(r"[\w.:]+", named))
            types = None if types and types[0] in ("500", "Exception") else types
        ctx.signals.add(("exception_handler", ctx.file.rel, number, types))


@conclusion("error_handling")
def conclude_error_handling(findings, tree):
    handlers = [s for s in tree.signals if isinstance(s, tuple) and s[0] == "exception_handler"]
    called, caught_at = {}, {}  # per function name: where it is called, and where inside a try
    for signal in tree.signals:
        if isinstance(signal, tuple) and signal[0] == "called":
            called.setdefault(signal[1], set()).add(signal[2:4])
        elif isinstance(signal, tuple) and signal[0] == "caught_call":
            caught_at.setdefault(signal[1], []).append(signal[2:])
    for _, finding, raised, name in sorted((s for s in tree.signals if isinstance(s, tuple)
                                            and s[0] == "raising_call"), key=lambda s: (s[1].path, s[1].line or 0)):
        covering = next((h for h in handlers if covers(h[3], raised)), None)
        handled_at = {(path, line) for path, line, types in caught_at.get(name, ()) if covers(types, raised)}
        if name and called.get(name) and called[name] <= handled_at:
            yield replace(finding, verdict="ok", message=f"{finding.message.split(' and nothing')[0]} and every "
                          f"call of {name}() in the code read is inside a try that catches them",
                          form="caught by the caller")
            continue
        if covering is not None:
            yield replace(finding, verdict="ok", message=f"{finding.message.split(' and nothing')[0]} and the "
                          f"handler registered at {covering[1]}:{covering[2]} catches them", form="registered handler")
            continue
        if handlers:
            named = sorted({t for h in handlers for t in h[3] or ()})
            finding = replace(finding, message=finding.message.replace(": a caller may", "") + "; the handlers "
                              f"the tree registers catch only {', '.join(named)}: a caller may")
        yield finding


# A fixed position past the first of Belvo's error list: errors[1], body[1].code, response.data[1], .get(1).
FIXED_INDEX = re.compile(r"(?i)(?:\b\w*err\w*|\bbody|\bdetail|\.data|\.json\(\s*\)|\bpayload|\bproblems?)"
                         r"\s*(?:\?\.)?(?:\[\s*(?P<a>[1-9])\s*\]|\.get\(\s*(?P<b>[1-9])\s*\)"
                         r"|\.ElementAt\(\s*(?P<c>[1-9])\s*\))")


def _fixed_positions(ctx: SourceText):
    """Reads of a fixed position past the first in what looks like Belvo's error list, in a file calling Belvo."""
    if not cached_belvo_calls(ctx):
        return
    for number in ctx.lines_with("[1", "[2", "[3", "(1)", "(2)"):
        line = ctx.line(number)
        found = FIXED_INDEX.search(line)
        if found is None or COMMENT_OR_IMPORT.match(line):
            continue
        func = ctx.facts.enclosing(number)
        around = ctx.text_of_lines(func.line, func.end_line) if func else line
        if not re.search(r"(?i)err|fail|status|catch|except|rescue|code", around):
            continue
        index = next(g for g in found.groups() if g)
        yield ctx.finding("error_handling", "ambiguous", f"reads element {index} of what looks like Belvo's error "
                          "list: Belvo usually sends a list of one error, so this handler fails (an index error "
                          "or undefined) on the very error it handles; read the first element, or loop",
                          number, found.start() + 1, form="fixed index into the error list")


RATE_LIMIT = re.compile(r"\b429\b|TOO_MANY_REQUESTS|TooManyRequests|too_many_requests|Retry-After|retry_after"
                        r"|RetryAfter|tenacity|backoff|urllib3\.util\.retry|Retry\(|axios-retry|p-retry|retryable"
                        r"|Polly|resilience4j|faraday-retry|retry_on")


@concept("rate_limit", "429 answers (rate limiting) handled", topics=("belvo",), code_only=True, skip_tests=True)
def match_rate_limit(ctx: SourceText):
    _note_belvo_calls(ctx)
    for number in ctx.lines_with("429", "too_many", "toomany", "retry", "backoff", "tenacity", "polly",
                                 "resilience4j"):
        match = RATE_LIMIT.search(ctx.line(number))
        if match:
            yield ctx.finding("rate_limit", "ok", "rate limiting or retries are handled here", number,
                              match.start() + 1, form=match.group(0))


@conclusion("rate_limit")
def conclude_rate_limit(findings, tree):
    if "belvo_calls" in tree.signals and not findings:
        yield tree.finding("rate_limit", "ambiguous", "Belvo is called, but nothing in the code handles 429 "
                           "(Too Many Requests) or retries", form="never mentioned")
