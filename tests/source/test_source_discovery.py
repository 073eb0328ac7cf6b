"""Discovery: .gitignore (root and nested), include/exclude globs, vendored dirs, generated and huge files."""

from __future__ import annotations

from belvo_check.source import scan
from belvo_check.source.files import MAX_BYTES, discover, read_source


def write(root, rel, content: str | bytes = "print('belvo')\n"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_gitignore_vendored_include_exclude_and_frontend(tmp_path):
    write(tmp_path, ".gitignore", "secrets/\n*.log.py\n")
    write(tmp_path, "pkg/.gitignore", "local_*.py\n")
    for rel in ("app/main.py", "app/debug.log.py", "secrets/keys.py", "pkg/local_x.py", "pkg/kept.py",
                "node_modules/belvo/index.js", "vendor/lib.rb", ".venv/x.py", "build/out.js", "web/src/app.tsx",
                "tests/test_app.py", "notes.bin", "migrations/001.py"):
        write(tmp_path, rel)
    found = {f.rel: f for f in discover(tmp_path, exclude=["migrations/"], frontend=["web/**"])}
    assert set(found) == {".gitignore", "app/main.py", "pkg/kept.py", "web/src/app.tsx", "tests/test_app.py"} - {
        ".gitignore"}
    assert found["web/src/app.tsx"].is_frontend and found["web/src/app.tsx"].language == "tsx"
    assert found["tests/test_app.py"].is_test and not found["app/main.py"].is_test
    only = {f.rel for f in discover(tmp_path, include=["app/**"])}
    assert only == {"app/main.py"}


def test_binary_minified_empty_and_huge_files_are_not_read(tmp_path):
    cases = {
        "bin.py": b"belvo\0\1\2" * 10,
        "bundle.js": b"var a='belvo';" + b"x" * 10_000,
        "app.min.js": b"belvo()",
        "empty.py": b"",
        "huge.py": b"# belvo\n" + b"x = 1\n" * (MAX_BYTES // 6 + 1),
        "ok.py": b"belvo = 1\n",
    }
    for rel, data in cases.items():
        write(tmp_path, rel, data)
    files = {f.rel: f for f in discover(tmp_path)}
    assert "app.min.js" not in files  # skipped by name
    kept = {rel for rel, f in files.items() if read_source(f) is not None}
    assert kept == {"ok.py"}


def test_scan_counts_and_prefilter(tmp_path):
    write(tmp_path, "a.py", "import os\nprint(os.getcwd())\n")  # no topic: read, never parsed
    write(tmp_path, "b.py", "import requests\nrequests.get(BELVO_URL + '/api/links/')\n")
    result = scan(tmp_path, jobs=1)
    assert (result.files, result.read, result.matched, result.parsed) == (2, 2, 1, 1)
    assert [f.where for f in result.of("timeout")] == ["b.py:2:1"]


def test_lines_are_found_after_characters_whose_lower_case_is_longer(tmp_path):
    write(tmp_path, "i18n.py", "TITLE = 'İSTANBUL İzmir'\nrequests.get(BELVO_URL + '/api/links/', verify=False)\n"
                               "HOST = 'https://api.belvo.co'\n")
    result = scan(tmp_path, jobs=1)  # line-level matchers find lines through the lower-cased text
    assert [f.where for f in result.of("tls_off")] == ["i18n.py:2:41"]
    assert [f.where for f in result.of("belvo_host")] == ["i18n.py:3:17"]
