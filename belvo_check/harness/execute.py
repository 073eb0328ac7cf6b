"""Run one drill: a fresh simulator and workdir, the declared flows in order, then read everything back."""

from __future__ import annotations

import time

from belvo_check.harness import links, procs
from belvo_check.harness.integration import EXTERNAL_ID, Integration
from belvo_check.harness.outcome import FlowRun, Outcome
from belvo_check.harness.drills import Drill
from belvo_check.sim import Scenario, Simulator

SEED = 7  # one seed for every drill: the same flows mint the same ids, so stores compare
NEEDS_LINK = {"sync", "delete_link"}


def run_drill(drill: Drill, integration: Integration) -> Outcome:
    outcome = Outcome(drill, log_streams=integration.logs_streams(), store_configured=integration.store_configured)
    outcome.missing = [f for f in dict.fromkeys(drill.flows) if not (integration.flow(f) or integration.supplied(f))]
    workdir = procs.make_workdir(f"belvo-check-{drill.name}-")
    scenario = Scenario.from_dict({"name": drill.name, "settings": drill.settings,
                                   "rules": drill.simulator_rules(integration.timeout)})
    sim = Simulator(seed=SEED, secret_id=integration.secret_id, secret_password=integration.secret_password,
                    scenario=scenario)
    outcome.page_size_cap = sim.page_size_cap
    receiver = None
    made_elsewhere: set[int] = set()  # journal seqs of links the simulator created: not the integration's calls
    try:
        sim.start()
        values = integration.values(sim_url=sim.url, workdir=workdir, credentials=drill.credentials,
                                    institution=drill.institution)
        if integration.flows_need_receiver or integration.webhook_driven:
            try:
                receiver = integration.start_receiver(values)
            except RuntimeError as exc:
                outcome.problem = f"integration.start: {exc}"
                return outcome
        link_id = None
        for step, flow in enumerate(drill.flows):
            supplied = not integration.flow(flow) and integration.supplied(flow)
            if supplied and flow == "create_link":  # made as the widget would: not a step of the integration's
                before, mark = set(sim.state.link_ids()), len(sim.journal)
                links.create(sim, drill.credentials, drill.institution, EXTERNAL_ID)
                made_elsewhere.update(e.seq for e in sim.journal.entries[mark:] if e.direction == "in")
                created = [i for i in sim.state.link_ids() if i not in before]
                link_id = _as_seen(created[-1], sim.state.aliases) if created else None
                _record_truth(outcome, sim)
                continue
            run = FlowRun(step, flow)
            outcome.flows.append(run)
            if not (integration.flow(flow) or supplied):
                run.not_run = f"integration.flows.{flow} is not configured"
                continue
            if flow in NEEDS_LINK and not link_id:
                run.not_run = "no link was created before it"
                continue
            if link_id:
                values["link_id"] = link_id
            before = set(sim.state.link_ids())
            run.started = time.monotonic()
            if supplied:  # sync: the webhooks Belvo sends, delivered to the receiver
                run.result = links.deliver_sync(sim, receiver, link_id, integration.hook_url(values),
                                                integration.authorization, integration.timeout)
            elif receiver is None:
                run.result = integration.run_flow(flow, values)
            else:
                # The webhooks Belvo sends after what the flow did (a link created, an async 202) reach the
                # receiver, as in production, and what they make it do belongs to the step. (A link made as
                # the widget would announces its data by the sync above instead.)
                sim.webhooks.url, sim.webhooks.authorization = integration.hook_url(values), integration.authorization
                run.result = integration.run_flow(flow, values)
                links.settle(sim, integration.timeout)
            run.ended = time.monotonic()
            if flow == "create_link":
                created = [i for i in sim.state.link_ids() if i not in before]
                link_id = _as_seen(created[-1], sim.state.aliases) if created else None
            run.link_id = link_id if flow != "widget_token" else None
            _record_truth(outcome, sim)
            run.store = integration.read_store(values)
        outcome.log_files = integration.read_log_files(values)
    finally:
        if receiver is not None:
            result = receiver.stop()
            outcome.receiver_output = f"{result.stdout}\n{result.stderr}"
            outcome.receiver_logs = integration.listed_streams(result)
        sim.stop()
        outcome.journal = [e for e in sim.journal.entries if e.seq not in made_elsewhere]
        outcome.aliases = dict(sim.state.aliases)
        procs.remove_workdir(workdir)
    return outcome


def _as_seen(real_id: str, aliases: dict) -> str:
    """The id as the integration received it (a mutated alias when the drill changed ids)."""
    seen = [alias for alias, real in aliases.items() if real == real_id]
    return seen[-1] if seen else real_id


def _record_truth(outcome: Outcome, sim: Simulator) -> None:
    """What the simulator holds for each live link; kept after a delete removes it from the simulator."""
    for link_id, link in list(sim.state.links.items()):
        outcome.truth[link_id] = {"record": dict(link.record),
                                  "transactions": [link.item_id("transactions", i)
                                                   for i in link.indices("transactions")]}
