"""Section 8: subscribe to updates. Code cannot show this, so it is attested in the config."""

from __future__ import annotations

from datetime import date

from belvo_check.model import Evidence, Status, passed, warned
from belvo_check.registry import CheckContext, check

SOURCES = {
    "status_page": "Belvo's status page (https://status.belvo.com)",
    "changelog": "Belvo's API changelog (https://developers.belvo.com/changelog)",
}


def _attested(ctx: CheckContext, key: str):
    attestation = getattr(ctx.config.attestations, key)
    example = f"attestations: {{{key}: {{by: you@example.com, date: {date.today().isoformat()}}}}}"
    if attestation is None:
        return warned(f"nobody has attested a subscription to {SOURCES[key]}",
                      hint=f"Subscribe, then record who and when in the config: {example}")
    where = ctx.loaded.location("attestations", key)
    seen = f"attestations.{key}: by {attestation.by} on {attestation.date.isoformat()}"
    if attestation.date > date.today():
        return warned("the attestation is dated in the future", evidence=seen, location=where,
                      hint=f"Use the date the subscription was made: {example}")
    return passed(f"subscription to {SOURCES[key]} attested", evidence=seen, location=where)


@check(
    id="BLV801",
    title="The team is subscribed to Belvo's status page",
    failure_title="No attested subscription to Belvo's status page",
    checklist="The team is subscribed to Belvo's status page.",
    evidence=[Evidence.CONFIG],
    severity=Status.WARN,
    hint="Subscribe to Belvo's status page, then attest it under attestations.status_page.",
)
def status_page(ctx: CheckContext):
    """
    ## What it checks
    That `attestations.status_page` records who subscribed the team to Belvo's status page, and
    when. belvo-check cannot see a subscription, so it asks a person to vouch for it and keeps
    that attestation in the config, where review and history can see it.

    ## Why Belvo asks
    Institution outages and Belvo incidents are announced on the status page. A team that hears
    about them first can tell users "your bank is down" instead of debugging their own code.

    ## How to fix
    Subscribe a shared address (not one person's inbox) on the status page, then record it.

    ## Example
    ```yaml
    attestations:
      status_page: {by: ana@acme.mx, date: 2026-11-20}
    ```
    """
    return _attested(ctx, "status_page")


@check(
    id="BLV802",
    title="The team is subscribed to Belvo's changelog",
    failure_title="No attested subscription to Belvo's changelog",
    checklist="The team is subscribed to Belvo's changelog.",
    evidence=[Evidence.CONFIG],
    severity=Status.WARN,
    hint="Subscribe to Belvo's changelog, then attest it under attestations.changelog.",
)
def changelog(ctx: CheckContext):
    """
    ## What it checks
    That `attestations.changelog` records who subscribed the team to Belvo's API changelog, and
    when.

    ## Why Belvo asks
    Belvo adds fields, endpoints, enum values and webhook codes without a version bump (see the
    non-breaking changes in section 6). The changelog is where those changes, and the rare
    breaking ones, are announced ahead of time.

    ## How to fix
    Subscribe a shared address to the changelog, then record it.

    ## Example
    ```yaml
    attestations:
      changelog: {by: ana@acme.mx, date: 2026-11-20}
    ```
    """
    return _attested(ctx, "changelog")
