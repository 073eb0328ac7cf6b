"""The belvo-check command line. Imports stay inside commands so start-up stays fast."""

import gc
import os
import signal
import sys
import threading
from enum import Enum
from pathlib import Path
from typing import List, NoReturn, Optional

import typer

from belvo_check import __version__
from belvo_check.signals import EXIT_INTERRUPTED, STOP_SIGNALS, exit_now, on_stop_signals

EXIT_CODES_HELP = (
    "Exit codes: 0 ready (nothing at or above --fail-on; ignored findings never count), 1 not ready, "
    "2 usage or config error, 3 a check errored, 4 incomplete (a production run where a check that "
    "would block was skipped for lack of evidence, and the config does not accept that skip), 130 interrupted. "
    "The verdict names the evidence it rests on (READY ... on source evidence; behaviour not run): "
    "`belvo-check explain verdicts`."
)

app = typer.Typer(
    name="belvo-check",
    help="Verify a Belvo integration against Belvo's go-live checklist, with evidence.\n\n"
         "Start with `belvo-check init`, then `belvo-check run`. " + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
webhooks_app = typer.Typer(help="Send Belvo-shaped webhooks to a receiver while you develop it.",
                           no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


class FailOn(str, Enum):
    fail = "fail"
    warn = "warn"
    skip = "skip"


FORMATS_HELP = ("rich (the default), json, sarif, junit, github (Actions annotations), gitlab (Code Quality), "
                "markdown or html; NAME=FILE writes it to a file. Repeat for several in one run, e.g. "
                "--format rich --format sarif=out.sarif --format junit=out.xml.")


def _version(value: bool) -> None:
    if value:
        print(f"belvo-check {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    pass


@app.command(epilog=EXIT_CODES_HELP)
def run(
    config: Path = typer.Option(Path("belvo-check.yaml"), "-c", "--config", help="The config file."),
    select: List[str] = typer.Option([], "--select", help="Only these checks: ids (BLV203), prefixes (BLV2), "
                                     "section names (errors), or static (those needing only the config and the "
                                     "source). Repeat or comma-separate."),
    ignore: List[str] = typer.Option([], "--ignore", help="Leave these checks out (same forms as --select)."),
    formats: List[str] = typer.Option([], "--format", help=FORMATS_HELP),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Write the one --format given without a "
                                          "file (or the plain report) to this file."),
    fail_on: FailOn = typer.Option(FailOn.fail, "--fail-on", help="The mildest status that makes the run NOT "
                                   "READY: fail (and error), warn, or skip (nothing may lack evidence)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 whatever the checks found."),
    live: bool = typer.Option(False, "--live", help="Allow read-only calls to the real Belvo API and "
                              "deliveries to production webhook URLs."),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Show only problems and the summary."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Show all evidence and tracebacks."),
    no_color: bool = typer.Option(False, "--no-color", help="Plain text, no colours (FORCE_COLOR=1 forces them, "
                                  "even in CI)."),
    pack: Optional[Path] = typer.Option(None, "--pack", help="Also write the production-access evidence pack "
                                        "to this new folder: reports, provenance and a SHA-256 manifest."),
) -> None:
    """Run the checks and report pass / warn / fail per checklist item."""
    from belvo_check.run import execute

    code = execute(config=config, select=_split(select), ignore=_split(ignore), formats=formats, output=output,
                   fail_on=fail_on.value, live=live, quiet=quiet, verbose=verbose, no_color=no_color, pack=pack)
    raise typer.Exit(0 if exit_zero and code in (1, 3, 4) else code)  # 2 and 130 (interrupted) stay


@app.command("list")
def list_checks() -> None:
    """List every check: id, section, title, and the evidence it needs."""
    from belvo_check.registry import load_registry

    # Plain aligned text: greppable, and fast (no rich import for a listing).
    rows = [("id", "section", "severity", "evidence", "verifies")]
    rows += [(c.meta.id, c.meta.section.name, c.meta.severity.value, ",".join(e.value for e in c.meta.evidence),
              c.meta.title) for c in load_registry().all()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])


@app.command()
def explain(check_id: str = typer.Argument(..., metavar="ID", help="A check id, e.g. BLV203, or `verdicts`.")) -> None:
    """What a check verifies, the checklist sentence behind it, why, how to fix, an example; `verdicts`:
    how evidence becomes a check's verdict and the run's."""
    from rich.console import Console
    from rich.markdown import Markdown

    from belvo_check.registry import load_registry

    if check_id.lower() in ("verdicts", "verdict"):  # the general topic: how evidence becomes a verdict
        from belvo_check.agreement import RULES

        Console().print(Markdown(RULES))
        return
    meta = load_registry().get(check_id).meta
    header = (f"# {meta.id}: {meta.title}\n\n"
              f"**Section {meta.section.number}, {meta.section.title}** · evidence: "
              f"{', '.join(e.value for e in meta.evidence)} · reported as `{meta.severity.value}` when violated\n\n"
              f"> {meta.checklist}\n\n")
    Console().print(Markdown(header + meta.docs + _source_evidence(meta)))


