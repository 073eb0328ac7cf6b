"""YAML loading that remembers where every key is, so config errors can name file:line:col."""

from __future__ import annotations

from typing import Any

import yaml

from belvo_check.errors import ConfigError

Path_ = tuple  # a key path: ("belvo", "secret_id") or ("checks", "ignore", 0, "id")


def load_with_positions(text: str, filename: str) -> tuple[Any, dict[Path_, tuple[int, int]]]:
    """Parse YAML; return the data and a map from key path to its (line, column), 1-based."""
    loader = yaml.SafeLoader(text)
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
