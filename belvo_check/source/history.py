"""Belvo secrets anywhere in git history: every commit of every ref, streamed from one `git log -p`.

The diff is read in large chunks and never split into lines in Python: header offsets come from
bytes.find, candidate lines from a few keyword searches, and only those lines are decoded and
matched (with the same line matcher as the tree scan). Findings are de-duplicated by the value's
fingerprint and never carry the value.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
import time
from dataclasses import dataclass, field

from belvo_check.secrets import fingerprint
from belvo_check.source.literals import KEYWORDS, secrets_in_line
from belvo_check.source.context import snippet_of
from belvo_check.source.files import language_of
from belvo_check.source.finding import SourceFinding

CHUNK = 1 << 22
# The line matcher's keywords, searched inside sections that mention belvo (whose lines are all read).
NEEDLES = tuple(keyword.encode() for keyword in KEYWORDS if keyword != "belvo")
COMMIT_MARK = b"\x01"
KNOWN_FORM = "a value the tree passes to Belvo as its keys"
HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)")
GIT_LOG = ("log", "-p", "--all", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "-U0",
           "--format=%x01%H %ct")


@dataclass
class HistoryScan:
    root: str
    commits: int = 0
    findings: list[SourceFinding] = field(default_factory=list)  # one per distinct secret, oldest commit first seen
    error: str | None = None  # why history could not be read (not a git repository, git missing)
    seconds: float = 0.0


@dataclass
class _Seen:
    """Where one secret was first committed (the oldest commit seen so far), and every commit adding it."""

    commit: str
    time: int  # commit time of `commit`
    path: str
    line: int
    col: int
    form: str
    snippet: str
    commits: set = field(default_factory=set)


class _State:
    """Where the stream is: commit, file and hunk, carried across chunk boundaries."""

    def __init__(self) -> None:
        self.commit = ""
        self.time = 0
        self.path = ""
        self.belvo_file = False
        self.hunk_start = 0  # new-file line number of the hunk's first added line
        self.added_before = 0  # added lines of the current hunk in earlier chunks


def _after_each(buf: bytes, needle: bytes) -> list[int]:
    """One past the offset of each occurrence of `needle` (for a needle that starts with a newline: where the
    line after that newline starts)."""
    found, at = [], buf.find(needle)
    while at >= 0:
        found.append(at + 1)
        at = buf.find(needle, at + 1)
    return found


def _path_of(header: bytes) -> str:
    # "diff --git a/<path> b/<path>": the b/ side is the new path
    text = header.decode("utf-8", "replace")
    marker = text.rfind(" b/")
    return text[marker + 3:] if marker >= 0 else text


def _commit(state: _State, header: bytes, commits: set[str]) -> None:
    commit, _, when = header[1:].decode("ascii", "replace").partition(" ")
    state.commit, state.time = commit, int(when) if when.strip().isdigit() else 0
    commits.add(commit)


def _scan_chunk(buf: bytes, state: _State, seen: dict[str, _Seen], commits: set[str], known: tuple[str, ...] = ()) -> None:
    """Scan one chunk (which starts with a newline and ends right after one); `known`: values the tree scan
    found to be Belvo keys by their use, looked for on every added line whatever its name."""
    lower = buf.lower()
    headers = _after_each(buf, b"\n" + COMMIT_MARK)
    files = _after_each(buf, b"\ndiff --git ")
    hunks = _after_each(buf, b"\n@@ ")
    belvo_hits = _after_each(lower, b"belvo")
    events = sorted([(o, "c") for o in headers] + [(o, "f") for o in files] + [(o, "h") for o in hunks])

    def mentions_belvo(offset: int) -> bool:
        """Whether the file section starting at this offset mentions belvo (within this chunk)."""
        following = bisect.bisect_right(files, offset)
        limit = files[following] if following < len(files) else len(buf)
        first = bisect.bisect_left(belvo_hits, offset)
        return first < len(belvo_hits) and belvo_hits[first] < limit

    # A secret counts only on a line naming Belvo or in a file that mentions Belvo (secrets_in_line),
    # so the other keywords are searched only inside those files' sections: two passes fewer per chunk.
    if mentions_belvo(0):
        state.belvo_file = True  # the file carried over from the previous chunk mentions Belvo here
    found = set(belvo_hits)
    for low, high in zip([0, *files], [*files, len(buf)]):
        if (low == 0 and state.belvo_file) or mentions_belvo(low):
            for needle in NEEDLES:
                at = lower.find(needle, low, high)
                while at >= 0:
                    found.add(at)
                    at = lower.find(needle, at + 1, high)
    for value in known:
        needle = value.encode()
        at = buf.find(needle)
        while at >= 0:
            found.add(at)
            at = buf.find(needle, at + 1)
    line_starts = sorted({buf.rfind(b"\n", 0, at) + 1 for at in found})

    index = 0  # the next header event to apply
    hunk_newline = 0  # the newline ending the current hunk's header (0: the hunk began in an earlier chunk)

    def apply_headers(until: int) -> None:
        """Move the stream position past every header that starts at or before `until` (events are sorted)."""
        nonlocal index, hunk_newline
        while index < len(events) and events[index][0] <= until:
            offset, kind = events[index]
            end = buf.find(b"\n", offset)
            header = buf[offset:end]
            if kind == "c":
                _commit(state, header, commits)
            elif kind == "f":
                state.path = _path_of(header)
                state.belvo_file = mentions_belvo(offset)
            else:
                match = HUNK.match(header)
                state.hunk_start = int(match.group(1)) if match else 0
                state.added_before = 0
                hunk_newline = end
            index += 1

    for start in line_starts:
        if not buf.startswith(b"+", start) or buf.startswith(b"+++", start):
            continue
        apply_headers(start)
        line_number = state.hunk_start + state.added_before + buf.count(b"\n+", hunk_newline, start - 1)
        text = buf[start + 1:buf.find(b"\n", start)].decode("utf-8", "replace")
        language = language_of(os.path.basename(state.path)) or "text"
        matched = list(secrets_in_line(text, language, state.belvo_file))
        matched += [(text.find(value) + 1, KNOWN_FORM, value) for value in known
                    if value in text and all(value != other for _, _, other in matched)]
        for col, form, value in matched:
            fp = fingerprint(value)
            record = seen.get(fp)
            snippet = snippet_of(text, language, value, fp, known)
            if record is None:
                seen[fp] = record = _Seen(state.commit, state.time, state.path, line_number, col, form, snippet)
            elif state.time <= record.time:  # keep the oldest place (git log runs newest first: ties go to the later)
                record.commit, record.time, record.path, record.line, record.col, record.form, record.snippet = (
                    state.commit, state.time, state.path, line_number, col, form, snippet)
            record.commits.add(state.commit)
    apply_headers(len(buf))  # the position the next chunk starts from
    state.added_before += buf.count(b"\n+", hunk_newline)


def _stream(root: str, git: str, pathspec: list[str], folder: bool = False,
            known: tuple[str, ...] = ()) -> tuple[dict[str, _Seen], set[str], str | None]:
    """Scan one `git log -p` stream (limited to a pathspec, or whole); returns (secrets, commits, error).

    `folder`: `root` is a folder inside its repository: only its files, with paths relative to it.
    """
    command = [git, "-C", root, "-c", "core.quotepath=off", *GIT_LOG, *(["--relative"] if folder else []),
               *(["--full-history", "--", *pathspec] if pathspec else [])]
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        return {}, set(), f"git could not run: {error.strerror}"
    state, seen, commits, carry = _State(), {}, set(), b"\n"
    with process:
        while True:
            block = process.stdout.read(CHUNK)
            if not block:
                break
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry += block
                continue
            _scan_chunk(carry + block[:cut], state, seen, commits, known)
            carry = b"\n" + block[cut:]
        if len(carry) > 1:
            _scan_chunk(carry + b"\n", state, seen, commits, known)
        stderr = process.stderr.read().decode("utf-8", "replace").strip()
    if process.returncode != 0:
        return seen, commits, stderr.splitlines()[0] if stderr else f"git log exited {process.returncode}"
    return seen, commits, None


def _halves(root: str, git: str) -> list[list[str]] | None:
    """Two pathspecs covering every path ever committed, about equal in size at HEAD (None: cannot split).

    The second is the complement of the first, so paths deleted before HEAD are still scanned.
    """
    listing = subprocess.run([git, "-C", root, "ls-tree", "-r", "-l", "--full-tree", "-z", "HEAD"],
                             capture_output=True)
    if listing.returncode != 0:
        return None
    sizes: dict[str, int] = {}
    for entry in listing.stdout.split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        fields = meta.split()
        if len(fields) == 4 and fields[3].isdigit():
            top = path.split(b"/", 1)[0].decode("utf-8", "surrogateescape")
            sizes[top] = sizes.get(top, 0) + int(fields[3])
    if len(sizes) < 2:
        return None
    first, weight, total = [], 0, sum(sizes.values())
    for top, size in sorted(sizes.items(), key=lambda item: -item[1]):
        if weight + size <= total / 2 or not first:
            first.append(top)
            weight += size
    return [[f":(top,literal){top}" for top in first], [f":(top,literal,exclude){top}" for top in first]]


def scan_history(root: str | os.PathLike, *, git: str = "git", jobs: int | None = None,
                 folder: bool = False, known: tuple[str, ...] = ()) -> HistoryScan:
    """Every Belvo secret ever committed on any ref of the repository at `root` (or, with `folder`, in
    the files under `root`, a folder inside its repository).

    With two or more cores the paths of a whole repository are split in two and each half is streamed
    and matched by its own process (its own `git log`), so git's diffing runs on both cores too.
    """
    from belvo_check.source.scanner import pool_context

    started = time.perf_counter()
    result = HistoryScan(os.path.abspath(os.fspath(root)))
    jobs = jobs or os.cpu_count() or 1
    halves = _halves(result.root, git) if jobs > 1 and not folder else None
    if halves is None:
        parts = [_stream(result.root, git, [], folder, known)]
    else:
        with pool_context().Pool(2) as pool:
            parts = pool.starmap(_stream, [(result.root, git, half, False, known) for half in halves])
    seen: dict[str, _Seen] = {}
    commits: set[str] = set()
    for part_seen, part_commits, error in parts:
        if error:
            result.error = error
            return result
        commits |= part_commits
        for fp, record in part_seen.items():
            kept = seen.get(fp)
            if kept is None or record.time < kept.time:
                record.commits |= kept.commits if kept else set()
                seen[fp] = record
            else:
                kept.commits |= record.commits
    result.commits = len(commits)
    for fp, record in seen.items():
        others = len(record.commits) - 1
        result.findings.append(SourceFinding(
            "secret_history", "bad",
            f"a Belvo secret ({fp}) was committed in {record.commit[:12]}" +
            (f" and {others} later commit(s)" if others else "") +
            ": removing it from the tree does not remove it from history; rotate the key",
            record.path, record.line, record.col, language_of(os.path.basename(record.path)) or "text", record.snippet,
            record.form, fp))
    result.findings.sort(key=lambda f: (f.path, f.line or 0))
    result.seconds = time.perf_counter() - started
    return result


def history_evidence(root: str | os.PathLike, *, git: str = "git",
                     known: tuple[str, ...] = ()) -> tuple[list[SourceFinding], tuple[str, str] | None]:
    """The secret_history findings for a source root (a clean scan is one tree-level `ok` finding), or why
    history was not scanned as (why, what would enable it)."""
    root = os.path.realpath(os.fspath(root))
    try:
        top = subprocess.run([git, "-C", root, "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    except OSError:
        return [], (f"git is not installed ({git!r} could not run), so the git history was not scanned",
                    "install git, or set source.history: false")
    if top.returncode != 0 and "not a git repository" in top.stderr:
        return [], (f"{root} is not a git repository, so there is no history to scan",
                    "point source.root at the top of the integration's git repository")
    if top.returncode != 0:  # e.g. git refusing a repository owned by another user
        return [], (f"git could not read {root}: {(top.stderr.strip().splitlines() or ['?'])[0]}",
                    "check that git log works in source.root")
    # A folder inside a repository (a monorepo) is judged on its own files' history, shown from the folder.
    history = scan_history(root, git=git, folder=os.path.realpath(top.stdout.strip()) != root, known=known)
    if history.error:
        return [], (f"git history could not be read: {history.error}", "check that git log works in source.root")
    if not history.commits:
        return [], ("the git repository has no commits yet", "commit, then run again")
    if history.findings:
        return history.findings, None
    return [SourceFinding("secret_history", "ok", f"no Belvo secret in any of the {history.commits} commits on "
                          "any branch or tag", "", form="git log -p --all")], None


def history_or_why(root: str | os.PathLike, enabled: bool = True, *, git: str = "git"):
    """The secret_history evidence of a root as history_evidence gives it, or why it was switched off."""
    if not enabled:
        return [], ("source.history is false, so the git history was not scanned",
                    "set source.history: true (the default)")
    return history_evidence(root, git=git)


def with_history(scan, evidence, root: str | os.PathLike | None = None, *, git: str = "git"):
    """`scan` (a SourceScan) with `evidence` from history_or_why: its findings, or why there are none.

    With `root`, the history is read again for the secrets the tree scan found by their use (a
    literal under a generic name that becomes the keys of a Belvo call) that the line matcher did not
    find in any commit: the history scan runs beside the tree scan, before those values are known.
    """
    from dataclasses import replace

    found, why = evidence
    committed = {f.fingerprint for f in found}
    missed = [v for v in scan.secrets if fingerprint(v) not in committed]
    if root is not None and why is None and missed:  # all of them: each is cut out of every snippet
        found, why = history_evidence(root, git=git, known=tuple(sorted(scan.secrets)))
    return replace(scan, findings=scan.findings + found,
                   unavailable={**scan.unavailable, **({"secret_history": why} if why else {})})
