"""`belvo-check sim --page-size-cap`: the scenario's page cap holds unless the flag is given; 0 turns it off."""
import httpx
import pytest

from tests.simproc import SimProcess

UNCAPPED = 100  # Belvo's default page size


@pytest.mark.parametrize("scenario_cap, flag, cap", [
    ("absent", None, 10),      # no scenario setting: Belvo's sandbox page of 10
    ("null", None, UNCAPPED),  # the scenario turns the cap off, and no flag overrides it
    ("3", None, 3),
    ("null", "4", 4),          # the flag wins over the scenario
    ("3", "0", UNCAPPED),      # 0 turns the cap off
])
def test_page_size_cap_comes_from_the_flag_then_the_scenario(tmp_path, scenario_cap, flag, cap):
    scenario = tmp_path / "cap.yaml"
    settings = "" if scenario_cap == "absent" else f"settings: {{page_size_cap: {scenario_cap}}}\n"
    scenario.write_text(f"name: cap\n{settings}")
    args = ["--scenario", str(scenario)] + (["--page-size-cap", flag] if flag is not None else [])
    with SimProcess(*args) as sim:
        listing = httpx.get(f"{sim.url}/api/institutions/", auth=sim.auth, timeout=30).json()
    count = listing["count"]
    assert 10 < count < UNCAPPED  # a page of 10 and an uncapped page differ, and one page holds all
    assert len(listing["results"]) == min(count, cap)
    assert (listing["next"] is None) == (cap >= count)
