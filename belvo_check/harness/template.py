"""Filling {placeholders} into the integration's commands, env values, paths and URLs.

The config already rejected unknown placeholders at load time (config.INTEGRATION_PLACEHOLDERS);
this module fills the known ones. Commands run through a shell, so every value substituted
into a command is shell-quoted; env values, paths and URLs get the raw value.
"""

from __future__ import annotations

import shlex
from typing import Mapping

from belvo_check.config import PLACEHOLDER
from belvo_check.errors import ConfigError


def render(text: str, values: Mapping[str, str], *, key: str, shell: bool = False) -> str:
    """`text` with each {name} replaced; `key` names the config key in errors."""

    def fill(match) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name not in values:
            # Known to the config but not available here (e.g. {link_id} before a link exists).
            raise ConfigError(f"{key}: placeholder {{{name}}} has no value at this point of the run")
        value = str(values[name])
        return shlex.quote(value) if shell else value

    return PLACEHOLDER.sub(fill, text)


def placeholders(text: str | None) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(text or "") if m.group(1) is not None}
