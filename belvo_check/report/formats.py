"""Report formats by name, and `--format NAME[=FILE]` outputs: several per run, each to stdout or
to its own file, every file written whole or not at all."""

from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from belvo_check.errors import UsageError

# name -> "module:function(report) -> str"; imported only when asked for.
RENDERERS = {
    "json": "belvo_check.report.json_report:to_json",
    "sarif": "belvo_check.report.sarif:to_sarif",
    "junit": "belvo_check.report.junit:to_junit",
    "github": "belvo_check.report.github:to_github",
    "gitlab": "belvo_check.report.gitlab:to_gitlab",
    "markdown": "belvo_check.report.markdown:to_markdown",
    "html": "belvo_check.report.html:to_html",
}
FORMATS = ("rich", *RENDERERS)


@dataclass(frozen=True)
class Output:
    fmt: str
    path: Path | None  # None: stdout

    def __str__(self) -> str:
        return f"{self.fmt}={self.path}" if self.path else self.fmt


def parse_outputs(values: list[str], output: Path | None = None) -> list[Output]:
    """`--format` values as outputs; `-o FILE` goes with the one format given without a file."""
    outputs = []
    for value in values:
        fmt, sep, path = value.partition("=")
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise UsageError(f"--format {value!r}: unknown format {fmt!r}; one of: {', '.join(FORMATS)} "
                             "(NAME=FILE writes it to a file)")
        if sep and not path.strip():
            raise UsageError(f"--format {value!r}: no file after '='")
        outputs.append(Output(fmt, Path(path.strip()) if sep else None))
    if output is not None:
        bare = [index for index, o in enumerate(outputs) if o.path is None]
        if not outputs:
            outputs = [Output("rich", output)]
        elif len(bare) == 1:
            outputs[bare[0]] = Output(outputs[bare[0]].fmt, output)
        else:
            raise UsageError("-o FILE goes with exactly one --format given without a file; "
                             "or write each as --format NAME=FILE")
    outputs = outputs or [Output("rich", None)]
    on_stdout = [o.fmt for o in outputs if o.path is None]
    # rich and GitHub annotations share a log happily; any other format must have stdout to itself.
    if len(on_stdout) > 1 and set(on_stdout) - {"rich", "github"}:
        raise UsageError(f"--format: {', '.join(on_stdout)} would all go to stdout; give all but one a file "
                         "(--format NAME=FILE)")
    paths = [o.path.resolve() for o in outputs if o.path]
    if len(paths) != len(set(paths)):
        raise UsageError("--format: two formats name the same file")
    return outputs


def machine_on_stdout(outputs: list[Output]) -> bool:
    """A format a program parses owns stdout: then the human summary goes to stderr."""
    return any(o.path is None and o.fmt not in ("rich", "github") for o in outputs)


def render_text(report, fmt: str) -> str:
    module, function = RENDERERS[fmt].split(":")
    return getattr(importlib.import_module(module), function)(report)


def check_writable(path: Path) -> None:
    """Before any check runs: a report that cannot be written should not cost a whole run."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"cannot write {path}: folder {directory} does not exist")
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")


def write_atomically(path: Path, text: str) -> None:
    """Write next to the target, then rename: an interrupted run never leaves half a report."""
    check_writable(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
