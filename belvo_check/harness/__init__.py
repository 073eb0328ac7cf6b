"""The harness: run the integration's own flows against the simulator, scenario by scenario, and judge them.

`ctx.evidence("harness")` is a `Harness` (evidence.py); `Harness.scenario(name)` returns an
`Outcome` (outcome.py) for a scenario declared in scenarios.py; `Harness.receiver()` is the
integration's own server for the webhook probes (receiver.py).
"""
