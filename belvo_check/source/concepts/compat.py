"""Non-breaking changes: timestamp parsers that reject 3-6 fraction digits or +00:00, and strict
deserialisers that reject the fields Belvo adds."""

from __future__ import annotations

import re

from belvo_check.source.concepts import concept
from belvo_check.source.context import SourceText

PY_TOLERANT = re.compile(r"replace\(\s*['\"]Z['\"]\s*,\s*['\"]\+00:?00['\"]")
GO_TOLERANT_LAYOUT = re.compile(r"Z07:?00")
GO_FIXED_FRACTION = re.compile(r"\.0+")


def _fixed_format(ctx, call, form):
    return ctx.finding("timestamp_parse", "bad", "a fixed timestamp format rejects some of Belvo's variants (0, 3 "
                       "or 6 fraction digits; Z or +00:00)", call.line, call.col, form=form)


@concept("timestamp_parse", "Timestamp parsing too strict for Belvo's variants", topics=("belvo",), code_only=True)
def match_timestamps(ctx: SourceText):
    language, facts = ctx.language, ctx.facts
    for call in facts.calls:
        name, fmt = call.name, next(iter(call.strings), "")
        if language == "python":
            if name == "strptime" and "%H" in " ".join(call.strings):
                yield _fixed_format(ctx, call, "strptime with a fixed format")
            elif name == "fromisoformat" and not PY_TOLERANT.search(call.args):
                yield ctx.finding("timestamp_parse", "ambiguous", "fromisoformat rejects a trailing Z before "
                                  "Python 3.11", call.line, call.col, form="fromisoformat")
        elif language in ("javascript", "typescript", "tsx"):
            strict = re.search(r",\s*true\s*\)?\s*$", call.args.rstrip(")").rstrip() + ")")
            if call.callee in ("moment", "moment.utc", "dayjs", "dayjs.utc") and "HH" in fmt + call.args and strict:
                yield _fixed_format(ctx, call, f"{call.callee} strict format")
            elif call.callee in ("DateTime.fromFormat", "parse") and "HH" in " ".join(call.strings):
                yield _fixed_format(ctx, call, f"{call.callee} fixed format")
        elif language == "go":
            if call.callee == "time.Parse" and call.strings and "15" in call.strings[0]:
                layout = call.strings[0]
                if GO_TOLERANT_LAYOUT.search(layout) and not GO_FIXED_FRACTION.search(layout):
                    continue  # Go parses any fraction after the seconds and both Z and +00:00 here
                func = facts.enclosing(call.line)
                body = "\n".join(ctx.lines[func.line - 1:func.end_line]) if func else ""
                if "time.RFC3339" in body:
                    yield ctx.finding("timestamp_parse", "ok", "a fixed layout with an RFC 3339 fallback (tolerant)",
                                      call.line, call.col, form="time.Parse with RFC3339 fallback")
                else:
                    yield _fixed_format(ctx, call, "time.Parse fixed layout")
        elif language == "java":
            if call.name in ("ofPattern", "SimpleDateFormat") and "HH" in fmt:
                yield _fixed_format(ctx, call, f"{call.name} fixed pattern")
        elif language == "ruby":
            if call.name == "strptime" and "%H" in " ".join(call.strings):
                yield _fixed_format(ctx, call, "strptime with a fixed format")
        elif language == "php":
            if call.name in ("createFromFormat", "date_create_from_format") and "H" in " ".join(call.strings):
                yield _fixed_format(ctx, call, "createFromFormat fixed format")
        elif language == "csharp":
            if call.name in ("ParseExact", "TryParseExact") and "HH" in " ".join(call.strings):
                yield _fixed_format(ctx, call, f"{call.name} fixed format")


STRICT = [(re.compile(p), form) for p, form in [
    (r"""extra\s*=\s*['"]forbid['"]|Extra\.forbid""", "pydantic extra='forbid'"),
    (r"FAIL_ON_UNKNOWN_PROPERTIES\s*,\s*true|ignoreUnknown\s*=\s*false", "Jackson FAIL_ON_UNKNOWN_PROPERTIES"),
    (r"DisallowUnknownFields\(\)", "Go DisallowUnknownFields"),
    (r"MissingMemberHandling\.Error|UnmappedMemberHandling\.Disallow", ".NET unknown members rejected"),
    (r"""['"]?additionalProperties['"]?\s*:\s*false""", "JSON schema additionalProperties: false"),
    (r"\.strict\(\)", "zod .strict()"),
]]


@concept("strict_deserializer", "Strict deserialisers on Belvo data", topics=("belvo",))
def match_strict(ctx: SourceText):
    # Validation of the app's own inbound requests (e.g. NestJS forbidNonWhitelisted) is not about Belvo's data
    # and is deliberately not matched.
    if ctx.file.is_test or ctx.language in ("markdown", "text"):
        return
    for number in ctx.lines_with("forbid", "fail_on_unknown", "ignoreunknown", "disallowunknownfields",
                                 "missingmemberhandling", "unmappedmemberhandling", "additionalproperties",
                                 ".strict()"):
        line = ctx.line(number)
        for pattern, form in STRICT:
            match = pattern.search(line)
            if match:
                verdict = "bad" if ctx.file.is_code else "ambiguous"
                yield ctx.finding("strict_deserializer", verdict, "a deserialiser that rejects unknown fields, in a "
                                  "file handling Belvo data: a field Belvo adds would break it", number,
                                  match.start() + 1, form=form)
