"""Tree-sitter grammars, loaded lazily: importing this module costs nothing until a file is parsed.

One query per language turns a syntax tree into the language-neutral facts of
belvo_check.source.facts: calls (with their keyword or option arguments), string literals,
assignments (including object/hash/array pairs and struct fields) and function extents.
"""

from __future__ import annotations

import importlib
import threading
from functools import lru_cache

GRAMMARS = {  # language -> (module, function returning the grammar)
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "ruby": ("tree_sitter_ruby", "language"),
    "php": ("tree_sitter_php", "language_php"),
    "csharp": ("tree_sitter_c_sharp", "language"),
}

# One query per grammar, written in tree-sitter's own query language: node and field names differ from
# grammar to grammar (call_expression, method_invocation, invocation_expression...), so each is data as
# the grammar spells it, checkable against that grammar's node types, rather than generated from a table.
_JS = """
(call_expression function: (_) @callee arguments: (_) @args) @call
(new_expression constructor: (_) @callee arguments: (arguments) @args) @call
(decorator (call_expression function: (_) @callee arguments: (_) @args) @call)
(string) @string
(template_string) @string
(variable_declarator name: (_) @target value: (_) @value) @assign
(assignment_expression left: (_) @target right: (_) @value) @assign
(pair key: (_) @target value: (_) @value) @assign
(function_declaration) @func
(method_definition) @func
(arrow_function) @func
(function_expression) @func
(binary_expression) @compare
"""
QUERIES = {
    "javascript": _JS,
    "typescript": _JS,
    "tsx": _JS,
    "go": """
(call_expression function: (_) @callee arguments: (_) @args) @call
(composite_literal type: (_) @callee body: (literal_value) @args) @call
(interpreted_string_literal) @string
(raw_string_literal) @string
(short_var_declaration left: (_) @target right: (_) @value) @assign
(assignment_statement left: (_) @target right: (_) @value) @assign
(keyed_element key: (_) @target value: (_) @value) @assign
(const_spec name: (_) @target value: (_) @value) @assign
(var_spec name: (_) @target value: (_) @value) @assign
(function_declaration) @func
(method_declaration) @func
(func_literal) @func
(binary_expression) @compare
""",
    "java": """
(method_invocation name: (_) @callee arguments: (argument_list) @args) @call
(object_creation_expression type: (_) @callee arguments: (argument_list) @args) @call
(annotation name: (_) @callee arguments: (annotation_argument_list) @args) @call
(string_literal) @string
(variable_declarator name: (_) @target value: (_) @value) @assign
(assignment_expression left: (_) @target right: (_) @value) @assign
(element_value_pair key: (_) @target value: (_) @value) @assign
(method_declaration) @func
(constructor_declaration) @func
(lambda_expression) @func
(binary_expression) @compare
""",
    "ruby": """
(call method: (_) @callee) @call
(string) @string
(assignment left: (_) @target right: (_) @value) @assign
(operator_assignment left: (_) @target right: (_) @value) @assign
(pair key: (_) @target value: (_) @value) @assign
(method) @func
(singleton_method) @func
(block) @func
(do_block) @func
(binary) @compare
""",
    "php": """
(function_call_expression function: (_) @callee arguments: (arguments) @args) @call
(member_call_expression name: (_) @callee arguments: (arguments) @args) @call
(nullsafe_member_call_expression name: (_) @callee arguments: (arguments) @args) @call
(scoped_call_expression name: (_) @callee arguments: (arguments) @args) @call
(object_creation_expression (_) @callee (arguments) @args) @call
(attribute (_) @callee (arguments) @args) @call
(string) @string
(encapsed_string) @string
(assignment_expression left: (_) @target right: (_) @value) @assign
(array_element_initializer (_) @target "=>" (_) @value) @assign
(argument name: (_) @target (_) @value) @assign
(function_definition) @func
(method_declaration) @func
(anonymous_function) @func
(arrow_function) @func
(binary_expression) @compare
""",
    "csharp": """
(invocation_expression function: (_) @callee arguments: (argument_list) @args) @call
(object_creation_expression type: (_) @callee) @call
(attribute name: (_) @callee) @call
(string_literal) @string
(verbatim_string_literal) @string
(raw_string_literal) @string
(interpolated_string_expression) @string
(variable_declarator name: (_) @target (_) @value) @assign
(assignment_expression left: (_) @target right: (_) @value) @assign
(argument name: (_) @target (_) @value) @assign
(method_declaration) @func
(constructor_declaration) @func
(local_function_statement) @func
(lambda_expression) @func
(binary_expression) @compare
""",
}


@lru_cache(maxsize=None)
def grammar(language: str):
    """(Language, Query) for a language, or None when no grammar wheel is installed."""
    spec = GRAMMARS.get(language)
    if spec is None:
        return None
    try:
        from tree_sitter import Language, Query
        module = importlib.import_module(spec[0])
    except ImportError:
        return None
    lang = Language(getattr(module, spec[1])())
    return lang, Query(lang, QUERIES[language])


_per_thread = threading.local()


def parser(language: str):
    """A parser for the language, one per thread (a tree-sitter Parser must not be shared between threads)."""
    from tree_sitter import Parser

    parsers = _per_thread.__dict__.setdefault("parsers", {})
    if language not in parsers:
        found = grammar(language)
        parsers[language] = Parser(found[0]) if found else None
    return parsers[language]
