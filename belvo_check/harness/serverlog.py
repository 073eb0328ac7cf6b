"""Keep the simulators' HTTP access log out of belvo-check's stdout, which carries the JSON report.

Why: every `Simulator.start()` builds a `uvicorn.Config`, and uvicorn configures logging for the
whole process: `dictConfig(LOGGING_CONFIG)` gives the global "uvicorn.access" logger a handler on
sys.stdout at level INFO, and only a moment later (`access_log=False`, `log_level="error"`) takes
it away again. The harness runs several scenarios at once, each with its own simulator: when one
starts while another is serving, a request that lands inside that window is written to stdout as
`INFO: 127.0.0.1:PORT - "POST /api/accounts/ HTTP/1.1" 503 ...`, in front of the JSON report, and
`belvo-check run --format json` prints something that is not JSON (seen as a flaky fixture test
whose stdout "was empty": json.loads fails at line 1 column 1).

The root is fixed in the simulator (sim/server.py starts uvicorn with log_config=None, so it no
longer reconfigures logging). This guard stays as the harness's own assurance, because the harness
is what runs servers side by side in belvo-check's process: any other uvicorn.Config built here
(a plugin, an embedded receiver) would reopen the same window.

A filter on the logger itself survives every later dictConfig (dictConfig replaces a logger's
handlers and level, never its filters), so no interleaving of simulator start-ups can bring the
access log back. The simulator keeps its own journal of every exchange; nothing is lost.
"""

from __future__ import annotations

import logging
import threading

ACCESS_LOGGER = "uvicorn.access"
_LOCK = threading.Lock()


class _DropAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


def silence_access_log() -> None:
    """Drop every record of uvicorn's access logger in this process; idempotent and thread-safe."""
    logger = logging.getLogger(ACCESS_LOGGER)
    with _LOCK:
        if not any(isinstance(f, _DropAll) for f in logger.filters):
            logger.addFilter(_DropAll())
