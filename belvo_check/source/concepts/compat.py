"""Non-breaking changes: timestamp parsers that reject 3-6 fraction digits or +00:00, strict
deserialisers that reject the fields Belvo adds, tight fixed-length columns and closed enums."""

from __future__ import annotations

import os
import re
from functools import lru_cache

from belvo_check.source.concepts import concept
from belvo_check.source.concepts.widget import arguments
from belvo_check.source.context import SourceText

PY_TOLERANT = re.compile(r"replace\(\s*['\"]Z['\"]\s*,\s*['\"]\+00:?00['\"]")
GO_TOLERANT_LAYOUT = re.compile(r"Z07:?00")
GO_FIXED_FRACTION = re.compile(r"\.0+")
GO_FALLBACK = re.compile(r"\bParse(?:InLocation)?\(\s*time\.RFC3339")
# strptime-style formats (Python, Ruby, PHP): a fraction directive after the seconds and a zone directive
# that reads both Z and +00:00 accept every fraction Belvo sends, but not a timestamp without one.
FRACTION_AND_ZONE = {
    "python": re.compile(r"\.%f%z"), "ruby": re.compile(r"\.%[LN]%z"), "php": re.compile(r"\.u[PpOT]"),
}
PHP_FIXED_CONSTANTS = re.compile(r"(?:DateTime(?:Interface|Immutable)?::|DATE_)(?:RFC3339(?:_EXTENDED)?|ATOM|ISO8601)")
# Where the Python version a project runs on is declared, nearest the file first (see python_floor).
PYTHON_VERSION_FILES = {
    "pyproject.toml": re.compile(r"(?m)^\s*(?:requires-python|python)\s*=\s*['\"][^'\"]*?(?:>=|\^|~=|==|~)\s*3\.(\d+)"),
    "setup.cfg": re.compile(r"python_requires\s*=\s*[^\n]*?(?:>=|~=|==)\s*3\.(\d+)"),
    "setup.py": re.compile(r"python_requires\s*=\s*['\"][^'\"]*?(?:>=|~=|==)\s*3\.(\d+)"),
    ".python-version": re.compile(r"^\s*3\.(\d+)"),
    "runtime.txt": re.compile(r"python-3\.(\d+)"),
    "Pipfile": re.compile(r"python_version\s*=\s*['\"]3\.(\d+)"),
    "Dockerfile": re.compile(r"(?im)^\s*FROM\s+(?:\S+/)?python:3\.(\d+)"),
}
FIXED = "a fixed timestamp format rejects some of Belvo's variants (0, 3 or 6 fraction digits; Z or +00:00)"


@lru_cache(maxsize=256)
def python_floor(directory: str, root: str) -> tuple[str, int] | None:
    """(file, minor) of the lowest Python 3 minor version the project around `directory` declares, looking
    up to `root`; None when nothing declares one."""
    found = []
    for name, pattern in PYTHON_VERSION_FILES.items():
        try:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as handle:
                text = handle.read(200_000)
        except OSError:
            continue
        found += [(name, int(m.group(1))) for m in pattern.finditer(text)]
    if found:
        return min(found, key=lambda item: item[1])
    parent = os.path.dirname(directory)
    if len(directory) <= len(root) or parent == directory:
        return None
    return python_floor(parent, root)


def _floor_of(ctx: SourceText) -> tuple[str, int] | None:
    path = ctx.file.path
    root = path[:len(path) - len(ctx.file.rel)].rstrip("/\\") or os.sep
    return python_floor(os.path.dirname(path), root)


def _fromisoformat(ctx: SourceText, call):
    if PY_TOLERANT.search(call.args):
        return "ok", "fromisoformat after replacing Z with +00:00 reads 0, 3 or 6 fraction digits and both zones"
    floor = _floor_of(ctx)
    if floor and floor[1] >= 11:
        return "ok", f"fromisoformat on Python 3.{floor[1]}+ ({floor[0]}) reads any ISO-8601 variant"
    if floor:
        return "bad", f"fromisoformat rejects a trailing Z before Python 3.11, and {floor[0]} allows 3.{floor[1]}"
    return "ambiguous", "fromisoformat rejects a trailing Z before Python 3.11 (no Python version declared here)"


