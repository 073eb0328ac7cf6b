"""`belvo-check sim` in the foreground, the way a user runs it: the URL on stdout, a clean exit on a signal."""
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"listening on (http://\S+)")


def _lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sim_command_serves_then_stops_cleanly(signum):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BELVO_")}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "belvo_check", "sim", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
        printed, url = [], None
        while url is None:
            line = lines.get(timeout=30)
            assert line is not None, f"exited before printing its URL: {proc.wait(5)} {proc.stderr.read()}"
            printed.append(line)
            if m := URL_LINE.search(line):
                url = m.group(1)
        startup = time.monotonic() - started
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url) and not url.endswith(":0"), url  # the real port
        while not any(line.startswith("  BELVO_SECRET_PASSWORD=") for line in printed):
            printed.append(lines.get(timeout=10))
        keys = dict(line.strip().split("=", 1) for line in printed if line.startswith("  BELVO_"))
        assert keys["BELVO_API_URL"] == url
        r = httpx.get(f"{url}/api/", auth=(keys["BELVO_SECRET_ID"], keys["BELVO_SECRET_PASSWORD"]), timeout=10)
        assert r.status_code == 200 and r.json()["links"].endswith("/api/links/")

        proc.send_signal(signum)
        code = proc.wait(timeout=15)
        rest = []
        while (line := lines.get(timeout=5)) is not None:
            rest.append(line)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, (code, stderr)
    assert "Traceback" not in stderr, stderr
    assert rest[-1] == "Simulator stopped.\n" and sum("stopped" in line for line in rest) == 1, rest
    assert startup < 10, f"took {startup:.2f}s to print its URL"  # typically about 0.2 s; generous for busy CI
