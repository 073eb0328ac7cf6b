"""Stop signals: SIGINT, SIGTERM (CI cancelling a job) and SIGHUP (a closed terminal) end every
command the same way, with exit 130 and one line on stderr."""

from __future__ import annotations

import os
import signal

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
EXIT_INTERRUPTED = 130


def on_stop_signals(handler) -> None:
    """Install `handler` for every stop signal. A signal the parent chose to ignore (nohup, a
    background job) stays ignored."""
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, handler)


def exit_now(signum=None, frame=None) -> None:
    """For moments with nothing to clean up (start-up, after a command's cleanup): leave at once,
    without raising into whatever the interpreter is doing."""
    os.write(2, b"interrupted\n")
    os._exit(EXIT_INTERRUPTED)