def _strptime_like(ctx, call, formats: list[str]):
    """A verdict on a strptime/createFromFormat format, or None when it does not parse a time of day."""
    wanted = "H" if ctx.language == "php" else "%H"
    formats = [f for f in formats if wanted in f]
    if not formats:
        return None
    tolerant = FRACTION_AND_ZONE[ctx.language]
    if all(tolerant.search(f) for f in formats):
        return "ambiguous", "this format reads any fraction and Z or +00:00, but rejects a timestamp without fraction"
    return "bad", FIXED


NAME = re.compile(r"^[A-Za-z_]\w*$")
PARSERS = frozenset({"fromisoformat", "strptime", "moment", "utc", "dayjs", "fromFormat", "parse", "parseFromTimeZone",
                     "Parse", "ParseInLocation", "ofPattern", "SimpleDateFormat", "appendPattern", "createFromFormat",
                     "date_create_from_format", "date_create_immutable_from_format", "ParseExact", "TryParseExact"})
# Belvo's own timestamp field: where a file never names Belvo, a parser it is given is still Belvo data.
BELVO_TIMESTAMP = re.compile(r"(?i)collected_?at")


def literal_of(ctx: SourceText, name: str, line: int) -> str | None:
    """The string a name holds where it is used: its nearest literal assignment before `line` in the same
    function, else one outside any function (a constant: `const layout = "..."`, `FORMAT = '...'`)."""
    func = ctx.facts.enclosing(line)
    outside, inside = None, None
    for assign in ctx.facts.assigns:
        if assign.name != name or assign.literal is None:
            continue
        scope = ctx.facts.enclosing(assign.line)
        if scope is None:
            outside = outside or assign
        elif func is not None and scope.line <= line <= scope.end_line and assign.line <= line:
            inside = assign if inside is None or assign.line > inside.line else inside
    found = inside or outside
    return found.literal if found else None


def formats_of(ctx: SourceText, call) -> list[str]:
    """The strings a call is given, in argument order: literals, and names resolved to the literal they hold."""
    strings = []
    for argument in arguments(call, ctx.language):
        text = argument.strip()
        if NAME.match(text):
            held = literal_of(ctx, text, call.line)
            if held is not None:
                strings.append(held)
        else:
            strings += [s for s in call.strings if s in text]
    return list(dict.fromkeys(strings)) if strings else list(call.strings)


def _timestamp_verdict(ctx: SourceText, call):
    """(verdict, message) for one call that parses a timestamp, or None when the call does not."""
    language, name = ctx.language, call.name
    if name not in PARSERS:
        return None
    strings = formats_of(ctx, call)
    joined = " ".join(strings)
    if language == "python":
        if name == "fromisoformat":
            return _fromisoformat(ctx, call)
        if name == "strptime":
            return _strptime_like(ctx, call, strings)
    elif language in ("javascript", "typescript", "tsx"):
        strict = re.search(r",\s*true\s*\)?\s*$", call.args.rstrip(")").rstrip() + ")")
        if call.callee in ("moment", "moment.utc", "dayjs", "dayjs.utc") and "HH" in joined + call.args and strict:
            return "bad", FIXED
        if name in ("fromFormat", "parse", "parseFromTimeZone") and call.receiver not in ("Date", "JSON") \
                and "HH" in joined:
            return "bad", FIXED
    elif language == "go":
        if name in ("Parse", "ParseInLocation") and call.receiver == "time" and strings and "15" in strings[0]:
            layout = strings[0]
            if GO_TOLERANT_LAYOUT.search(layout) and not GO_FIXED_FRACTION.search(layout):
                return "ok", "this layout reads any fraction after the seconds, and Z or +00:00"
            func = ctx.facts.enclosing(call.line)
            body = ctx.text_of_lines(func.line, func.end_line) if func else ""
            if GO_FALLBACK.search(body):
                return "ok", "a fixed layout with an RFC 3339 fallback (tolerant)"
            return "bad", FIXED
    elif language == "java":
        if name in ("ofPattern", "SimpleDateFormat", "appendPattern") and "HH" in joined:
            if name != "SimpleDateFormat" and "[" in joined:
                return "ambiguous", "a pattern with optional sections: whether it reads 0, 3 and 6 fraction digits " \
                                    "and both zones depends on them"
            return "bad", FIXED
    elif language == "ruby":
        if name == "strptime":
            return _strptime_like(ctx, call, strings)
    elif language == "php":
        if name in ("createFromFormat", "date_create_from_format", "date_create_immutable_from_format"):
            if PHP_FIXED_CONSTANTS.search(call.args):
                return "bad", FIXED
            return _strptime_like(ctx, call, strings)
    elif language == "csharp":
        if name in ("ParseExact", "TryParseExact") and "HH" in joined:
            formats = [f for f in strings if "HH" in f]
            if len(formats) == 1 and re.search(r"\.F+K", formats[0]):
                return "ok", "optional fraction digits (F) and K read every Belvo variant"
            return ("ambiguous", "several exact formats: whether they cover 0, 3 and 6 fraction digits and both "
                                 "zones depends on each") if len(formats) > 1 else ("bad", FIXED)
    return None


