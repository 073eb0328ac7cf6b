"""Child processes of the integration: own session, bounded output, stopped with everything they started.

Every live process and scratch folder is also registered here, so an interrupted run
(Ctrl-C, SIGTERM, SIGHUP) can end them all and leave nothing behind: `stop_all()`.

Containment. Every command runs through the shell in a new session (`start_new_session=True`),
so its process group holds what it forks. A daemon leaves that group (`setsid`, a double fork),
so two more nets catch it on Linux:
- every command, and everything it starts, inherits `BELVO_CHECK_PROCESS=<token>`, one token per
  command, which names the step a stray process belongs to;
- belvo-check is a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`): an orphaned descendant is
  re-parented to belvo-check instead of init, so it stays in belvo-check's process tree.
At its timeout, and also after it exits normally, each command's group, the shell's children and
every descendant carrying its token get SIGTERM, then SIGKILL after KILL_GRACE, and the zombies
re-parented to belvo-check are reaped. Without /proc (macOS, BSD) only the process group is
stopped: a daemon that left it is not guaranteed to be found.

Output is drained by threads (the child never blocks on a full pipe) into a buffer that keeps
the head and the tail, at most MAX_STREAM bytes.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

MAX_STREAM = 1 << 20  # bytes kept per stream
TAIL = 256 * 1024  # of which this many are the most recent bytes
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy
TOKEN_VAR = "BELVO_CHECK_PROCESS"
PR_SET_CHILD_SUBREAPER = 36
TRACKS_DAEMONS = sys.platform.startswith("linux") and os.path.isdir("/proc/self")
_run_token = secrets.token_hex(6)  # with a serial number per command: unique across concurrent runs
_serial = itertools.count(1)
_subreaper: bool | None = None  # decided when the first command starts


_live: set["Process"] = set()
_workdirs: set[str] = set()
_registry_lock = threading.Lock()
_stopping = threading.Event()


def make_workdir(prefix: str) -> str:
    """A scratch folder for one drill or receiver; removed by remove_workdir or stop_all."""
    with _registry_lock:
        if _stopping.is_set():  # stop_all already removed the folders: a new one would be left behind
            raise RuntimeError("belvo-check is stopping: no new scratch folder is made")
        path = tempfile.mkdtemp(prefix=prefix)
        _workdirs.add(path)
    return path


def remove_workdir(path: str) -> None:
    with _registry_lock:
        _workdirs.discard(path)
    shutil.rmtree(path, ignore_errors=True)


def stop_all() -> int:
    """The command is ending or interrupted: refuse new processes and folders, end every live command
    (a flow a check gave up waiting for, too), remove every scratch folder. How many were running."""
    _stopping.set()
    with _registry_lock:
        live, folders = list(_live), list(_workdirs)
    _stop_commands(live)  # all at once: one grace period, not one per command
    for process in live:
        process.stop()
    for path in folders:
        remove_workdir(path)
    return len(live)


def stop_descendants() -> int:
    """Stop every process still below belvo-check and reap its zombies; how many were running.

    Only for belvo-check's own command line, at its very end: by then none of its commands is
    running, so anything left is what an integration started and hid (a daemon that also cleared
    its environment). Linux only; elsewhere an orphan is not ours to find.
    """
    if not TRACKS_DAEMONS:
        return 0
    me = os.getpid()
    ours = _own_helpers()
    stopped = _terminate(lambda table: _subtree(table, me) - ours)
    with _registry_lock:
        running = {process.popen.pid for process in _live}
    for pid, (ppid, _, zombie) in _process_table().items():
        if ppid == me and zombie and pid not in running:
            _reap(pid)
    return len(stopped)


def _own_helpers() -> set[int]:
    """The multiprocessing helpers belvo-check itself started for the source scan (the forkserver and
    the resource tracker, which ignores SIGTERM): not the integration's, and they end with belvo-check."""
    pids = set()
    for module, name, field in (("multiprocessing.forkserver", "_forkserver", "_forkserver_pid"),
                                ("multiprocessing.resource_tracker", "_resource_tracker", "_pid")):
        pid = getattr(getattr(sys.modules.get(module), name, None), field, None)
        if pid:
            pids.add(pid)
    return pids


