"""Non-breaking changes: timestamp parsers that reject 3-6 fraction digits or +00:00, strict
deserialisers that reject the fields Belvo adds, tight fixed-length columns and closed enums."""

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
                body = ctx.text_of_lines(func.line, func.end_line) if func else ""
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


@concept("strict_deserializer", "Strict deserialisers on Belvo data", topics=("belvo",), skip_tests=True,
         skip_languages=("markdown", "text"))
def match_strict(ctx: SourceText):
    # Validation of the app's own inbound requests (e.g. NestJS forbidNonWhitelisted) is not about Belvo's data
    # and is deliberately not matched.
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


# Fixed-length columns: (pattern with groups name and size, form). Belvo ids are 36-character UUIDs and
# its free-text fields (descriptions, merchants, references) have no documented maximum.
COLUMNS = [(re.compile(p, re.I), form) for p, form in [
    (r"\b(?P<name>\w+)\W{0,2}\s+(?:n?var)?char\s*\(\s*(?P<size>\d+)\s*\)", "SQL (VAR)CHAR(n)"),
    (r"\b(?P<name>\w+)\s*[:=]\s*(?:models\.)?CharField\([^)]*max_length\s*=\s*(?P<size>\d+)", "Django CharField"),
    (r"\b(?P<name>\w+)\s*[:=]\s*(?:\w+\.)?Column\(\s*(?:\w+\.)?String\s*\(\s*(?P<size>\d+)\s*\)",
     "SQLAlchemy String(n)"),
    (r"\b(?P<name>\w+)\s+String\??\s+@db\.(?:Var)?Char\((?P<size>\d+)\)", "Prisma @db.VarChar(n)"),
    (r"string\s*\(?\s*['\":](?P<name>\w+)['\"]?\s*,\s*(?:limit:\s*)?(?P<size>\d+)", "Rails/Laravel string(n)"),
    (r"@Column\([^)]*length\s*=\s*(?P<size>\d+)[^)]*\)\s*(?:private|public|protected)?\s*\w+\s+(?P<name>\w+)",
     "JPA @Column(length)"),
]]
ID_COLUMN = re.compile(r"(?i)(?:^|_)id$|^id|uuid")
MIN_TEXT = 255  # shorter columns for Belvo's free text are a guess about data Belvo does not bound


@concept("fixed_columns", "Belvo strings in tight fixed-length columns", topics=("belvo",), skip_tests=True,
         skip_languages=("markdown", "text"))
def match_columns(ctx: SourceText):
    for number in ctx.lines_with("char", "string", "length"):
        line = ctx.line(number)
        for pattern, form in COLUMNS:
            for match in pattern.finditer(line):
                name, size = match.group("name"), int(match.group("size"))
                if ID_COLUMN.search(name):
                    if size < 36:
                        yield ctx.finding("fixed_columns", "bad", f"{name} holds {size} characters: Belvo ids are "
                                          "36-character UUIDs", number, match.start() + 1, form=form)
                elif size < MIN_TEXT:
                    yield ctx.finding("fixed_columns", "ambiguous", f"{name} is cut at {size} characters: Belvo "
                                      "does not bound its strings, and longer ones are a non-breaking change",
                                      number, match.start() + 1, form=form)


# Parsing a value into a closed enum raises on a value Belvo adds (a new category, status or type).
ENUM_CLASS = re.compile(r"class\s+(\w+)\s*\([^)]*\bEnum\b[^)]*\)|\benum\s+(?:class\s+)?(\w+)")
ENUM_CALLS = re.compile(r"(?:\.valueOf|Enum\.Parse|Enum\.valueOf|z\.(?:enum|nativeEnum))$")


@concept("enum_parse", "Closed enums parsed from Belvo values", topics=("belvo",), code_only=True, skip_tests=True)
def match_enums(ctx: SourceText):
    names = {m.group(1) or m.group(2) for m in ENUM_CLASS.finditer(ctx.text)}
    for call in ctx.facts.calls:
        receiver = call.callee.rpartition(".")[0]
        if call.callee in names or ENUM_CALLS.search(call.callee) and (
                receiver in names or not receiver.islower() or call.callee.startswith("z.")):
            if call.args.strip("()") and not re.search(r"(?i)default|fallback|unknown|missing", call.args):
                yield ctx.finding("enum_parse", "ambiguous", f"{call.callee}(...) fails on a value Belvo adds, "
                                  "unless an unknown value is caught", call.line, call.col, form="closed enum parse")