def _source_evidence(meta) -> str:
    """How the check reads the source, from its declaration: the same words for every check."""
    rule = meta.source
    if rule is None:
        return ""
    from belvo_check.source import concept_names
    from belvo_check.source.concepts import load

    titles, docs = concept_names(), {name: c.docs for name, c in load().items()}
    lines = [f"- `{name}`: {titles.get(name, name)}" + (f". {docs[name]}" if docs.get(name) else "")
             for name in rule.concepts]
    alone = ("The code alone can earn a pass." if rule.proves else
             "The code alone earns a pass decided by source: only behaviour fully proves the item, and the "
             "report names what would bring it.")
    sites = "Every site must be right." if rule.every_site else "One site that does it settles the item."
    absence = f" A scan that finds nothing is evidence: {rule.absence.format(files='N')}." if rule.absence else ""
    both = (" With both kinds of evidence, the check passes only when both pass, and says which decided "
            "(`belvo-check explain verdicts`)." if meta.behaviour else "")
    return ("\n\n## Source evidence\nWith `source:` configured, the check reads these findings of the code "
            "(each at path:line:col; silence one with `belvo-check: ignore[" + meta.id + "] reason`):\n"
            + "\n".join(lines) + f"\n\n{alone} {sites}{absence}{both}\n")


