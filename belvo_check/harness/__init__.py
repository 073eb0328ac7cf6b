"""The harness: run the integration's own flows against the simulator, drill by drill.

The harness evidence is a `Harness` (scheduler.py); `Harness.drill(drill)` returns the `Outcome`
(outcome.py) of a drill declared in drills.py; `Harness.receiver()` is the integration's own server
for the webhook probes (receiver.py). Findings every harness check shares are in verdicts.py.
"""
