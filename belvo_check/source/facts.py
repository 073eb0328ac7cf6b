"""Language-neutral facts about one file: calls, string literals, assignments, comparisons, functions.

Python is read with `ast`; the other languages with the tree-sitter query of
belvo_check.source.languages. Concept matchers only ever see these facts (plus the raw lines),
so each concept is written once, with per-language detail confined to small tables.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

MAX_TEXT = 4000  # longer argument lists or values are cut: matchers never need more
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"\s+")
_NEW = re.compile(r"^new\s+")


@dataclass(slots=True)
class Call:
    callee: str  # the callee, compacted: "requests.get", "axios.create", "http.NewRequest", "Http.get"
    name: str  # its last identifier: "get", "create", "NewRequest"
    args: str  # the argument text (cut at MAX_TEXT)
    line: int
    col: int
    end_line: int
    keywords: dict[str, str] = field(default_factory=dict)  # option/keyword arguments, nested ones too
    strings: list[str] = field(default_factory=list)  # string literals among the arguments

    @property
    def receiver(self) -> str:
        return self.callee.rpartition(".")[0]


@dataclass(slots=True)
class Str:
    value: str
    line: int
    col: int


@dataclass(slots=True)
class Assign:
    name: str  # the last identifier of the target: "timeout", "BELVO_SECRET_ID", "base_uri"
    target: str
    value: str
    literal: str | None  # the value when it is a plain string literal
    line: int
    col: int


@dataclass(slots=True)
class Compare:
    text: str
    line: int
    col: int


@dataclass(slots=True)
class Func:
    line: int
    end_line: int


@dataclass
class Facts:
    calls: list[Call] = field(default_factory=list)
    strings: list[Str] = field(default_factory=list)
    assigns: list[Assign] = field(default_factory=list)
    compares: list[Compare] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    error: str | None = None  # why the file could not be parsed (the facts are then empty)

    def enclosing(self, line: int) -> Func | None:
        """The innermost function around a line."""
        best = None
        for func in self.funcs:
            if func.line <= line <= func.end_line and (best is None or func.line >= best.line):
                best = func
        return best


def compact(text: str) -> str:
    """A callee as one dotted name: `new Foo.Bar` -> Foo.Bar, `$this->client->get` -> this.client.get."""
    text = _NEW.sub("", text.lstrip())
    return _SPACE.sub("", text).replace("->", ".").replace("::", ".").replace("?.", ".").replace("$", "")


def last_ident(text: str) -> str:
    found = _IDENT.findall(text)
    return found[-1] if found else ""


def unquote(text: str) -> str:
    prefixed = text.lstrip("@$fFbBrRuU")
    if not prefixed.startswith(('"', "'", "`")):  # an identifier (`request`, `$body`), not a prefixed literal
        return text
    text = prefixed
    for quote in ('"""', "'''", '"', "'", "`"):
        if len(text) >= 2 * len(quote) and text.startswith(quote) and text.endswith(quote):
            return text[len(quote):-len(quote)]
    return text


# ----------------------------------------------------------------------------- tree-sitter

_STRING_TYPES = frozenset({"string", "template_string", "interpreted_string_literal", "raw_string_literal",
                           "string_literal", "encapsed_string", "verbatim_string_literal",
                           "interpolated_string_expression"})


def _arguments_of(node):
    found = node.child_by_field_name("arguments") or node.child_by_field_name("initializer")
    if found is None:
        found = next((child for child in node.children if child.type.endswith("argument_list")), None)
    return found


def _starting_within(spans: list[tuple], starts: list[int], lo: int, hi: int) -> list[tuple]:
    """The spans (sorted by start byte, their starts in `starts`) that start between byte lo and byte hi."""
    return spans[bisect.bisect_left(starts, lo):bisect.bisect_right(starts, hi)]


def from_tree_sitter(data: bytes, language: str) -> Facts:
    from tree_sitter import QueryCursor

    from belvo_check.source.languages import grammar, parser

    facts = Facts()
    ts_parser = parser(language)
    if ts_parser is None:
        facts.error = f"no grammar for {language}"
        return facts
    tree = ts_parser.parse(data)
    query = grammar(language)[1]
    text = lambda node: data[node.start_byte:node.end_byte].decode("utf-8", "replace")  # noqa: E731
    pending_calls = []
    seen_calls = set()
    assign_spans: list[tuple[int, int, Assign]] = []
    string_spans: list[tuple[int, Str]] = []
    for _, captures in QueryCursor(query).matches(tree.root_node):
        if "call" in captures:
            node = captures["call"][0]
            if node.id in seen_calls:
                continue
            seen_calls.add(node.id)
            args = captures["args"][0] if "args" in captures else _arguments_of(node)
            cut = args.start_byte if args is not None else captures["callee"][0].end_byte
            callee = compact(data[node.start_byte:cut].decode("utf-8", "replace").lstrip("@["))
            pending_calls.append((node, args, callee))
        elif "string" in captures:
            node = captures["string"][0]
            row, col = node.start_point
            raw = text(node)
            fact = Str(unquote(raw)[:MAX_TEXT], row + 1, col + 1)
            facts.strings.append(fact)
            string_spans.append((node.start_byte, fact))
        elif "assign" in captures:
            node = captures["assign"][0]
            target, value = captures["target"][0], captures["value"][0]
            row, col = target.start_point
            target_text = text(target)
            value_text = text(value)[:MAX_TEXT]
            literal = unquote(value_text) if value.type in _STRING_TYPES or (
                value.child_count == 1 and value.children[0].type in _STRING_TYPES) else None
            fact = Assign(last_ident(unquote(target_text)), target_text[:200], value_text, literal, row + 1, col + 1)
            facts.assigns.append(fact)
            assign_spans.append((node.start_byte, node.end_byte, fact))
        elif "func" in captures:
            node = captures["func"][0]
            facts.funcs.append(Func(node.start_point[0] + 1, node.end_point[0] + 1))
        elif "compare" in captures:
            node = captures["compare"][0]
            body = text(node)
            if "==" in body or "!=" in body:
                facts.compares.append(Compare(body[:300], node.start_point[0] + 1, node.start_point[1] + 1))
    assign_spans.sort(key=lambda span: span[0])
    string_spans.sort(key=lambda span: span[0])
    assign_starts = [span[0] for span in assign_spans]
    string_starts = [span[0] for span in string_spans]
    for node, args, callee in pending_calls:
        row, col = node.start_point
        if args is not None and args.start_point[0] != row:  # a chain over lines: report where its call is
            row, col = args.start_point
        call = Call(callee, last_ident(callee), text(args)[:MAX_TEXT] if args is not None else "",
                    row + 1, col + 1, node.end_point[0] + 1)
        if args is not None:
            # C# object initialisers ({ Timeout = ... }) follow the argument list: they count too
            lo, hi = args.start_byte, node.end_byte if node.type == "object_creation_expression" else args.end_byte
            for _, end, assign in _starting_within(assign_spans, assign_starts, lo, hi):
                if end <= hi:
                    call.keywords.setdefault(assign.name, assign.value)
            call.strings = [fact.value for _, fact in _starting_within(string_spans, string_starts, lo, hi)]
        facts.calls.append(call)
    facts.calls.sort(key=lambda call: (call.line, call.col))
    return facts


# ----------------------------------------------------------------------------- Python

def from_python(data: bytes) -> Facts:
    import ast

    facts = Facts()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError) as error:
        facts.error = f"Python syntax error: {error}"
        return facts
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 10:
            starts.append(index + 1)

    def segment(first, last=None) -> str:
        """The source text of a node, or from the start of node `first` to the end of node `last`."""
        last = first if last is None else last
        try:
            begin = starts[first.lineno - 1] + first.col_offset
            end = starts[last.end_lineno - 1] + last.end_col_offset
        except (AttributeError, IndexError, TypeError):
            return ""
        return data[begin:end].decode("utf-8", "replace")

    def literal(node) -> str | None:
        return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None

    def add_assign(name: str, target: str, value) -> None:
        facts.assigns.append(Assign(name, target[:200], segment(value)[:MAX_TEXT], literal(value),
                                    value.lineno, value.col_offset + 1))

    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Call:
            callee = compact(segment(node.func))
            call = Call(callee, last_ident(callee), "", node.lineno, node.col_offset + 1,
                        node.end_lineno or node.lineno)
            parts = [*node.args, *(k.value for k in node.keywords)]
            if parts:
                call.args = segment(min(parts, key=lambda n: (n.lineno, n.col_offset)),
                                    max(parts, key=lambda n: (n.end_lineno, n.end_col_offset)))[:MAX_TEXT]
            for keyword in node.keywords:
                call.keywords[keyword.arg or "**"] = segment(keyword.value)[:MAX_TEXT]
            for part in parts:
                for inner in ast.walk(part):
                    if isinstance(inner, ast.Dict):
                        for key, value in zip(inner.keys, inner.values):
                            if literal(key) is not None:
                                call.keywords.setdefault(key.value, segment(value)[:MAX_TEXT])
                    elif literal(inner) is not None:
                        call.strings.append(inner.value)
            facts.calls.append(call)
        elif kind is ast.Constant and isinstance(node.value, str):
            facts.strings.append(Str(node.value[:MAX_TEXT], node.lineno, node.col_offset + 1))
        elif kind is ast.JoinedStr:
            facts.strings.append(Str(unquote(segment(node))[:MAX_TEXT], node.lineno, node.col_offset + 1))
        elif kind is ast.Assign or kind is ast.AnnAssign or kind is ast.AugAssign:
            targets = node.targets if kind is ast.Assign else [node.target]
            if node.value is not None:
                for target in targets:
                    text = segment(target)
                    add_assign(last_ident(text), text, node.value)
        elif kind is ast.keyword and node.arg:
            add_assign(node.arg, node.arg, node.value)
        elif kind is ast.Dict:
            for key, value in zip(node.keys, node.values):
                if literal(key) is not None:
                    add_assign(last_ident(key.value) or key.value, key.value, value)
        elif kind is ast.Compare:
            facts.compares.append(Compare(segment(node)[:300], node.lineno, node.col_offset + 1))
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef or kind is ast.Lambda:
            facts.funcs.append(Func(node.lineno, node.end_lineno or node.lineno))
    facts.calls.sort(key=lambda call: (call.line, call.col))
    return facts


def extract(data: bytes, language: str) -> Facts:
    if language == "python":
        return from_python(data)
    return from_tree_sitter(data, language)
