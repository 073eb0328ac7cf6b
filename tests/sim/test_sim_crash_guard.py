"""A simulator bug answers Belvo's 500 (a JSON error array with a request_id) and logs one line, never a
traceback; the simulator keeps serving. The bug is injected: the real simulator has none to find."""
import logging
import re

import httpx

from belvo_check.sim import Simulator, app, handlers
from simtest import KEYS


def assert_belvo_500(response: httpx.Response) -> str:
    assert response.status_code == 500, response.text
    [error] = response.json()
    assert error["code"] == "unexpected_error" and error["message"]
    assert re.fullmatch(r"[0-9a-f]{32}", error["request_id"])
    return error["request_id"]


def one_line_logged(caplog, request_id: str) -> None:
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    [line] = [r.getMessage() for r in caplog.records if request_id in r.getMessage()]
    assert "internal error" in line and "\n" not in line, line


def test_a_handler_that_raises_answers_belvos_500(monkeypatch, caplog):
    def broken(self, ctx):
        raise KeyError("a bug")

    monkeypatch.setattr(handlers.Handlers, "list_institutions", broken)
    with caplog.at_level(logging.INFO), Simulator(seed=1, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as client:
        request_id = assert_belvo_500(client.get("/api/institutions/"))
        assert client.get("/api/links/").status_code == 200  # still serving
        [entry] = sim.journal.find(path="/api/institutions/")
        assert entry.status == 500 and entry.request_id == request_id and entry.error.startswith("internal error")
    one_line_logged(caplog, request_id)


def test_an_error_outside_the_handlers_answers_belvos_500(monkeypatch, caplog):
    real = app.summarize

    def broken(data, path=""):
        if path.startswith("/api/institutions"):
            raise RuntimeError("a bug while journaling")
        return real(data, path)

    monkeypatch.setattr(app, "summarize", broken)
    with caplog.at_level(logging.INFO), Simulator(seed=1, secret_id=KEYS[0], secret_password=KEYS[1]) as sim, \
            httpx.Client(base_url=sim.url, auth=KEYS, timeout=30) as client:
        request_id = assert_belvo_500(client.get("/api/institutions/"))
        assert client.get("/api/links/").status_code == 200
    one_line_logged(caplog, request_id)