@app.command()
def init(
    path: Path = typer.Argument(Path("belvo-check.yaml"), help="Where to write the config."),
    environment: str = typer.Option("production", "--environment", "-e",
                                    help="The environment the config judges: sandbox or production."),
    root: Optional[Path] = typer.Option(None, "--root", help="The repository to inspect (default: the config's "
                                        "folder)."),
    webhook_production: Optional[str] = typer.Option(None, "--webhook-url-production",
                                                     help="The production webhook URL registered with Belvo."),
    webhook_sandbox: Optional[str] = typer.Option(None, "--webhook-url-sandbox",
                                                  help="The sandbox webhook URL registered with Belvo."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Ask nothing: leave what was not found commented."),
) -> None:
    """Inspect the repository and write a commented config with what it found (never overwrites a file)."""
    from belvo_check.init import Answers, prompt_on_terminal, write_config

    found = write_config(path, root or path.resolve().parent,
                         Answers(environment, webhook_sandbox=webhook_sandbox, webhook_production=webhook_production),
                         ask=prompt_on_terminal(yes))
    what = ", ".join(filter(None, [", ".join(found.languages) or None, ", ".join(found.sdks) or None]))
    print(f"wrote {path}" + (f" (found: {what})" if what else "") +
          f": read its comments, fill in what it asks, then run `belvo-check run -c {path}`")


@app.command()
def sim(
    port: int = typer.Option(8787, "--port", help="Port on 127.0.0.1 (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Bind address; loopback unless you say otherwise."),
    seed: int = typer.Option(1, "--seed", help="Same seed, same data and ids."),
    secret_id: Optional[str] = typer.Option(None, "--secret-id", help="Key id the simulator accepts."),
    secret_password: Optional[str] = typer.Option(None, "--secret-password",
                                                  help="Key password the simulator accepts."),
    scenario: Optional[str] = typer.Option(None, "--scenario", help="A built-in scenario name or a YAML file."),
    page_size_cap: Optional[int] = typer.Option(None, "--page-size-cap", min=0, help="Items per list page at most; "
                                                "0 turns the cap off. Default: the scenario's page_size_cap, "
                                                "else 10 (Belvo's sandbox)."),
) -> None:
    """Serve the Belvo API simulator, with optional faults, until interrupted."""
    from belvo_check.sim.server import serve_forever

    serve_forever(host=host, port=port, seed=seed, secret_id=secret_id, secret_password=secret_password,
                  scenario=scenario, page_size_cap=page_size_cap)


def drill(
    name: Optional[str] = typer.Argument(None, help="The harness drill to replay; omit to list them."),
    config: Path = typer.Option(Path("belvo-check.yaml"), "-c", "--config", help="The config file."),
) -> None:
    """Replay one harness drill alone against your integration and show what happened."""
    if name is None:
        from belvo_check.harness.drills import DRILLS
        from belvo_check.registry import load_registry

        load_registry()  # a check module may declare drills of its own
        width = max(map(len, DRILLS))
        for drill_name, declared in DRILLS.items():
            print(f"{drill_name.ljust(width)}  {declared.does}")
        return
    from belvo_check.harness.replay import replay

    print(replay(config, name))


app.command("drill")(drill)
app.command("scenario", hidden=True)(drill)  # the command's earlier name, kept so scripts keep working


@webhooks_app.command("send")
def webhooks_send(
    url: str = typer.Option(..., "--url", help="The receiver, e.g. http://127.0.0.1:9000/belvo/webhooks."),
    webhook_type: str = typer.Option("TRANSACTIONS", "--type", help="ACCOUNTS, TRANSACTIONS, OWNERS, LINK, ..."),
    code: Optional[str] = typer.Option(None, "--code", help="webhook_code; defaults to the type's usual one."),
    auth: Optional[str] = typer.Option(None, "--auth", help="Authorization value as a reference: "
                                       "${ENV_VAR} or the name of an environment variable."),
    link_id: Optional[str] = typer.Option(None, "--link-id", help="link_id to send (default: a probe id)."),
    duplicate: bool = typer.Option(False, "--duplicate", help="Deliver each webhook twice, same webhook_id."),
    count: int = typer.Option(1, "--count", min=1, max=1000, help="How many webhooks to send."),
    live: bool = typer.Option(False, "--live", help="Allow a non-loopback production receiver."),
) -> None:
    """Deliver Belvo-shaped webhooks to a receiver and show how it answered."""
    from belvo_check.probes.send import send_command

    raise typer.Exit(send_command(url=url, webhook_type=webhook_type, code=code, auth=auth, link_id=link_id,
                                  duplicate=duplicate, count=count, live=live))


@app.command()
def schema(which: str = typer.Argument(..., help="config or report")) -> None:
    """Print the JSON Schema of the config file or of the JSON report."""
    from belvo_check.schemas import schema_text

    print(schema_text(which), end="")


baseline_app = typer.Typer(help="Accept today's findings so that only new ones fail.", no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")
config_app = typer.Typer(help="Check the config file without running a check.", no_args_is_help=True)
app.add_typer(config_app, name="config")
pack_app = typer.Typer(help="The production-access evidence pack.", no_args_is_help=True)
app.add_typer(pack_app, name="pack")


@baseline_app.command("create")
def baseline_create(
    config: Path = typer.Option(Path("belvo-check.yaml"), "-c", "--config", help="The config file."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="The baseline file (default: "
                                          "checks.baseline of the config, else belvo-check-baseline.json)."),
    select: List[str] = typer.Option([], "--select", help="Only these checks (as for run)."),
    ignore: List[str] = typer.Option([], "--ignore", help="Leave these checks out (as for run)."),
) -> None:
    """Run the checks and record their fail and warn findings; an existing baseline only shrinks."""
    from belvo_check.run import create_baseline

    raise typer.Exit(create_baseline(config=config, output=output, select=_split(select), ignore=_split(ignore)))


@config_app.command("validate")
def config_validate(
    config: Path = typer.Option(Path("belvo-check.yaml"), "-c", "--config", help="The config file."),
) -> None:
    """Check the config (keys, types, references, selectors, suppressions, baseline) without running a check."""
    from belvo_check.run import validate_config

    print(validate_config(config))


@pack_app.command("verify")
def pack_verify(directory: Path = typer.Argument(..., help="The pack folder.")) -> None:
    """Check every file of an evidence pack against its SHA-256 manifest."""
    from belvo_check.report.pack import verify

    problems = verify(directory)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        raise typer.Exit(1)
    print(f"{directory}: intact (every file matches its SHA-256 in the manifest)")


def _split(values: List[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def main() -> None:
    from belvo_check.errors import UsageError

    on_stop_signals(_interrupt)
    try:
        try:
            app()
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
        finally:
            if not _interrupted.is_set():
                _stop_leftovers()
                _flush(sys.stdout)  # the report's last bytes, while an interrupt still ends cleanly
                on_stop_signals(exit_now)  # nothing is left to clean up, and nothing may raise now
                # The interpreter's collections at exit would only free memory the OS frees anyway, and
                # cost more than `belvo-check list` does itself (four full passes over every object).
                gc.freeze()
    except Interrupted:
        _exit_interrupted()


_interrupted = threading.Event()


class Interrupted(BaseException):
    """Raised in the main thread by SIGINT, SIGTERM or SIGHUP. Not a KeyboardInterrupt, which click
    would turn into "Aborted!" and exit 1; code that catches Exception lets it through."""


def _interrupt(signum, frame) -> None:
    import logging

    _interrupted.set()
    for other in STOP_SIGNALS:  # the first signal wins: a second one must not cut the cleanup short
        signal.signal(other, signal.SIG_IGN)
    # Check and probe threads fail as their processes, folders and sockets go away: not news.
    threading.excepthook = lambda args: None
    sys.unraisablehook = lambda unraisable: None
    logging.disable(logging.CRITICAL)
    raise Interrupted


def _stop_leftovers() -> int:
    """The integration's processes: all of them when interrupted, and at the end of every command
    any it hid from its step (a daemon that also cleared its environment)."""
    procs = sys.modules.get("belvo_check.harness.procs")  # loaded only if the harness ran
    return (procs.stop_all() + procs.stop_descendants()) if procs else 0


def _exit_interrupted() -> NoReturn:
    """Exit 130 with one line, leaving the interpreter at once: threads still running must not
    print anything while it shuts down around them."""
    try:
        stopped = _stop_leftovers()
        print(f"interrupted; stopped {stopped} integration process(es)" if stopped else "interrupted",
              file=sys.stderr)
    finally:
        _flush(sys.stderr)  # not stdout: a reader that stopped reading the report would hang us
        os._exit(EXIT_INTERRUPTED)


def _flush(stream) -> None:
    try:
        stream.flush()
    except (OSError, ValueError):  # a closed pipe: nobody is reading any more
        pass
