"""Hostile configs: YAML bombs and deep nesting end in one line and exit 2; unset variables skip, not stop.

The YAML cases run `belvo-check run -c` as a child limited to 1 GiB of address space, so a loader
that expanded the bomb would die (and fail the test) instead of taking the machine down.
"""

from __future__ import annotations

import json
import re
import resource

import pytest

from tests.conftest import enable_lines, run_cli

BASE = "version: 1\nenvironment: sandbox\n"
LOL = '["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'


def one_gib():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def billion_laughs() -> str:
    lines = [BASE.rstrip(), f"a0: &a0 {LOL}"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def alias_chain() -> str:
    """Each alias is small, but together they nest the document past any sane depth."""
    lines = [BASE.rstrip(), "c0: &c0 " + "[" * 40 + "1" + "]" * 40]
    lines += [f"c{i}: &c{i} " + "[" * 40 + f"*c{i - 1}" + "]" * 40 for i in range(1, 30)]
    return "\n".join(lines) + "\n"


CASES = {
    "billion laughs": (billion_laughs, r"7:10: invalid YAML: aliases expand to more than 10000 values "
                                      r"\(a YAML bomb\?\); write the values out instead"),
    "50,000-deep flow list": (lambda: BASE + "x: " + "[" * 50_000 + "]" * 50_000 + "\n",
                              r"3:67: invalid YAML: nested deeper than 64 levels"),
    "50,000-deep flow mapping": (lambda: BASE + "x: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "\n",
                                 r"3:\d+: invalid YAML: nested deeper than 64 levels"),
    "1,000-deep block list": (lambda: BASE + "x:\n" + "".join(" " * i + "-\n" for i in range(1_000)),
                              r"\d+:\d+: invalid YAML: nested deeper than 64 levels"),
    "alias chain": (alias_chain, r"4:\d+: invalid YAML: alias \*c0 nests the document deeper than 64 levels"),
    "self-containing alias": (lambda: BASE + "x: &loop [1, *loop]\n",
                              r"3:14: invalid YAML: alias \*loop refers to a collection that contains it"),
    "list as a key": (lambda: BASE + "? [a, b]\n: 1\n", r"3:3: a key must be plain text, not a list or mapping"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_yaml_exits_2_with_one_line_naming_file_and_line(write_config, name):
    make, message = CASES[name]
    path = write_config(make())
    assert path.stat().st_size < 1_000_000
    result = run_cli("run", "-c", str(path), timeout=300, preexec_fn=one_gib)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    assert re.fullmatch(rf"error: {re.escape(str(path))}:{message}\n", result.stderr), result.stderr[-2000:]


@pytest.mark.parametrize("name, message", [
    ("billion laughs", "6: invalid YAML: aliases expand to more than 10000 values (a YAML bomb?); write the values "
                       "out instead"),
    ("50,000-deep flow list", "2: invalid YAML: nested deeper than 64 levels"),
])
def test_a_hostile_scenario_file_for_the_simulator_exits_2_with_one_line(write_config, name, message):
    path = write_config("name: hostile\n" + CASES[name][0]().split("\n", 2)[2], name="hostile-scenario.yaml")
    result = run_cli("sim", "--port", "0", "--scenario", str(path), timeout=300, preexec_fn=one_gib)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {path}:{message}\n")


def test_anchors_and_merge_keys_within_the_budget_still_load(write_config):
    path = write_config(BASE + "checks:\n  ignore:\n"
                        "    - &skip {id: BLV401, reason: shared hook until December, owner: ana@example.com}\n"
                        "    - {<<: *skip, id: BLV402}\n")
    result = run_cli("run", "-c", str(path), "--select", "BLV401,BLV402", "--format", "json")
    assert result.returncode == 0, result.stderr
    # Both entries apply (the merge key carried reason and owner): both skips are accepted, so ignored.
    assert {r["id"]: r["status"] for r in json.loads(result.stdout)["results"]} == {"BLV401": "ignored",
                                                                                     "BLV402": "ignored"}


UNSET = "BC_HOSTILE_UNSET_VAR"


@pytest.mark.parametrize("section, line, checks", [
    (f'  env: {{TOKEN: "${{{UNSET}}}"}}\n  flows: {{widget_token: "true"}}\n', (4, 9), "BLV101,BLV102"),
    (f'  flows: {{widget_token: "run --token ${{{UNSET}}}"}}\n', (4, 11), "BLV101,BLV102"),
    # probes go to the receiver `start` would run: they skip for the same variable
    (f'  start: "serve --auth ${{{UNSET}}}"\n  flows: {{widget_token: "true"}}\n', (4, 3),
     "BLV101,BLV102,BLV403,BLV408"),
])
def test_an_unset_variable_in_the_integration_skips_the_harness_checks_naming_it(write_config, section, line,
                                                                                checks):
    path = write_config(BASE + "integration:\n" + section)
    result = run_cli("run", "-c", str(path), "--select", checks, "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    results = report["results"]
    assert [r["id"] for r in results] == checks.split(",")
    assert [r["status"] for r in results] == ["skip"] * len(results)
    for r in results:
        finding, *others = r["findings"]  # others: what would enable the source evidence of the same item
        assert all(o["status"] == "skip" and "source" in o["message"] for o in others), others
        assert f"uses ${{{UNSET}}}, which is not set in this environment ({path}:{line[0]}:{line[1]})" \
            in finding["message"], finding
        assert UNSET in enable_lines(report, r["id"])


@pytest.mark.parametrize("text, message", [
    (BASE + "integration:\n  timeout: ${BC_HOSTILE_T}\n",
     "4:3: integration.timeout uses ${BC_HOSTILE_T}, which is not set in the environment, and this key needs a "
     "value: set BC_HOSTILE_T, or give a default like ${BC_HOSTILE_T:-...}"),
    (BASE + "integration:\n  flows: {sync: 'echo ${HOME/x}'}\n",
     "4:11: integration.flows.sync: `${` starts no ${VAR} or ${VAR:-default} reference; write $${ for a "
     "literal ${"),
])
def test_where_a_value_is_required_the_error_says_so(write_config, text, message):
    path = write_config(text)
    result = run_cli("run", "-c", str(path))
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {path}:{message}\n")


def test_dollar_dollar_reaches_the_command_as_a_literal_dollar(write_config, tmp_path):
    out = tmp_path / "seen by the shell.txt"
    path = write_config(BASE + f"""integration:
  env: {{BC_MARK: from-the-shell}}
  flows:
    widget_token: printf '%s\\n' "$${{BC_MARK}}" '$${{NOT_EXPANDED}}' 'a$$b' '{{workdir}}' > '{out}'
""")
    result = run_cli("drill", "widget", "-c", str(path))
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[:3] == ["from-the-shell", "${NOT_EXPANDED}", "a$b"]
    assert lines[3].startswith("/") and "{" not in lines[3]  # the placeholder next to them was still filled
