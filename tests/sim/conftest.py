import httpx
import pytest

from belvo_check.sim import Simulator

from simtest import KEYS


@pytest.fixture
def sim():
    with Simulator(seed=7, secret_id=KEYS[0], secret_password=KEYS[1]) as s:
        yield s


@pytest.fixture
def client(sim):
    with httpx.Client(base_url=sim.url, auth=KEYS, timeout=10) as c:
        yield c

