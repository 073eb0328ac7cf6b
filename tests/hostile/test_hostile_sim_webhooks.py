"""The simulator's own outgoing webhooks (to the receiver the harness starts) are bounded like
probes: a receiver that drips its answer, never answers, or floods cannot hold a delivery past
the sender's deadline, and the journal says it timed out."""
from __future__ import annotations

import threading

import pytest

from belvo_check.sim import Simulator
from tests.hostile.hostile_receivers import HostileReceiver

KEYS = ("hostile-webhooks-id", "hostile-webhooks-password")
HANG_GUARD = 60  # far beyond the 1 s deadline: reaching it means the delivery was never cut off


@pytest.mark.parametrize("behaviour, acknowledged", [
    ("silent", False), ("slow_headers", False), ("drip_body", False),
    ("endless", True),  # a 2xx whose endless body is read no further than 64 KiB
])
def test_a_hostile_receiver_cannot_hold_a_simulator_webhook(behaviour, acknowledged):
    with HostileReceiver(behaviour) as receiver, \
            Simulator(seed=5, secret_id=KEYS[0], secret_password=KEYS[1]) as sim:
        sim.webhooks.timeout = 1.0
        done: list = []
        worker = threading.Thread(target=lambda: done.append(
            sim.send_webhook(url=receiver.url, webhook_type="TRANSACTIONS")), daemon=True)
        worker.start()
        worker.join(HANG_GUARD)
        assert done, f"a {behaviour} receiver held the simulator's delivery for {HANG_GUARD} s"
        delivery = done[0]
        if acknowledged:
            assert delivery.status == 200 and delivery.error is None, delivery
        else:
            assert delivery.status is None and delivery.error.startswith("timed out"), delivery
        assert sim.journal.find(direction="out")[0].error == delivery.error
        assert receiver.connections == 1
