"""Where probes go: the receiver the harness starts, or webhooks.probe_url; and what they may send there."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from belvo_check.evidence import EvidenceUnavailable, require_config
from belvo_check.probes import store_diff as store_reader
from belvo_check.harness.receiver import DEFAULT_PROBE_URL
from belvo_check.probes.safety import refusal, url_problem
from belvo_check.urls import host_of

PROBE_URL_EXAMPLE = "webhooks: {probe_url: http://127.0.0.1:8099/hooks/belvo}"


@dataclass
class Target:
    url: str
    origin: str  # where the URL came from, for evidence
    authorization: str | None  # the value to send; never printed
    auth_label: str | None  # how to name it in evidence (a reference and a fingerprint)
    read_store: Callable[[], dict] | None = None
    store_label: str | None = None
    receiver: Any = None  # the harness receiver, when the harness started the integration
    guard: Callable[[str], str | None] | None = None  # why a delivery to a URL is refused (every hop)

    def describe(self) -> str:
        return f"receiver: {self.url} ({self.origin})"


def resolve(ctx) -> Target:
    """The probe target, or EvidenceUnavailable saying what would provide one."""
    integration = ctx.config.integration
    if integration is not None and (integration.start or ctx.loaded.missing_env("integration", "start")):
        _refuse_production(ctx, _planned_receiver_url(ctx), guard(ctx))  # before the receiver and its simulator start
        target = _harness_target(ctx)
    else:
        target = _configured_target(ctx)
    target.guard = guard(ctx)
    _refuse_production(ctx, target.url, target.guard)
    return target


def guard(ctx) -> Callable[[str], str | None]:
    """The judgement of every delivery this run makes, first hop or redirect: why a URL is refused, or None.

    Remembered per URL, so a slow resolver costs one lookup, not one per delivery.
    """
    return functools.cache(lambda url: refusal(url, production_url(ctx), ctx.options.live))


def _harness_target(ctx) -> Target:
    receiver = ctx.evidence("harness").receiver()
    authorization = receiver.authorization
    ctx.redact.add(authorization)
    return Target(url=receiver.url, origin="the receiver belvo-check started with integration.start",
                  authorization=authorization,
                  auth_label="the Authorization value belvo-check gave the receiver it started",
                  read_store=receiver.store if _has_store(ctx) else None,
                  store_label="integration.store (read back by the harness)" if _has_store(ctx) else None,
                  receiver=receiver)


def _planned_receiver_url(ctx) -> str | None:
    """The receiver URL the harness will use, when its host is known before the receiver starts."""
    webhooks = ctx.config.webhooks
    template = webhooks.probe_url if webhooks and webhooks.probe_url else DEFAULT_PROBE_URL
    return None if "{" in host_of(template) else template


def _configured_target(ctx) -> Target:
    url = require_config(ctx, "webhooks", "probe_url", example=PROBE_URL_EXAMPLE)
    if "{" in url:
        raise EvidenceUnavailable(f"webhooks.probe_url {url} has a placeholder only the harness fills in",
                                  enable="add integration.start (the receiver's command), or give "
                                         "webhooks.probe_url a literal URL")
    problem = url_problem(url)
    if problem:
        raise EvidenceUnavailable(f"webhooks.probe_url: {problem}", enable=PROBE_URL_EXAMPLE)
    secret = ctx.config.webhooks.authorization
    if secret is not None and not secret.value:
        raise EvidenceUnavailable(f"webhooks.authorization uses ${{{secret.env}}}, which is not set: probes "
                                  "could not authenticate", enable=f"set {secret.env} in the environment of this run")
    reader = store_reader.reader_from_config(ctx)
    return Target(url=url, origin="webhooks.probe_url",
                  authorization=secret.value if secret else None,
                  auth_label=f"webhooks.authorization {secret} ({secret.fingerprint})" if secret else None,
                  read_store=reader[0] if reader else None, store_label=reader[1] if reader else None)


def _has_store(ctx) -> bool:
    integration = ctx.config.integration
    return bool(integration and integration.store)


def _refuse_production(ctx, url: str | None, judge: Callable[[str], str | None]) -> None:
    if url is None:
        return
    why = judge(url)
    if why:
        raise EvidenceUnavailable(f"no probe sent: {why}",
                                  enable="run with --live, or point webhooks.probe_url at a receiver on this "
                                         "machine's loopback (127.0.0.1) other than the production host")


def production_url(ctx) -> str | None:
    urls = ctx.config.webhooks.urls if ctx.config.webhooks else None
    return urls.production if urls else None