@concept("timestamp_parse", "Timestamp parsing too strict for Belvo's variants", topics=("belvo", "belvo_data"), code_only=True,
         skip_tests=True)
def match_timestamps(ctx: SourceText):
    for call in ctx.facts.calls:
        if not ctx.about_belvo and not BELVO_TIMESTAMP.search(call.args):
            continue
        found = _timestamp_verdict(ctx, call)
        if found:
            verdict, message = found
            yield ctx.finding("timestamp_parse", verdict, message, call.line, call.col, form=f"{call.callee}(...)")


STRICT = [(re.compile(p), form) for p, form in [
    (r"""extra\s*=\s*['"]forbid['"]|Extra\.forbid""", "pydantic extra='forbid'"),
    (r"FAIL_ON_UNKNOWN_PROPERTIES\s*,\s*true|ignoreUnknown\s*=\s*false", "Jackson FAIL_ON_UNKNOWN_PROPERTIES"),
    (r"DisallowUnknownFields\(\)", "Go DisallowUnknownFields"),
    (r"MissingMemberHandling\.Error|UnmappedMemberHandling\.Disallow", ".NET unknown members rejected"),
    (r"""['"]?additionalProperties['"]?\s*(?::|=>|=)\s*(?:false|False)\b""", "JSON schema additionalProperties: false"),
    (r"\.strict\(\)", "zod .strict()"),
    (r"\bschema\s+schema\.strict\b|validate_keys\s*=\s*true", "dry-rb strict schema"),
    (r"ALLOW_EXTRA_ATTRIBUTES['\"]?\s*=>\s*false", "Symfony serializer allow_extra_attributes: false"),
]]
STRICT_NEEDLES = ("forbid", "fail_on_unknown", "ignoreunknown", "disallowunknownfields", "missingmemberhandling",
                  "unmappedmemberhandling", "additionalproperties", ".strict()", "schema.strict", "validate_keys",
                  "allow_extra_attributes")
# class-validator's forbidNonWhitelisted in a ValidationPipe guards the app's own inbound DTOs (not Belvo's
# answers): only a direct validate() call with it may be about Belvo data, and even then it is a doubt.
VALIDATE_CALLS = frozenset({"validate", "validateSync", "validateOrReject", "transformAndValidate"})
# Jackson's ObjectMapper fails on unknown properties unless told otherwise (Spring Boot's own mapper does not).
JACKSON_NEW = re.compile(r"new\s+ObjectMapper\s*\(\s*\)|JsonMapper\.builder\(\)")
JACKSON_LENIENT = re.compile(r"FAIL_ON_UNKNOWN_PROPERTIES\s*,\s*false|ignoreUnknown\s*=\s*true"
                             r"|disable\([^)]*FAIL_ON_UNKNOWN_PROPERTIES")
JACKSON_TREE_TYPES = re.compile(r"\b(?:JsonNode|ObjectNode|ArrayNode|Map|HashMap|LinkedHashMap|Object|String)\.class"
                                r"|TypeReference<\s*(?:Map|List<\s*Map|JsonNode)")
STRICT_MESSAGE = ("a deserialiser that rejects unknown fields, in a file handling Belvo data: a field Belvo adds "
                  "would break it")