class BoundedBuffer:
    """Keeps the first MAX_STREAM - TAIL bytes and the last TAIL bytes; counts what was dropped."""

    def __init__(self, limit: int = MAX_STREAM, tail: int = TAIL) -> None:
        self.head_limit, self.tail_limit = limit - tail, tail
        self.head, self.tail = bytearray(), bytearray()
        self.dropped = 0
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            room = self.head_limit - len(self.head)
            if room > 0:
                self.head += data[:room]
                data = data[room:]
            if data:
                self.tail += data
                excess = len(self.tail) - self.tail_limit
                if excess > 0:
                    del self.tail[:excess]
                    self.dropped += excess

    def text(self) -> str:
        with self._lock:
            gap = f"\n[... {self.dropped} bytes of output dropped ...]\n" if self.dropped else ""
            return self.head.decode("utf-8", "replace") + gap + self.tail.decode("utf-8", "replace")


def _drain(stream, buffer: BoundedBuffer) -> None:
    try:
        for chunk in iter(lambda: stream.read1(65536), b""):
            buffer.write(chunk)
    except (OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def kill_group(pgid: int, grace: float = KILL_GRACE) -> bool:
    """SIGTERM the group, then SIGKILL whatever is left after `grace`. True if anything was there."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return False
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        time.sleep(0.02)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return True


# -- finding what a command left running (Linux: /proc) ----------------------------------------

Table = dict  # pid -> (ppid, process group, is a zombie)


def _become_subreaper() -> bool:
    """Orphans below belvo-check are re-parented to it rather than to init (Linux 3.4+)."""
    if not TRACKS_DAEMONS:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _process_table() -> Table:
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:  # it ended while we looked
            continue
        fields = stat[stat.rindex(b")") + 2:].split()  # the command name in (...) may hold spaces
        table[int(name)] = (int(fields[1]), int(fields[2]), fields[0] in (b"Z", b"X"))
    return table


def _subtree(table: Table, root: int) -> set[int]:
    children = defaultdict(list)
    for pid, (ppid, _, _) in table.items():
        children[ppid].append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _environment_has(pid: int, entries: set[bytes]) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            return not entries.isdisjoint(handle.read().split(b"\0"))
    except OSError:  # another user's process, or gone
        return False


def _members(processes: list["Process"], table: Table) -> set[int]:
    """The processes that belong to these commands: their groups, the shells' children, and every
    descendant of belvo-check (every process, if it could not become a subreaper) carrying a token."""
    groups = {process.pgid for process in processes}
    found = {pid for pid, (_, group, _) in table.items() if group in groups}
    for process in processes:
        if process.popen.returncode is None:  # not yet reaped: the pid is still that shell's
            found |= _subtree(table, process.pgid)
    entries = {process.token_entry for process in processes}
    candidates = _subtree(table, os.getpid()) if _subreaper else set(table)
    found |= {pid for pid in candidates - found if _environment_has(pid, entries)}
    found.discard(os.getpid())
    return found


def _terminate(select: Callable[[Table], Iterable[int]], grace: float = KILL_GRACE) -> set[int]:
    """SIGTERM each running process `select` picks, SIGKILL those still running after `grace`;
    look again every round, so what they fork meanwhile is caught too. The pids signalled."""
    sent: dict[int, int] = {}
    kill_at = time.monotonic() + grace
    give_up = kill_at + grace  # a process stuck in the kernel cannot be killed at all
    while time.monotonic() < give_up:
        table = _process_table()
        running = [pid for pid in select(table) if pid in table and not table[pid][2]]
        if not running:
            break
        signum = signal.SIGKILL if time.monotonic() >= kill_at else signal.SIGTERM
        for pid in running:
            if sent.get(pid) != signum:
                try:
                    os.kill(pid, signum)
                except (ProcessLookupError, PermissionError):
                    pass
                sent[pid] = signum
        time.sleep(0.05)
    return set(sent)


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child: its own parent reaps it
        pass


def _stop_commands(processes: list["Process"]) -> set[int]:
    """End these commands and everything they started; reap the re-parented. The pids stopped."""
    if not processes:
        return set()
    if not TRACKS_DAEMONS:
        for process in processes:
            kill_group(process.pgid)
        return set()

    def select(table: Table) -> set[int]:
        for process in processes:
            process.popen.poll()  # a shell that ended is reaped, so it stops counting
        return _members(processes, table)

    stopped = _terminate(select)
    shells = {process.popen.pid for process in processes}
    for pid in stopped - shells:  # the shells are reaped by their Popen
        _reap(pid)
    return stopped - shells


@dataclass
class ProcResult:
    command: str  # as run, secrets included: never print it unredacted
    exit_code: int | None  # None when killed at the timeout
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    stopped: tuple[int, ...] = ()  # pids still running when the step ended (background, daemons), stopped then

    @property
    def signalled(self) -> int | None:
        """The signal that ended the process (negative exit codes), unless we killed it at its timeout."""
        if self.exit_code is not None and self.exit_code < 0:
            return -self.exit_code
        return None


class Process:
    """One shell command in its own session, its output drained into bounded buffers."""

    def __init__(self, command: str, *, env: dict, cwd: str) -> None:
        global _subreaper
        self.command = command
        self.stdout, self.stderr = BoundedBuffer(), BoundedBuffer()
        self.started = time.monotonic()
        token = f"{_run_token}-{next(_serial)}"
        self.token_entry = f"{TOKEN_VAR}={token}".encode()
        with _registry_lock:  # registered before it can fork, so stop_all never misses it
            if _stopping.is_set():
                raise RuntimeError("belvo-check is stopping: no new process is started")
            if _subreaper is None:
                _subreaper = _become_subreaper()
            self.popen = subprocess.Popen(command, shell=True, cwd=cwd, env={**env, TOKEN_VAR: token},
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          start_new_session=True)
            _live.add(self)
        self.pgid = self.popen.pid  # a new session: the shell is the group leader
        self._drains = [threading.Thread(target=_drain, args=(pipe, buf), daemon=True, name="drain")
                        for pipe, buf in ((self.popen.stdout, self.stdout), (self.popen.stderr, self.stderr))]
        for thread in self._drains:
            thread.start()

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float) -> ProcResult:
        timed_out = False
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        return self.stop(timed_out=timed_out)

    def stop(self, timed_out: bool = False) -> ProcResult:
        """End the command and everything it started (in the background, or as a daemon) and collect the output."""
        stopped = _stop_commands([self])
        try:
            self.popen.wait(timeout=KILL_GRACE + 1)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL was sent to it
            pass
        for thread in self._drains:
            # A process we could not see (no /proc) may still hold the pipe: do not wait for it forever.
            thread.join(timeout=1.0)
        with _registry_lock:
            _live.discard(self)
        code = None if timed_out else self.popen.returncode
        return ProcResult(self.command, code, self.stdout.text(), self.stderr.text(),
                          time.monotonic() - self.started, timed_out, tuple(sorted(stopped)))


def run(command: str, *, env: dict, cwd: str, timeout: float) -> ProcResult:
    return Process(command, env=env, cwd=cwd).wait(timeout)


def wait_ready(url: str, process: Process, timeout: float) -> str | None:
    """Poll `url` until it answers 2xx; None when ready, else why not."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not process.alive():
            return f"the start command exited (code {process.popen.returncode}) before {url} answered"
        try:
            with _LOCAL.open(url, timeout=1.0) as resp:
                if 200 <= resp.status < 300:
                    return None
                last = f"status {resp.status}"
        except Exception as exc:  # connection refused while it starts, HTTP errors, ...
            last = type(exc).__name__
        time.sleep(0.05)
    return f"{url} did not answer 2xx within {timeout:.0f}s (last: {last})"
