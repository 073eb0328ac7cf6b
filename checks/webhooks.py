"""Section 4: webhooks."""

from __future__ import annotations

from urllib.parse import urlsplit

from belvo_check.evidence import require_config
from belvo_check.model import Evidence, failed, passed, warned
from belvo_check.registry import check
from belvo_check.urls import host_of, is_loopback_or_private, tunnel_service

URLS_EXAMPLE = ("webhooks: {urls: {sandbox: https://staging.example.com/hooks/belvo, "
                "production: https://example.com/hooks/belvo}}")


def _normalised(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{parts.port or ''}{parts.path.rstrip('/')}"


@check(
    id="BLV401",
    title="Each environment has its own webhook URL",
    failure_title="Sandbox and production do not each have their own webhook URL",
    checklist="Each environment (sandbox, production) has its own webhook URL.",
    evidence=[Evidence.CONFIG],
    hint="Register a separate URL per environment in Belvo's dashboard and list both under webhooks.urls.",
)
def url_per_environment(ctx):
    """
    ## What it checks
    That `webhooks.urls` names a URL for `sandbox` and one for `production`, and that they are
    not the same endpoint (scheme, host, port and path compared; a trailing slash ignored).

    ## Why Belvo asks
    Belvo's dashboard holds webhook URLs per environment. If sandbox and production share one
    receiver, test events (fake links, fake transactions) land in production data, and a
    production event can be handled with sandbox keys. Going live means setting a production URL.

    ## How to fix
    Give each environment its own receiver URL, register each in the dashboard with the
    environment switcher, and record both in the config.

    ## Example
    ```yaml
    webhooks:
      urls:
        sandbox: https://staging.acme.mx/hooks/belvo
        production: https://acme.mx/hooks/belvo
    ```
    """
    urls = require_config(ctx, "webhooks", "urls", example=URLS_EXAMPLE)
    where = ctx.loaded.location("webhooks", "urls")
    seen = f"webhooks.urls.sandbox = {urls.sandbox}; webhooks.urls.production = {urls.production}"
    missing = [env for env in ("sandbox", "production") if not getattr(urls, env)]
    if missing:
        blocking = ctx.config.environment in missing
        report = failed if blocking else warned
        return report(f"no {' or '.join(missing)} webhook URL configured", evidence=seen, location=where)
    if _normalised(urls.sandbox) == _normalised(urls.production):
        return failed("sandbox and production share one webhook URL: test events would reach production",
                      evidence=seen, location=where)
    return passed("sandbox and production have distinct webhook URLs", evidence=seen, location=where)


@check(
    id="BLV402",
    title="The production webhook URL is public HTTPS",
    failure_title="The production webhook URL is not a public HTTPS endpoint",
    checklist="Webhooks are handled for single and for recurrent links; each environment has its own webhook URL.",
    evidence=[Evidence.CONFIG],
    hint="Use an https:// URL on your own public domain for production; keep tunnels and local hosts for sandbox.",
)
def production_url_is_public_https(ctx):
    """
    ## What it checks
    That the production webhook URL uses `https://`, and is not `localhost`, a private or
    loopback address, a `.local`/`.internal` name, or a tunnel service (ngrok, Cloudflare quick
    tunnels, localtunnel, webhook.site and the like).

    ## Why Belvo asks
    Belvo delivers real customers' events to this URL. Over plain HTTP the payload and the
    Authorization value travel readable. A private address never receives anything, and a
    tunnel dies with the laptop that opened it, so events are silently lost.

    ## How to fix
    Serve the receiver on your own domain behind TLS, and register that URL in the production
    dashboard.

    ## Example
    ```yaml
    webhooks:
      urls:
        production: https://acme.mx/hooks/belvo      # not http://, not *.ngrok-free.app
    ```
    """
    url = require_config(ctx, "webhooks", "urls", "production",
                         example="webhooks: {urls: {production: https://example.com/hooks/belvo}}")
    where = ctx.loaded.location("webhooks", "urls", "production")
    seen = f"webhooks.urls.production = {url}"
    host = host_of(url)
    problems = []
    if urlsplit(url.strip()).scheme != "https":
        problems.append("is not https")
    local = is_loopback_or_private(host)
    if local:
        problems.append(f"is {local}")
    tunnel = tunnel_service(host)
    if tunnel:
        problems.append(f"is a tunnel ({tunnel})")
    if problems:
        return failed(f"the production webhook URL {' and '.join(problems)}", evidence=seen, location=where)
    return passed("production webhooks go to a public HTTPS host", evidence=seen, location=where)
