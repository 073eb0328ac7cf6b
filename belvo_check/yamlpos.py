"""YAML loading that remembers where every key is, so config errors can name file:line:col.

Every YAML file belvo-check reads (the config, a user's simulator scenario) goes through
`BoundedLoader`: aliases cannot expand a small file into a huge document ("billion laughs"),
refer to a collection that contains them, or nest it deeper than MAX_DEPTH, and neither can
plain nesting, so loading is bounded in memory and never hits Python's recursion limit.
"""

from __future__ import annotations

from typing import Any

import yaml

from belvo_check.errors import ConfigError

Path_ = tuple  # a key path: ("belvo", "secret_id") or ("checks", "ignore", 0, "id")
MAX_DEPTH = 64  # nested collections, aliases expanded; real configs and scenarios use under 10
MAX_ALIAS_VALUES = 10_000  # values all aliases of a document bring in, nested ones counted expanded


class YAMLLimitError(yaml.MarkedYAMLError):
    """The document is nested too deeply or its aliases expand too far."""

    def __init__(self, problem: str, mark) -> None:
        super().__init__(problem=problem, problem_mark=mark)


class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that measures nesting and alias expansion while composing, before anything is built."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0  # collections open around the node being composed
        self._aliased = 0  # values brought in by aliases so far
        self._measured: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) when expanded

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if isinstance(node, yaml.CollectionNode) and node.end_mark is None:
                raise YAMLLimitError(f"alias *{event.anchor} refers to a collection that contains it",
                                     event.start_mark)
            values, depth = self._measure(node)
            self._aliased += values
            if self._aliased > MAX_ALIAS_VALUES:
                raise YAMLLimitError(f"aliases expand to more than {MAX_ALIAS_VALUES} values (a YAML bomb?); "
                                     "write the values out instead", event.start_mark)
            if self._depth + depth > MAX_DEPTH:
                raise YAMLLimitError(f"alias *{event.anchor} nests the document deeper than {MAX_DEPTH} levels",
                                     event.start_mark)
            return node
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) and self._depth >= MAX_DEPTH:
            raise YAMLLimitError(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _measure(self, node: yaml.Node) -> tuple[int, int]:
        """(values, depth) of a composed node with every alias in it expanded; each node measured once."""
        known = self._measured.get(id(node))
        if known is None:
            if isinstance(node, yaml.SequenceNode):
                parts = [self._measure(item) for item in node.value]
            elif isinstance(node, yaml.MappingNode):
                parts = [self._measure(n) for pair in node.value for n in pair]
            else:
                parts = []
            known = (1 + sum(v for v, _ in parts), 1 + max((d for _, d in parts), default=0))
            self._measured[id(node)] = known
        return known


def safe_load(text: str) -> Any:
    """yaml.safe_load, bounded (see BoundedLoader); raises yaml.YAMLError."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_with_positions(text: str, filename: str) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse YAML; return the data and a map from key path to its (line, column), 1-based."""
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        positions: dict[Path_, tuple[int, int]] = {}
        _walk(node, (), positions, filename)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        raise ConfigError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{filename}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, positions


def _walk(node: yaml.Node, path: Path_, positions: dict, filename: str) -> None:
    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, yaml.ScalarNode):
                raise ConfigError(f"{filename}:{here[0]}:{here[1]}: a key must be plain text, not a list or mapping")
            if key in seen:
                # PyYAML keeps the last silently; a config must not hide a value like that.
                raise ConfigError(f"{filename}:{here[0]}:{here[1]}: duplicate key {key!r}")
            seen.add(key)
            positions[path + (key,)] = here
            _walk(value_node, path + (key,), positions, filename)
            positions[path + (key,)] = here  # the key's own position wins over its value's
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), positions, filename)