@concept("strict_deserializer", "Strict deserialisers on Belvo data", topics=("belvo",), skip_tests=True,
         skip_languages=("markdown", "text"))
def match_strict(ctx: SourceText):
    for number in ctx.lines_with(*STRICT_NEEDLES):
        line = ctx.line(number)
        for pattern, form in STRICT:
            match = pattern.search(line)
            if match and (form != "zod .strict()" or "zod" in ctx.lower):  # yargs and others have a .strict() too
                verdict = "bad" if ctx.file.is_code else "ambiguous"
                yield ctx.finding("strict_deserializer", verdict, STRICT_MESSAGE, number, match.start() + 1, form=form)
    if not ctx.file.is_code:
        return
    for call in ctx.facts.calls:
        if call.name in VALIDATE_CALLS and re.search(r"forbidNonWhitelisted\s*:\s*true", call.args):
            yield ctx.finding("strict_deserializer", "ambiguous", "validation that rejects unknown properties: a "
                              "field Belvo adds would fail it, if this validates Belvo data", call.line, call.col,
                              form="class-validator forbidNonWhitelisted")
    if ctx.language == "java" and JACKSON_NEW.search(ctx.text) and not JACKSON_LENIENT.search(ctx.text):
        for call in ctx.facts.calls:
            if call.name in ("readValue", "convertValue", "treeToValue") and ".class" in call.args + "".join(
                    call.strings) and not JACKSON_TREE_TYPES.search(call.args):
                yield ctx.finding("strict_deserializer", "ambiguous", "Jackson's ObjectMapper fails on unknown "
                                  "properties by default, and nothing here turns that off (unless the class is "
                                  "annotated @JsonIgnoreProperties(ignoreUnknown = true) elsewhere)", call.line,
                                  call.col, form="Jackson default ObjectMapper")


# Fixed-length columns: (pattern with groups name and size, form), searched from a line over the next two (an
# annotation usually sits on the line above its field). Belvo ids are 36-character UUIDs and its free-text
# fields (descriptions, merchants, references) have no documented maximum.
_NEXT = r"(?:\s*(?://|#)[^\n]*)?\s*"  # an annotation's own line may end in a comment before its field
COLUMNS = [(re.compile(p.replace("{next}", _NEXT), re.I), form) for p, form in [
    (r"\b(?P<name>\w+)[`\"\]]?\s+(?:n?var)?char\s*\(\s*(?P<size>\d+)\s*\)", "SQL (VAR)CHAR(n)"),
    (r"\b(?P<name>\w+)\s*[:=]\s*(?:models\.)?CharField\([^)]*max_length\s*=\s*(?P<size>\d+)", "Django CharField"),
    (r"\b(?P<name>\w+)\s*(?::\s*Mapped\[[^\]]*\]\s*)?[:=]\s*(?:\w+\.)?(?:mapped_)?[cC]olumn\(\s*(?:\w+\.)?String\s*"
     r"\(\s*(?:length\s*=\s*)?(?P<size>\d+)\s*\)", "SQLAlchemy String(n)"),
    (r"\b(?P<name>\w+)\s+String\??\s+@db\.(?:Var)?Char\((?P<size>\d+)\)", "Prisma @db.VarChar(n)"),
    (r"string\s*\(?\s*['\":](?P<name>\w+)['\"]?\s*,\s*(?:limit:\s*)?(?P<size>\d+)", "Rails/Laravel string(n)"),
    (r"@Column\([^)]*length\s*=\s*(?P<size>\d+)[^)]*\){next}(?:@\w+(?:\([^)]*\))?\s*)*(?:private|public|protected)?\s*"
     r"(?:final\s+)?\w+\s+(?P<name>\w+)", "JPA @Column(length)"),
    (r"@Column\(\s*(?:['\"]\w+['\"]\s*,\s*)?\{[^}]*length:\s*(?P<size>\d+)[^}]*\}\s*\){next}(?:public\s+|readonly\s+)*"
     r"(?P<name>\w+)", "TypeORM @Column(length)"),
    (r"\b(?P<name>\w+)\s*:\s*\{[^}]*DataTypes\.STRING\((?P<size>\d+)\)", "Sequelize STRING(n)"),
    (r"\b(?P<name>\w+)\s+\*?string\s+`[^`]*gorm:\"[^\"]*(?:type:(?:var)?char\(|size:)(?P<size>\d+)", "GORM size"),
    (r"\[(?:MaxLength|StringLength)\((?P<size>\d+)[^\]]*\]{next}(?:\[[^\]]*\]\s*)*public\s+string\??\s+(?P<name>\w+)",
     "EF [MaxLength(n)]"),
    (r"\.Property\(\s*\w+\s*=>\s*\w+\.(?P<name>\w+)\s*\)\s*\.HasMaxLength\((?P<size>\d+)\)", "EF HasMaxLength(n)"),
    (r"#\[ORM\\Column\([^)]*length:\s*(?P<size>\d+)[^)]*\)\]{next}(?:(?:private|public|protected)\s+)?\??\w*\s*\$(?P<name>\w+)",
     "Doctrine Column(length)"),
]]
COLUMN_NEEDLES = ("char(", "char (", "string(", "string (", "length", "size:", "limit:")
# Ids Belvo hands out (the app's own user_id or customer_id are not Belvo's to change).
BELVO_ID = re.compile(r"(?i)^(?:belvo_?\w*|link|account|transaction|owner|bill|balance|consent|webhook|request|statement"
                      r"|investment|invoice|employment|income|recurring_expense|institution_user)_?id$|^belvo_?id$")
