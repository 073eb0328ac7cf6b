"""Links made elsewhere, data announced by webhook: what belvo-check does in place of the flows an
integration does not have.

`integration.links: simulator`: the integration creates no links (Belvo's widget does, in a
browser), so the simulator creates each one as the widget would (`POST /api/links/` with the
drill's credentials) and hands its id to the flows as `{link_id}`. With no `sync` flow and a
receiver (`integration.start`), a sync is what Belvo does after a link is created: the
historical_update webhooks for ACCOUNTS, TRANSACTIONS and OWNERS, delivered to the receiver; the
step lasts until the receiver has stopped calling the simulator.
"""

from __future__ import annotations

import time

from belvo_check.harness.procs import ProcResult

QUIET = 1.5  # the receiver is taken as done once the simulator has seen no request for this long
ANNOUNCED = "ACCOUNTS, TRANSACTIONS and OWNERS historical_update"


def create(sim, credentials: tuple[str, str], institution: str, external_id: str) -> str | None:
    """A link created in the simulator as Belvo's widget would create it; its id, or None."""
    import httpx

    body = {"institution": institution, "username": credentials[0], "password": credentials[1],
            "external_id": external_id, "access_mode": "recurrent"}
    answer = httpx.post(f"{sim.url}/api/links/", json=body, auth=(sim.secret_id, sim.secret_password),
                        headers={"User-Agent": "belvo-check (as Belvo's widget)"}, timeout=30, trust_env=False)
    return answer.json().get("id") if answer.status_code == 201 else None


def deliver_sync(sim, receiver, link_id: str, url: str, authorization: str, limit: float) -> ProcResult:
    """Announce the link's data to the receiver by webhook and wait until it is done acting on it.

    Reported like a flow run: exit 0 when every webhook was acknowledged with a 2xx and the receiver
    is still up; its output during the step as stdout and stderr.
    """
    sim.webhooks.url, sim.webhooks.authorization = url, authorization
    out, err = len(receiver.stdout.text()), len(receiver.stderr.text())
    mark, started = len(sim.journal), time.monotonic()
    sim.announce_historical(link_id)
    timed_out = not settle(sim, limit)
    sent = [e for e in sim.journal.entries[mark:] if e.direction == "out"]
    acknowledged = bool(sent) and all(e.status is not None and 200 <= e.status < 300 for e in sent)
    exit_code = (0 if acknowledged else 1) if receiver.alive() else receiver.popen.poll()
    return ProcResult(f"{ANNOUNCED} webhooks delivered to integration.start", None if timed_out else exit_code,
                      receiver.stdout.text()[out:], receiver.stderr.text()[err:], time.monotonic() - started,
                      timed_out=timed_out)


def settle(sim, limit: float) -> bool:
    """Wait until the webhooks the simulator sent are delivered and the receiver has stopped calling;
    False when `limit` seconds passed first."""
    started = time.monotonic()
    sim.webhooks.wait_idle(timeout=limit)
    return quiet(sim, deadline=started + limit)


def quiet(sim, deadline: float) -> bool:
    """Wait until the simulator answers nothing and has seen no request for QUIET seconds; False if the
    deadline came first (a request still held open, or calls that never stop)."""
    seen, since = len(sim.journal), time.monotonic()
    while time.monotonic() - since < QUIET or sim.in_flight:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
        if len(sim.journal) != seen or sim.in_flight:
            seen, since = len(sim.journal), time.monotonic()
    return True
