"""Child processes of the integration: own process group, bounded output, killed with their children.

Every live process and scratch folder is also registered here, so an interrupted run
(Ctrl-C, SIGTERM, SIGHUP) can end them all and leave nothing behind: `stop_all()`.

Every command runs through the shell in a new session (`start_new_session=True`), so its
process group holds everything it forks; at its timeout, and also after it exits normally,
the whole group gets SIGTERM then SIGKILL. Output is drained by threads (the child never
blocks on a full pipe) into a buffer that keeps the head and the tail, at most MAX_STREAM bytes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass

MAX_STREAM = 1 << 20  # bytes kept per stream
TAIL = 256 * 1024  # of which this many are the most recent bytes
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never via a proxy


_live: set["Process"] = set()
_workdirs: set[str] = set()
_registry_lock = threading.Lock()
_stopping = threading.Event()


def make_workdir(prefix: str) -> str:
    """A scratch folder for one scenario or receiver; removed by remove_workdir or stop_all."""
    with _registry_lock:
        path = tempfile.mkdtemp(prefix=prefix)
        _workdirs.add(path)
    return path


def remove_workdir(path: str) -> None:
    with _registry_lock:
        _workdirs.discard(path)
    shutil.rmtree(path, ignore_errors=True)


def stop_all() -> int:
    """The run is being interrupted: refuse new processes, end every live group, remove scratch folders."""
    _stopping.set()
    with _registry_lock:
        live, folders = list(_live), list(_workdirs)
    for process in live:
        process.stop()
    for path in folders:
        remove_workdir(path)
    return len(live)


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


@dataclass
class ProcResult:
    command: str  # as run, secrets included: never print it unredacted
    exit_code: int | None  # None when killed at the timeout
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False

    @property
    def signalled(self) -> int | None:
        """The signal that ended the process (negative exit codes), unless we killed it at its timeout."""
        if self.exit_code is not None and self.exit_code < 0:
            return -self.exit_code
        return None


class Process:
    """One shell command in its own process group, its output drained into bounded buffers."""

    def __init__(self, command: str, *, env: dict, cwd: str) -> None:
        self.command = command
        self.stdout, self.stderr = BoundedBuffer(), BoundedBuffer()
        self.started = time.monotonic()
        with _registry_lock:  # registered before it can fork, so stop_all never misses it
            if _stopping.is_set():
                raise RuntimeError("belvo-check is stopping: no new process is started")
            self.popen = subprocess.Popen(command, shell=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
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
        """End the whole group (children forked into the background too) and collect the output."""
        kill_group(self.pgid)
        try:
            self.popen.wait(timeout=KILL_GRACE + 1)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL was sent to the group
            pass
        for thread in self._drains:
            # A grandchild that left the group may still hold the pipe: do not wait for it forever.
            thread.join(timeout=1.0)
        with _registry_lock:
            _live.discard(self)
        code = None if timed_out else self.popen.returncode
        return ProcResult(self.command, code, self.stdout.text(), self.stderr.text(),
                          time.monotonic() - self.started, timed_out)


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
