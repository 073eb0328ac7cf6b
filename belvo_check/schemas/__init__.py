"""Published JSON Schemas: the config file and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from belvo_check.errors import UsageError

HERE = Path(__file__).parent
REPORT_SCHEMA = HERE / "report-v1.json"
CONFIG_SCHEMA = HERE / "config-v1.json"


def schema_text(which: str) -> str:
    if which == "report":
        return REPORT_SCHEMA.read_text()
    if which == "config":
        from belvo_check.config import config_schema

        return json.dumps(config_schema(), indent=2) + "\n"
    raise UsageError(f"unknown schema {which!r}: choose config or report")
