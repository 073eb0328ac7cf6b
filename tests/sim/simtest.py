"""Helpers shared by the simulator tests (imported by name: tests/sim has no __init__)."""
KEYS = ("test-id", "test-password")


def make_link(client, username="user_valid", password="pass_valid", institution="erebor_mx_retail", **extra):
    r = client.post("/api/links/", json={"institution": institution, "username": username, "password": password, **extra})
    assert r.status_code == 201, r.text
    return r.json()
