"""GitHub Actions annotations and GitLab Code Quality JSON from a real run."""

from __future__ import annotations

import json
import re

from belvo_check.report.github import to_github
from belvo_check.report.gitlab import to_gitlab

ANNOTATION = re.compile(r"^::(error|warning|notice) ((?:[a-z]+=[^,:]*,?)*)::(.*)$")


def test_annotations_point_at_the_config_key_and_escape_newlines(report):
    lines = to_github(report).splitlines()
    annotations = [ANNOTATION.match(line) for line in lines if line.startswith("::")]
    assert all(annotations), lines
    by_title = {}
    for match in annotations:
        props = dict(p.split("=", 1) for p in match.group(2).split(","))
        by_title[props["title"].split()[0]] = (match.group(1), props, match.group(3))
    level, props, data = by_title["BLV701"]
    assert level == "error" and props["file"] == "belvo-check.yaml" and props["line"] == "4" and props["col"] == "3"
    assert "%0AFix: " in data and "\n" not in data
    assert by_title["BLV802"][0] == "warning" and "file" not in by_title["BLV802"][1]
    assert lines[-1].startswith(f"{report.verified} of {len(report.results)} checks verified: ")
    assert lines[-1].endswith("NOT READY for production on config evidence; source and behaviour not run")


def test_code_quality_issues_have_paths_lines_and_unique_fingerprints(report):
    issues = json.loads(to_gitlab(report))
    assert {i["check_name"] for i in issues} == {"BLV401", "BLV701", "BLV802"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    by_check = {i["check_name"]: i for i in issues}
    assert by_check["BLV701"]["location"] == {"path": "belvo-check.yaml", "lines": {"begin": 4}}
    assert by_check["BLV701"]["severity"] == "major" and by_check["BLV802"]["severity"] == "minor"
    assert by_check["BLV802"]["location"] == {"path": "belvo-check.yaml", "lines": {"begin": 1}}
