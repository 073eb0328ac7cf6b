"""The house: no import circles inside belvo_check, and every import points down the layers.

Imports are read from the source with `ast`, never executed, and every one counts: at module
level, inside a function, under TYPE_CHECKING. A module finds another by name at run time
(importlib.import_module of a computed name: the evidence providers, the check modules, plugins)
only where the lower one is handed what to load, and that is not an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The package's folders, as pyproject.toml installs them: checks/ installs as belvo_check.checks.
PACKAGES = {"belvo_check": REPO / "belvo_check", "belvo_check.checks": REPO / "checks"}

# The layer order, top first; a unit is a top-level module or subpackage of belvo_check (`checks`
# is belvo_check.checks, `__init__` the package itself). A unit imports its own modules and the
# units of the layers below it, never a unit beside it or above it.
LAYERS = (
    "__main__",
    "cli",
    "run init",  # the commands
    "runner",
    "checks",
    "probes report",
    "harness",
    "registry",  # what a check is
    "evidence needs agreement schemas",  # needs: the drill and flow vocabulary checks declare
    "sim config",
    "source",
    "bounded_http yamlpos signals",
    "urls model secrets errors __init__",
)


def modules(packages: dict[str, Path]) -> dict[str, Path]:
    """Every module by dotted name; a subpackage installed from its own folder is read from there."""
    found: dict[str, Path] = {}
    for package, folder in packages.items():
        for path in sorted(folder.rglob("*.py")):
            parts = (package, *path.relative_to(folder).with_suffix("").parts)
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            owner = max((p for p in packages if name == p or name.startswith(p + ".")), key=len)
            if owner == package:  # belvo_check/checks/ is not where belvo_check.checks comes from
                found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> dict[str, int]:
    """The modules of `known` that module `name` imports, each with the line of its first import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}

    def owning(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
            targets = submodules + ([base] if len(submodules) < len(node.names) else [])
        else:
            continue
        for target in targets:
            module = owning(target)
            if module and module != name:
                found.setdefault(module, node.lineno)
    return found


def graph(packages: dict[str, Path]) -> tuple[dict[str, dict[str, int]], dict[str, Path]]:
    known = modules(packages)
    return {name: imports(name, path, known) for name, path in known.items()}, known


def circles(edges: dict[str, dict[str, int]]) -> list[tuple[list[str], set[str]]]:
    """Each group of modules that import each other, with one shortest circle through it (Tarjan, then BFS)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(start: str) -> None:  # iterative: a deep import chain must not hit the recursion limit
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(edges[child])))
            elif child in stack:
                low[node] = min(low[node], index[child])

    for name in edges:
        if name not in index:
            visit(name)
    found = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for child in edges[node]:
                if child == start:
                    found.append((paths[node] + [start], group))
                    queue = []
                    break
                if child in group and child not in paths:
                    paths[child] = paths[node] + [child]
                    queue.append(child)
    return sorted(found, key=lambda found: found[0])


def unit(module: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["belvo_check", "checks"]:
        return "checks"
    return parts[1] if len(parts) > 1 else "__init__"


def upward(edges: dict[str, dict[str, int]], known: dict[str, Path], layers=LAYERS) -> list[str]:
    """Every import of a unit beside or above the importer's, and every unit the order leaves out."""
    rank = {name: depth for depth, layer in enumerate(layers) for name in layer.split()}
    problems = [f"{known[m]}: unit {unit(m)} has no place in the layer order (LAYERS, {Path(__file__).name})"
                for m in sorted(edges) if unit(m) not in rank]
    for module, targets in sorted(edges.items()):
        for target, line in sorted(targets.items(), key=lambda item: item[1]):
            ours, theirs = unit(module), unit(target)
            if ours != theirs and ours in rank and theirs in rank and rank[theirs] <= rank[ours]:
                where = "beside" if rank[theirs] == rank[ours] else "above"
                problems.append(f"{known[module]}:{line}: {module} imports {target}: {theirs} is {where} "
                                f"{ours} in the layer order")
    return problems


def _shown(circle: list[str], group: set[str], edges: dict[str, dict[str, int]]) -> str:
    shown = " -> ".join(f"{a} (line {edges[a][b]})" for a, b in zip(circle, circle[1:])) + f" -> {circle[-1]}"
    others = sorted(group - set(circle))
    return shown + (f"; also in the tangle: {', '.join(others)}" if others else "")


def test_no_import_circles():
    edges, _ = graph(PACKAGES)
    found = circles(edges)
    assert not found, "import circles:\n  " + "\n  ".join(_shown(c, g, edges) for c, g in found)


def test_every_import_points_down():
    edges, known = graph(PACKAGES)
    problems = upward(edges, known)
    assert not problems, "imports against the layer order:\n  " + "\n  ".join(problems)


def test_the_layer_order_names_each_unit_once():
    names = [name for layer in LAYERS for name in layer.split()]
    assert len(names) == len(set(names))
    _, known = graph(PACKAGES)
    assert set(names) == {unit(m) for m in known}, "LAYERS names a unit that does not exist"


# --- the checker itself, on small trees -------------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {"belvo_check": tmp_path / "belvo_check", "belvo_check.checks": tmp_path / "checks"}


@pytest.mark.parametrize("hidden", [
    "def f():\n    from belvo_check.low import x\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from belvo_check import low\n",
    "from . import low\n",
    "import belvo_check.low.deep as d\n",
])
def test_a_circle_is_found_however_the_import_is_written(tmp_path, hidden):
    packages = _tree(tmp_path, {"belvo_check/__init__.py": "", "belvo_check/high.py": hidden,
                                "belvo_check/low/__init__.py": "x = 1\n", "belvo_check/low/deep.py": ""})
    if "deep" in hidden:
        (tmp_path / "belvo_check/low/deep.py").write_text("from belvo_check import high\n")
    else:
        (tmp_path / "belvo_check/low/__init__.py").write_text("from belvo_check.high import y\n")
    edges, _ = graph(packages)
    [(circle, group)] = circles(edges)
    assert circle[0] == circle[-1] and "belvo_check.high" in circle and set(circle) == group


def test_a_tree_without_circles_passes(tmp_path):
    packages = _tree(tmp_path, {"belvo_check/__init__.py": "", "belvo_check/low.py": "import json\n",
                                "belvo_check/high.py": "from belvo_check import low\nfrom .low import x\n",
                                "checks/__init__.py": "", "checks/a.py": "from belvo_check.high import y\n"})
    edges, _ = graph(packages)
    assert circles(edges) == []
    assert edges["belvo_check.checks.a"] == {"belvo_check.high": 1}


def test_an_upward_import_is_named_and_a_downward_one_is_not(tmp_path):
    packages = _tree(tmp_path, {"belvo_check/__init__.py": "", "belvo_check/cli.py": "from belvo_check import run\n",
                                "belvo_check/run.py": "def f():\n    import belvo_check.cli\n",
                                "belvo_check/model.py": "", "checks/__init__.py": "",
                                "checks/a.py": "from belvo_check.model import x\n"})
    edges, known = graph(packages)
    layers = ("cli", "run", "checks", "model __init__")
    [problem] = upward(edges, known, layers)
    assert "run.py:2: belvo_check.run imports belvo_check.cli: cli is above run" in problem
    assert upward(edges, known, ("cli", "run checks", "model __init__")) == [problem]
    missing = upward(edges, known, ("cli", "run", "model __init__"))
    assert any("checks" in p and "no place in the layer order" in p for p in missing)


def test_importing_a_unit_beside_is_named(tmp_path):
    packages = _tree(tmp_path, {"belvo_check/__init__.py": "", "belvo_check/probes.py": "from belvo_check import report\n",
                                "belvo_check/report.py": ""})
    edges, known = graph(packages)
    [problem] = upward(edges, known, ("probes report", "__init__"))
    assert "report is beside probes" in problem