BARE_ID = re.compile(r"(?i)^(?:id|uuid)$")
CODES = re.compile(r"(?i)currency|country")  # ISO codes: fixed by a standard, not by Belvo
MIN_TEXT = 255  # shorter columns for Belvo's free text are a guess about data Belvo does not bound


SQL_WORDS = frozenset({"as", "type", "column", "set", "varying", "national", "returns", "declare", "cast", "character"})


def _column_verdict(name: str, size: int) -> tuple[str, str] | None:
    if name.lower() in SQL_WORDS:  # CAST(x AS VARCHAR(10)), ALTER COLUMN x TYPE VARCHAR(20): no column name here
        return None
    if BELVO_ID.search(name):
        if size < 36:
            return "bad", f"{name} holds {size} characters: Belvo ids are 36-character UUIDs"
        return ("ambiguous", f"{name} holds {size} characters, exactly what Belvo's ids need today: a longer id "
                             "would be cut or refused (unless the database ignores lengths, as SQLite does)") \
            if size < 64 else None
    if BARE_ID.search(name):
        return ("ambiguous", f"{name} holds {size} characters: if it stores a Belvo id, ids are 36-character UUIDs "
                             "today and their length may change") if size < 64 else None
    if name.lower().endswith("_id") or name.endswith("Id") or CODES.search(name) or size >= MIN_TEXT:
        return None
    return "ambiguous", f"{name} is cut at {size} characters: Belvo does not bound its strings, and longer ones " \
                        "are a non-breaking change"


@concept("fixed_columns", "Belvo strings in tight fixed-length columns", topics=("belvo",), skip_tests=True,
         skip_languages=("markdown", "text"))
def match_columns(ctx: SourceText):
    seen = set()
    for number in ctx.lines_with(*COLUMN_NEEDLES):
        window = ctx.text_of_lines(number, number + 2)
        first = len(ctx.line(number))
        for pattern, form in COLUMNS:
            for match in pattern.finditer(window):
                if match.start() > first or (number, match.start()) in seen:
                    continue  # found again from the line it starts on
                seen.add((number, match.start()))
                found = _column_verdict(match.group("name"), int(match.group("size")))
                if found:
                    yield ctx.finding("fixed_columns", found[0], found[1], number, match.start() + 1, form=form)


