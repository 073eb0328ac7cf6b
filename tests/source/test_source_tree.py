"""Tree-level conclusions, the parallel path, secrecy of values, config wiring and lazy imports."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from belvo_check.source import concept_names, from_config, scan, scanner
from tests.conftest import ROOT
from tests.source.conftest import FIXTURES, located

FAKE_SECRETS = ("Kq8vT2mZx9LpR4wN7sYb3HdF6jGc", "f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "Zx81mQpL0vW7tRk2Yb5NcH3d",
                "Hx7QmP2vLr9TzW4kNs8Yc5Bd", "Wq3eRt5yUi7oP9aS2dF4gH6j", "Qm8xT3vLz6Rw9KpN2cYb7HdF",
                "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d")


def test_absences_are_concluded_for_the_tree(tmp_path):
    (tmp_path / "sync.py").write_text(
        "from belvo.client import Client\nimport os\n"
        "client = Client(os.environ['I'], os.environ['P'], os.environ['BELVO_ENV'])\n"
        "client.Links.create('bank', 'u', 'p', raise_exception=True)\n")
    concluded = {(f.concept, f.verdict) for f in scan(tmp_path, jobs=1).findings if not f.path}
    assert concluded == {("webhook_route", "bad"), ("institution_user_id", "bad"), ("link_status", "bad"),
                         ("request_id_logged", "ambiguous"), ("rate_limit", "ambiguous"),
                         ("widget_fetch_resources", "ok")}  # no access mode asked: recurrent, the default


def test_fixtures_with_everything_present_conclude_nothing_bad():
    result = scan(FIXTURES / "python", jobs=1)
    assert [f for f in result.findings if not f.path] == []


def test_worker_processes_give_the_same_findings(monkeypatch):
    monkeypatch.setattr(scanner, "INLINE_FILES", 0)
    pools = []
    real_context = scanner.pool_context
    monkeypatch.setattr(scanner, "pool_context", lambda: pools.append(1) or real_context())
    inline = scan(FIXTURES, jobs=1)
    assert not pools
    pooled = scan(FIXTURES, jobs=2)
    assert pools == [1], "the pooled scan must really start worker processes"
    assert located(pooled.findings) == located(inline.findings) and pooled.findings


def test_no_secret_value_in_any_finding():
    text = repr(scan(FIXTURES, frontend=["javascript/web/**"], jobs=1).findings)
    assert not [secret for secret in FAKE_SECRETS if secret in text]
    assert "[redacted sha256:" in text


def test_from_config_reads_the_source_section():
    source = SimpleNamespace(root="javascript", include=[], exclude=["test/"], frontend=["web/**"])
    result = from_config(SimpleNamespace(source=source), FIXTURES)
    assert any(f.concept == "secret_frontend" for f in result.findings)
    assert not any(f.path.startswith("test/") for f in result.findings)
    assert from_config(SimpleNamespace(source=None)) is None
    loaded = SimpleNamespace(model=SimpleNamespace(source=source), path=FIXTURES / "belvo-check.yaml")
    assert from_config(loaded) is result  # root relative to the config file's folder, the same cached scan


def test_from_a_real_config_file(tmp_path):
    from belvo_check.config import load_config

    tree = tmp_path / "repo"
    (tree / "web").mkdir(parents=True)
    (tree / "web" / "token.js").write_text("fetch('https://api.belvo.com/api/token/', {method: 'POST'})\n")
    config = tmp_path / "belvo-check.yaml"
    config.write_text("version: 1\nenvironment: production\nbelvo: {base_url: https://api.belvo.com}\n"
                      "source: {root: repo, frontend: ['web/**']}\n")
    result = from_config(load_config(config, environ={}))
    assert [(f.path, f.line, f.verdict) for f in result.of("secret_frontend")] == [("web/token.js", 1, "bad")]


def test_concepts_are_listed():
    names = concept_names()
    assert {"secret_literal", "secret_history", "timeout", "webhook_auth", "timestamp_parse"} <= set(names)


def test_importing_the_layer_loads_no_parser():
    probe = ("import sys, belvo_check.source, belvo_check.registry\nbelvo_check.registry.load_registry()\n"
             "print(sorted(m for m in sys.modules if m.startswith(('tree_sitter', 'pathspec', 'ast'))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "tree_sitter" not in done.stdout and "pathspec" not in done.stdout


def test_front_end_guessed_from_paths_only_warns():
    result = scan(FIXTURES / "javascript", jobs=1)  # no source.frontend configured
    widget = {(f.line, f.verdict) for f in result.of("secret_frontend") if f.path == "web/src/widget.tsx"}
    # the token minted from a guessed front-end file warns; a NEXT_PUBLIC_ secret name is conclusive anyway
    assert widget == {(6, "ambiguous"), (5, "bad")}


def test_request_id_declared_but_never_logged_is_not_evidence(tmp_path):
    (tmp_path / "belvo_errors.py").write_text(
        "import logging, requests\nlog = logging.getLogger(__name__)\n\n"
        "class BelvoError(Exception):\n    request_id: str = ''\n\n"
        "def sync(url):\n    r = requests.get(url + '/api/accounts/', timeout=5)\n"
        "    if r.status_code >= 400:\n        log.error('belvo sync failed with %s', r.status_code)\n")
    result = scan(tmp_path, jobs=1)
    assert [(f.path, f.verdict) for f in result.of("request_id_logged")] == [("", "ambiguous")]


def test_command_line_prints_located_findings():
    done = subprocess.run([sys.executable, "-m", "belvo_check.source", str(FIXTURES / "go"), "--concept", "tls_off"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "belvo/client.go:15:" in done.stdout and "tls_off  bad" in done.stdout
    missing = subprocess.run([sys.executable, "-m", "belvo_check.source", str(FIXTURES / "nowhere")],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and missing.stderr.startswith("error: ")


def test_finding_location_for_reports():
    finding = next(f for f in scan(FIXTURES / "go", jobs=1).of("tls_off"))
    assert str(finding.location("services/api")) == "services/api/belvo/client.go:15:61"
    assert str(finding.location()) == "belvo/client.go:15:61"


def test_a_walk_begun_early_is_carried_on_by_the_scan(monkeypatch):
    monkeypatch.setattr(scanner, "INLINE_FILES", 0)
    monkeypatch.setattr(scanner, "_cache", {})
    monkeypatch.setattr(scanner, "_begun", {})
    pools = []
    real_context = scanner.pool_context
    monkeypatch.setattr(scanner, "pool_context", lambda: pools.append(1) or real_context())
    scanner.begin(FIXTURES)
    assert pools == [1] and len(scanner._begun) == 1, "begin must walk far enough to start the workers"
    pooled = scanner.cached_scan(FIXTURES)
    assert pools == [1] and not scanner._begun, "the scan must take the begun walk, not start another"
    assert located(pooled.findings) == located(scan(FIXTURES, jobs=1).findings) and pooled.findings


def test_workers_of_a_walk_nobody_scanned_are_stopped(monkeypatch):
    monkeypatch.setattr(scanner, "INLINE_FILES", 0)
    monkeypatch.setattr(scanner, "_cache", {})
    monkeypatch.setattr(scanner, "_begun", {})
    scanner.begin(FIXTURES)
    workers = [process for walk in scanner._begun.values() for process in walk.pool._pool]
    assert workers and all(process.is_alive() for process in workers)
    scanner.abandon()
    for process in workers:
        process.join(5)
    assert not any(process.is_alive() for process in workers) and not scanner._begun


def test_forked_workers_drop_the_parents_signal_handlers(monkeypatch):
    """A worker forked from the CLI would inherit its SIGTERM handler, which raises: then each worker
    the pool stops prints a traceback. The workers die quietly on SIGTERM and leave SIGINT to the parent."""
    import multiprocessing
    import signal

    monkeypatch.setattr(scanner, "INLINE_FILES", 0)
    monkeypatch.setattr(scanner, "_cache", {})
    monkeypatch.setattr(scanner, "_begun", {})
    monkeypatch.setattr(scanner, "pool_context", lambda: multiprocessing.get_context("fork"))
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        scanner.begin(FIXTURES)
        (walk,) = scanner._begun.values()
        seen = walk.pool.apply(_signal_handlers)
    finally:
        signal.signal(signal.SIGTERM, previous)
        scanner.abandon()
    assert seen == (signal.SIG_DFL, signal.SIG_IGN)


def _signal_handlers():
    import signal

    return signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)


def test_a_large_tree_is_scanned_by_the_workers_a_run_forks(tmp_path):
    """Past INLINE_FILES a run forks its workers before the checks' threads start: same verdict, no noise."""
    tree = tmp_path / "tree"
    for n in range(scanner.INLINE_FILES + 100):
        folder = tree / f"pkg{n // 200}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{n}.py").write_text(f"VALUE = {n}\n")
    (tree / "belvo_client.py").write_text(
        "import os, requests\nKEY = 'Kq8vT2mZx9LpR4wN7sYb3HdF6jGc'\n"
        "requests.post('https://api.belvo.com/api/links/', auth=(os.environ['BELVO_ID'], KEY), timeout=10)\n")
    config = tmp_path / "belvo-check.yaml"
    config.write_text("version: 1\nenvironment: production\nbelvo: {base_url: https://api.belvo.com}\n"
                      "source: {root: tree, history: false}\n")
    done = subprocess.run([sys.executable, "-m", "belvo_check", "run", "-c", str(config), "--select", "BLV705",
                           "--format", "json"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "Interrupted" not in done.stderr, done.stderr
    assert '"status": "fail"' in done.stdout and "belvo_client.py" in done.stdout, done.stdout[-2000:]
