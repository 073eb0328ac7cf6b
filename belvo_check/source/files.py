"""Which files of a tree are the integration's own source: discovery and cheap exclusions.

Honours .gitignore files (root and nested) and the config's `source.include` / `source.exclude`
globs, and skips what is not hand-written code: vendored trees, minified bundles, binaries and
huge files. Each file is classified by language (or a text kind for config and deploy files).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator, Sequence

MAX_BYTES = 2_000_000  # larger files are data or bundles, never hand-written integration code
MAX_LINE = 5_000  # a line longer than this in the first 64 KB marks minified or generated code

VENDORED_DIRS = frozenset({
    "node_modules", "vendor", "third_party", "third-party", ".venv", "venv", "site-packages", "dist", "build",
    ".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    ".next", ".nuxt", ".expo", "bower_components", ".gradle", "target", "bin", "obj", ".terraform",
    "coverage", ".yarn", ".pnpm-store",
})

CODE_LANGUAGES = {
    ".py": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".go": "go", ".java": "java", ".rb": "ruby", ".rake": "ruby",
    ".php": "php", ".cs": "csharp",
}
# Config, deploy and docs files: scanned line by line (hosts, secrets), never parsed.
TEXT_KINDS = {
    ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml", ".tf": "terraform",
    ".tfvars": "terraform", ".ini": "ini", ".cfg": "ini", ".conf": "ini", ".properties": "properties",
    ".xml": "xml", ".md": "markdown", ".rst": "markdown", ".txt": "text", ".sh": "shell",
    ".env": "dotenv", ".erb": "ruby-template", ".html": "html", ".vue": "vue", ".svelte": "svelte",
    ".sql": "sql", ".prisma": "prisma", ".gradle": "gradle", ".hcl": "terraform", ".kt": "kotlin",
    ".swift": "swift", ".dart": "dart",
}
TEXT_NAMES = {"dockerfile": "docker", "procfile": "text", "makefile": "text", "gemfile": "ruby"}
SKIP_SUFFIXES = (".min.js", ".min.css", ".map", ".lock", ".snap", ".bundle.js", "-lock.json", ".pb.go")
# Where browser and app code usually lives, used only when source.frontend is not configured.
FRONTEND_PARTS = frozenset({"frontend", "client", "web", "webapp", "public", "static", "components", "pages",
                            "app-mobile", "mobile", "ui", "widget", "www"})
FRONTEND_LANGUAGES = frozenset({"javascript", "typescript", "tsx", "vue", "svelte", "html"})
TEST_PARTS = frozenset({"test", "tests", "spec", "specs", "__tests__", "__mocks__", "testdata", "fixtures",
                        "e2e", "cypress", "testing"})


@dataclass(frozen=True)
class SourceFile:
    path: str  # absolute
    rel: str  # posix, relative to the root
    language: str
    is_test: bool
    is_frontend: bool  # matched a configured source.frontend glob
    looks_frontend: bool = False  # no glob configured, but the path is typical of browser or app code

    @property
    def is_code(self) -> bool:
        return self.language in CODE_LANGUAGES.values()


def language_of(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(SKIP_SUFFIXES):
        return None
    if lower.startswith(".env") or lower.endswith(".env"):
        return "dotenv"
    if lower in TEXT_NAMES:
        return TEXT_NAMES[lower]
    if lower.startswith(("docker-compose", "compose.")) or lower == "fly.toml":
        return "yaml" if not lower.endswith(".toml") else "toml"
    suffix = os.path.splitext(lower)[1]
    return CODE_LANGUAGES.get(suffix) or TEXT_KINDS.get(suffix)


def looks_frontend(rel: str, language: str) -> bool:
    parts = rel.lower().split("/")
    return language in FRONTEND_LANGUAGES and (bool(FRONTEND_PARTS.intersection(parts[:-1]))
                                                or rel.endswith((".jsx", ".tsx", ".vue", ".svelte")))


def is_test_path(rel: str) -> bool:
    parts = rel.lower().split("/")
    name = parts[-1]
    stem = name.split(".")[0]
    return (bool(TEST_PARTS.intersection(parts[:-1])) or stem.startswith("test_") or stem.endswith(("_test", "_spec"))
            or ".test." in name or ".spec." in name or stem.endswith(("Test", "Tests", "Spec")) and name[0].isupper()
            or name.endswith(("Test.java", "Tests.java", "Test.cs", "Tests.cs")))


class _Ignores:
    """The .gitignore rules that apply below a directory, layered like git's."""

    def __init__(self, root: str, exclude: Sequence[str]) -> None:
        import pathspec  # imported here: discovery is never needed by `belvo-check list`

        self._pathspec = pathspec
        self.stack: list[tuple[str, object]] = []  # (dir rel prefix, spec)
        if exclude:
            self.stack.append(("", pathspec.GitIgnoreSpec.from_lines(exclude)))

    def load(self, rel_dir: str, abs_dir: str) -> None:
        path = os.path.join(abs_dir, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        self.stack.append((rel_dir, self._pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        for prefix, spec in self.stack:
            if prefix and not rel.startswith(prefix + "/"):
                continue
            sub = rel[len(prefix) + 1:] if prefix else rel
            if spec.match_file(sub + "/" if is_dir else sub):
                return True
        return False


def discover(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
             frontend: Sequence[str] = ()) -> list[SourceFile]:
    """Every file under `root` worth scanning, sorted by path (sizes are checked when files are read).

    `include`: when given, only files matching one of these gitignore-style globs are kept.
    `exclude`: gitignore-style globs to leave out (on top of .gitignore and the vendored dirs).
    `frontend`: globs of code that ships to browsers or apps (its files get is_frontend=True).
    """
    return sorted(walk(root, include, exclude, frontend), key=lambda f: f.rel)


def walk(root: str | os.PathLike, include: Sequence[str] = (), exclude: Sequence[str] = (),
         frontend: Sequence[str] = ()) -> Iterator[SourceFile]:
    """The files of discover() as the walk finds them, unsorted (a caller can act before it ends)."""
    import pathspec

    base = os.path.abspath(os.fspath(root))
    if not os.path.isdir(base):
        raise NotADirectoryError(f"source root {base} is not a directory")
    ignores = _Ignores(base, list(exclude))
    wanted = pathspec.GitIgnoreSpec.from_lines(include) if include else None
    shipped = pathspec.GitIgnoreSpec.from_lines(frontend) if frontend else None
    pending = [("", base)]
    while pending:  # scandir reads each directory once; d_type spares a stat per entry
        rel_dir, abs_dir = pending.pop()
        try:
            entries = list(os.scandir(abs_dir))
        except OSError:
            continue
        if any(entry.name == ".gitignore" for entry in entries):
            ignores.load(rel_dir, abs_dir)
        for entry in entries:
            name = entry.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if entry.is_dir(follow_symlinks=False):
                if name not in VENDORED_DIRS and not name.endswith(".egg-info") and not ignores.ignored(rel, True):
                    pending.append((rel, entry.path))
                continue
            language = language_of(name)
            if language is None or not entry.is_file(follow_symlinks=False):
                continue
            if ignores.ignored(rel, False) or (wanted is not None and not wanted.match_file(rel)):
                continue
            yield SourceFile(entry.path, rel, language, is_test_path(rel),
                             bool(shipped is not None and shipped.match_file(rel)),
                             shipped is None and looks_frontend(rel, language))


def read_source(source: SourceFile, max_bytes: int = MAX_BYTES) -> bytes | None:
    """A file's bytes, read once; None when it is unreadable, empty, huge, binary or minified."""
    try:  # os.open and one os.read: half the cost of open() and its buffered reader, for 10k+ files
        fd = os.open(source.path, os.O_RDONLY)
    except OSError:
        return None
    try:
        size = os.fstat(fd).st_size
        if not 0 < size <= max_bytes:
            return None
        data = os.read(fd, size)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if not data or looks_generated(data) else data


def looks_generated(data: bytes) -> str | None:
    """Why the content is not hand-written text (binary, minified), or None."""
    head = data[:65536]
    if b"\0" in head[:8192]:
        return "binary"
    # Counting newlines is C-fast; only files whose lines are long on average get measured line by line.
    if len(head) > MAX_LINE and len(head) > 200 * (head.count(b"\n") + 1):
        if max(map(len, head.split(b"\n"))) > MAX_LINE:
            return "minified"
    return None