# Parsing a value into a closed enum raises on a value Belvo adds (a new category, status or type).
ENUM_CLASS = re.compile(r"class\s+(\w+)\s*\([^)]*\bEnum\b[^)]*\)|\benum\s+(?:class\s+)?(\w+)")
ENUM_CALLS = re.compile(r"(?:\.valueOf|Enum\.Parse(?:<\w+>)?|Enum\.valueOf|z\.(?:enum|nativeEnum))$")
TOLERATED = re.compile(r"(?i)default|fallback|unknown|missing|other")
# Closed enums in the database: a new value is rejected on insert.
SQL_ENUMS = re.compile(r"(?i)\bCHECK\s*\(\s*[\w\"`]+\s+IN\s*\(|\bAS\s+ENUM\s*\(|\s(?:ENUM)\s*\(\s*'|^\s*enum\s+\w+\s*\{")


# Jackson fails a whole answer on an enum value it does not know, unless the enum names a default
# (@JsonEnumDefaultValue), reads values itself (@JsonCreator) or the mapper is told to tolerate them.
JACKSON = re.compile(r"\bcom\.fasterxml\.jackson\b")
JACKSON_ENUM_TOLERANT = re.compile(r"READ_UNKNOWN_ENUM_VALUES|@JsonEnumDefaultValue|@JsonCreator")
RECORD = re.compile(r"\brecord\s+\w+\s*(?:<[^>]*>)?\s*\(")
JAVA_ENUM = re.compile(r"\benum\s+(\w+)\s*(?:implements\s+[\w.,\s<>]+)?\{")


def _closing(text: str, start: int) -> int:
    """The offset of the bracket closing the one at `start` (the end of the text when unbalanced)."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return len(text) - 1


def _jackson_enums(ctx: SourceText):
    """Fields and record components typed with a closed enum of this file, in a file bound by Jackson."""
    if ctx.language != "java" or not JACKSON.search(ctx.text) or JACKSON_ENUM_TOLERANT.search(ctx.text):
        return
    names = [m.group(1) for m in JAVA_ENUM.finditer(ctx.text)]
    if not names:
        return
    enums = "|".join(map(re.escape, names))
    # A field (`private TransactionType type;`) anywhere; a record component only inside a record's header.
    field = re.compile(rf"\b(?:private|protected|public)\s+(?:final\s+)?({enums})\s+(\w+)\s*(?=[;=])")
    component = re.compile(rf"(?:^|[(,])\s*(?:@\w+(?:\([^()]*\))?\s+)*({enums})\s+(\w+)\s*(?=[,)])")
    found = list(field.finditer(ctx.text))
    for header in RECORD.finditer(ctx.text):
        start = header.end() - 1
        found += component.finditer(ctx.text, start, _closing(ctx.text, start) + 1)
    for match in sorted(found, key=lambda m: m.start()):
        line, col = ctx.position(match.start(1))
        yield ctx.finding("enum_parse", "bad", f"{match.group(2)} is bound by Jackson to the closed enum "
                          f"{match.group(1)}: a value Belvo adds fails the whole answer (no @JsonEnumDefaultValue, "
                          "@JsonCreator or READ_UNKNOWN_ENUM_VALUES_* here)", line, col, form="Jackson closed enum")


@concept("enum_parse", "Closed enums parsed from Belvo values", topics=("belvo",), skip_tests=True,
         skip_languages=("markdown", "text"))
def match_enums(ctx: SourceText):
    if ctx.language in ("sql", "prisma"):
        for number in ctx.lines_with("check", "enum"):
            match = SQL_ENUMS.search(ctx.line(number))
            if match:
                yield ctx.finding("enum_parse", "ambiguous", "a closed set of values in the database rejects a value "
                                  "Belvo adds, if the column holds a Belvo enum", number, match.start() + 1,
                                  form="database enum")
        return
    if not ctx.file.is_code:
        return
    yield from _jackson_enums(ctx)
    names = {m.group(1) or m.group(2) for m in ENUM_CLASS.finditer(ctx.text)}
    for call in ctx.facts.calls:
        receiver = call.receiver
        parses = call.callee in names or ENUM_CALLS.search(call.callee) and (
            receiver in names or not receiver.islower() or call.callee.startswith("z.")) or (
            ctx.language == "php" and call.name == "from" and receiver in names)
        if parses and call.args.strip("()") and not TOLERATED.search(call.args):
            yield ctx.finding("enum_parse", "ambiguous", f"{call.callee}(...) fails on a value Belvo adds, "
                              "unless an unknown value is caught", call.line, call.col, form="closed enum parse")
