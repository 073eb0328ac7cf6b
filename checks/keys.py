"""Section 7: URLs and API keys."""

from __future__ import annotations

from urllib.parse import urlsplit

from belvo_check.model import Evidence, failed, passed, skipped, warned
from belvo_check.harness.drills import ERRORS_401, PLAIN, WIDGET
from belvo_check.registry import CheckContext, check
from belvo_check.source.verdict import source
from belvo_check.urls import BELVO_HOSTS, PRODUCTION_API, SANDBOX_API, host_of, is_loopback_or_private, looks_like_belvo


@check(
    id="BLV701",
    title="Calls go to the API of the environment being judged",
    failure_title="Belvo calls may not go to the API of the environment being judged",
    checklist="When switching to Production, calls go to the production API, https://api.belvo.com.",
    evidence=[Evidence.CONFIG],
    hint="Read the Belvo base URL from one environment variable, with no sandbox default in code, and set it per "
         "deploy: https://api.belvo.com in production, https://sandbox.belvo.com in sandbox.",
    # A host in code or deploy files shows intent; which URL a deploy really calls is the config's (or
    # the harness's) to prove, so a pass from the code alone is decided by source.
    source=source("belvo_host", "sandbox_fallback", "sdk_environment", proves=False),
)
def base_url_matches_environment(ctx: CheckContext):
    """
    ## What it checks
    The Belvo base URL your integration uses (`belvo.base_url`) against the environment this
    run judges (`environment`). In a `production` run it must be exactly `https://api.belvo.com`.
    It names the usual mistakes: the sandbox or the retired development host, plain `http://`,
    and look-alikes such as `api.belvo.co` or `production.belvo.com`. A `sandbox` run pointed at
    production is a warning.

    ## Why Belvo asks
    Belvo's checklist: when you go live, change the base URL from `sandbox.belvo.com` to
    `api.belvo.com`. Sandbox keys do not work in production and sandbox data is fake, so a
    production deploy still pointed at sandbox fails for every real user. Look-alike hosts
    never answer, or worse, answer as someone else.

    ## How to fix
    Read the base URL from the environment and set it per deploy:
    `BELVO_API_URL=https://api.belvo.com` in production, `https://sandbox.belvo.com` in sandbox.

    ## In the code
    With `source:` configured, every Belvo host in code, config and deploy files (`.env*`, compose,
    Kubernetes, `fly.toml`, Terraform vars) is read too: a wrong or look-alike host, or the retired
    development host, fails; sandbox hard-coded in non-test code or in a production file fails, as
    does an SDK client fixed to `'sandbox'` (`Client(id, pw, "sandbox")`); an environment read that
    silently falls back to sandbox when the variable is unset (`os.getenv("BELVO_URL", "https://sandbox.belvo.com")`,
    `process.env.BELVO_ENV || 'sandbox'`, `${BELVO_URL:-...sandbox...}`) is a warning, and so is the
    production host written in code (it cannot be pointed at sandbox or a simulator). Tests and example
    files use sandbox on purpose and count for nothing. The config may be right while the code is not:
    each finding names its `path:line:col`, and `decided_by` says which evidence decided. Fix the
    line, or, where it is deliberate, write `# belvo-check: ignore[BLV701] why` on it or the line
    above.

    ## Example
    ```yaml
    environment: production
    belvo:
      base_url: ${BELVO_API_URL}     # https://api.belvo.com in the production deploy
    ```
    ```python
    BELVO_API_URL = os.environ["BELVO_API_URL"]   # no default: a deploy without it fails at start
    ```
    """
    from belvo_check.evidence import require_config  # evidence loads the redactor: not for `list`

    url = require_config(ctx, "belvo", "base_url", example="belvo: {base_url: https://api.belvo.com}")
    where = ctx.loaded.location("belvo", "base_url")
    environment = ctx.config.environment
    expected = PRODUCTION_API if environment == "production" else SANDBOX_API
    parts = urlsplit(url.strip())
    host = host_of(url)
    seen = f"belvo.base_url = {url} (environment: {environment})"

    if parts.scheme != "https":
        return failed(f"{url} is not https: Belvo serves only HTTPS, and Basic auth would cross the "
                      "network readable", evidence=seen, location=where)
    if host == host_of(expected):
        if parts.port not in (None, 443) or parts.path.strip("/") or parts.query:
            return warned(f"{url} is the right host, but with a port, path or query the SDKs do not expect",
                          evidence=seen, location=where,
                          hint=f"Use exactly {expected}; clients add /api/... themselves.")
        return passed(f"{environment} run calls {expected}", evidence=seen, location=where)
    if host in BELVO_HOSTS:
        other = BELVO_HOSTS[host]
        if environment == "sandbox" and other == "production":
            return warned("a sandbox run is pointed at production: real institutions and billed calls",
                          evidence=seen, location=where)
        return failed(f"a {environment} run is pointed at Belvo {other}", evidence=seen, location=where)
    if looks_like_belvo(host):
        return failed(f"{host} looks like Belvo but is not a Belvo host (production is api.belvo.com)",
                      evidence=seen, location=where)
    local = is_loopback_or_private(host)
    if environment == "sandbox" and local:
        return warned(f"{host} is {local} (a simulator or proxy?): fine while developing, but Belvo "
                      f"certifies against {SANDBOX_API}", evidence=seen, location=where)
    return failed(f"{host} is not Belvo's {environment} API ({expected})", evidence=seen, location=where)


@check(
    id="BLV702",
    title="API keys come from the environment, one pair per environment",
    failure_title="API keys are not cleanly taken from the environment",
    checklist="The Production API keys are used, and the API keys are stored securely "
              "(never hard-coded, committed, logged, or shipped to a client).",
    evidence=[Evidence.CONFIG],
    hint="Reference each key with its own variable, e.g. ${BELVO_SECRET_ID} and ${BELVO_SECRET_PASSWORD}, "
         "set per deploy from a secret store.",
)
def keys_from_environment(ctx: CheckContext):
    """
    ## What it checks
    That `belvo.secret_id` and `belvo.secret_password` are `${ENV}` references (a literal value
    is already a config error), that the two are different variables holding different values,
    that both are set in the environment of this run, and that the variable names do not
    announce keys of the other environment (a `production` run reading `BELVO_SANDBOX_SECRET_ID`).
    Only a fingerprint of each value is shown, never the value.

    ## Why Belvo asks
    Each Belvo environment has its own key pair: sandbox keys are rejected by production and the
    reverse. Keys written into files end up in repositories, logs and backups; Belvo asks that
    they are stored securely. Keeping them in the environment, one pair per deploy, is how the
    same code runs against sandbox and production.

    ## How to fix
    Keep the keys in your secret store, export them as environment variables in each deploy, and
    reference them from the config.

    ## Example
    ```yaml
    belvo:
      secret_id: ${BELVO_SECRET_ID}
      secret_password: ${BELVO_SECRET_PASSWORD}
    ```
    Then `belvo-check run --live` proves the pair belongs to the environment (BLV703).
    """
    from belvo_check.evidence import require_config

    example = "belvo: {secret_id: ${BELVO_SECRET_ID}, secret_password: ${BELVO_SECRET_PASSWORD}}"
    secret_id = require_config(ctx, "belvo", "secret_id", example=example)
    secret_password = require_config(ctx, "belvo", "secret_password", example=example)
    where = ctx.loaded.location("belvo", "secret_id")
    seen = f"belvo.secret_id = {secret_id}, belvo.secret_password = {secret_password}"

    if secret_id.env == secret_password.env:
        return failed("secret_id and secret_password read the same variable", evidence=seen, location=where)
    unset = [s.env for s in (secret_id, secret_password) if not s.value]
    if unset:
        return skipped(f"{' and '.join(unset)} not set in this environment, so the keys cannot be judged",
                       enable=f"set {' and '.join(unset)} in the environment of this run")
    seen += f" (set: {secret_id.fingerprint}, {secret_password.fingerprint})"
    if secret_id.value == secret_password.value:
        return failed("secret_id and secret_password hold the same value", evidence=seen, location=where)
    other = "SANDBOX" if ctx.config.environment == "production" else "PROD"
    suspicious = [s.env for s in (secret_id, secret_password) if other in s.env.upper()]
    if suspicious:
        return warned(f"a {ctx.config.environment} run reads {', '.join(suspicious)}: keys of the other "
                      "environment?", evidence=seen, location=where)
    return passed("both keys are read from their own environment variables", evidence=seen, location=where)


@check(
    id="BLV703",
    title="The configured keys work against the configured Belvo environment",
    failure_title="The configured keys do not work against the configured Belvo environment",
    checklist="When switching to Production, calls go to the production API and the Production API keys are "
              "used (sandbox keys do not work there).",
    evidence=[Evidence.LIVE],
    hint="Use the key pair generated in the dashboard of the environment belvo.base_url points at.",
)
def keys_work_live(ctx: CheckContext):
    """
    ## What it checks
    With `--live` only. belvo-check first prints which host it will contact, then makes two
    read-only calls with the configured keys (HTTP Basic auth): `GET {base_url}/api/` (the login
    probe Belvo's SDKs use) and `GET {base_url}/api/institutions/?page_size=1`. Both answering 200
    is a pass (evidence: host, status, latency, and fingerprints of the keys, never the keys).
    A 401 means the keys belong to another environment (sandbox keys against production, or the
    reverse); TLS, DNS and connection errors and timeouts are failures named as such. Without
    the keys in the environment it is skipped, naming the variables.

    ## Why Belvo asks
    Each Belvo environment has its own keys, and sandbox keys are rejected by production. The
    most common production-day failure is keys or a URL from the wrong environment: every call
    fails at once, for every user. Trying the pair once before going live turns that into a
    failed check instead of an outage.

    ## How to fix
    Generate keys in the dashboard with the environment switcher set to the environment you
    deploy, store them in your secret store, and make sure the deploy that uses
    `https://api.belvo.com` reads the production pair.

    ## Example
    ```sh
    BELVO_SECRET_ID=... BELVO_SECRET_PASSWORD=... belvo-check run --live --select BLV703
    ```
    """
    live = ctx.evidence("live")
    lines = [f"host: {live.host} ({live.environment}); keys: {live.key_fingerprints}"]
    lines += [f"GET {url} -> {response.describe()} in {response.latency_ms:.0f} ms" for url, response in live.calls]
    seen = "\n".join(lines)
    for url, response in live.calls:
        if response.status is None:
            return failed(f"{live.host} could not be reached: {response.error}", evidence=seen)
        if response.status == 401:
            return failed(f"{live.host} ({live.environment}) rejected the keys with 401: they are not keys of "
                          f"this environment (sandbox keys against production, or the reverse), or they were "
                          "revoked", evidence=seen)
        if 300 <= response.status < 400:
            return failed(f"GET {url} answered {response.describe()}: belvo.base_url is not the API itself",
                          evidence=seen)
        if response.status != 200:
            return warned(f"GET {url} answered {response.status}, not 200: the keys were not rejected, but "
                          "not proven either", evidence=seen)
    return passed(f"{live.host} ({live.environment}) accepted the keys (200 on both read-only calls)", evidence=seen)


@check(
    id="BLV704",
    title="The secret keys never appear in the integration's logs or output",
    failure_title="The integration writes its secret keys to logs or output",
    checklist="The API keys are stored securely (never hard-coded, committed, logged, or shipped to a client).",
    evidence=[Evidence.HARNESS],
    drills=[PLAIN, ERRORS_401, WIDGET],
    hint="Never log request headers, client objects or settings; log Belvo's request_id instead.",
)
def keys_not_logged(ctx: CheckContext):
    """
    ## What it checks
    Runs the integration's flows against the simulator (a normal run, a 401 run and the widget
    token flow, whose request body carries the keys) and searches everything it printed or
    logged, before any redaction, for every form of the secret key id, the secret password, their
    HTTP Basic credential (`id:password`) and the webhook Authorization value: the value itself,
    its base64 (padded or not, standard or URL-safe, alone or inside a longer base64 text), hex
    and URL encodings, and the Basic header or Authorization value in any letter case. A finding
    names the form and where it was found (the stream of which flow, which log file); only
    fingerprints of the secrets are reported, never a value.

    ## Why Belvo asks
    Belvo asks that keys are stored securely and never logged. Logs are shipped to aggregators,
    support tickets and laptops: a key in a log is a leaked key, and base64 or URL-encoding
    hides nothing.

    ## How to fix
    Log the request (method, path, status, request_id), never the headers, the client object,
    the settings or a URL with credentials in it. Turn off HTTP-library debug logging in
    production.

    ## Example
    `log.info("belvo %s %s -> %s request_id=%s", method, path, status, request_id)`
    """
    from belvo_check.harness import verdicts
    from belvo_check.secrets import Redactor

    h = ctx.harness
    runnable = ctx.runnable(*ctx.meta.drills)
    if not runnable:
        h.require_flows("create_link", "sync")
    outcomes = ctx.drills(*runnable)
    integration = h.integration
    secrets = Redactor().add_keys(integration.secret_id, integration.secret_password, integration.authorization)
    leaks: dict[tuple[str, str], dict[str, object]] = {}  # (form, fingerprint) -> {where: outcome}
    for outcome in outcomes:
        for where, text in outcome.outputs():
            for form, seen in secrets.find(text):
                leaks.setdefault((form.describe(seen), form.tag), {})[f"{where} (drill {outcome.name})"] = outcome
    if leaks:
        (form, _), places = next(iter(leaks.items()))
        where, outcome = next(iter(places.items()))
        found = "\n".join(f"  {what} [{tag}]: {'; '.join(list(at)[:3])}"
                           + (f"; and {len(at) - 3} more" if len(at) > 3 else "") for (what, tag), at in leaks.items())
        return failed(f"{form} appears in {where}",
                      evidence=f"found (fingerprints of the secrets, never a value):\n{found}\n"
                               + verdicts.describe(ctx, outcome))
    searched = ", ".join(f"{o.name} ({sum(len(t) for _, t in o.outputs())} chars)" for o in outcomes)
    tags = ", ".join(f"{source} {tag}" for source, tag in {f.source: f.tag for f in secrets.forms}.items())
    return passed("no form of a secret key appears in the integration's output or logs",
                  evidence=f"searched the raw output and log files of drills {searched} for {tags}: "
                           "verbatim, base64, JSON-escaped, hex and URL-encoded, and the Basic header and "
                           f"Authorization value in any letter case\nreproduce: {ctx.reproduce()}")


SECRETS_STORED_SAFELY = "The API keys are stored securely (never hard-coded, committed, logged, or shipped to a client)."


@check(
    id="BLV705",
    title="No Belvo secret is written in the code, config, docs or a tracked .env file",
    failure_title="A Belvo secret is written in the repository's files",
    checklist=SECRETS_STORED_SAFELY,
    evidence=[],
    hint="Move the key to your secret store, read it from an environment variable, and rotate it in Belvo's "
         "dashboard: a key that was written in a file is leaked.",
    source=source("secret_literal", absence="no literal Belvo secret in the {files} files read",
                  grounds="secret_source"),
)
def secrets_not_written(ctx: CheckContext):
    """
    ## What it checks
    Reads the source tree (`source:`) for Belvo secret keys written as literal values: in code,
    config and deploy files, documentation, a tracked `.env` file, the first two arguments of an SDK
    client (`Client("id", "password", ...)`), or inside a base64 `Authorization: Basic ...` header
    whose decoded `id:password` is not a placeholder. Belvo does not publish the shape of its keys,
    so a secret is recognised by where it sits: a name such as `BELVO_SECRET_PASSWORD`,
    `secret_id` in a file about Belvo, the SDK constructor, a Basic header. Placeholders
    (`your_secret_id`, `<SECRET>`, `xxxx`, `changeme`, `${VAR}`, values under 8 characters) are not
    secrets. In test files a literal is a warning (tests hold made-up keys that look real).

    A literal is also a secret by where it flows, whatever its name: the keys of every Belvo call are
    traced back through the file, through constants, object fields (`config.id` with
    `config = {id: '...'}`), the parts of a template or concatenation, a local function that builds the
    header, and the default of an environment read (`process.env.X || '...'`, `os.getenv('X', '...')`,
    `getOrDefault`, `??`). The keys of a call are the `id` and `password` of a `POST /api/token/` body,
    Basic auth (`auth=(id, pw)`, `auth: {username, password}`, `session.auth = ...`, `SetBasicAuth`,
    `AuthenticationHeaderValue("Basic", ...)`, Faraday's `:basic`), and the first two arguments of an SDK
    client (`Client(id, password, url)` in belvo-python, `new Client(id, password, url)` in belvo-js).
    A literal they reach fails at its own `path:line`, and so does a literal under a generic name
    (`USER`, `PASSWORD`, `KEY`, `SECRET`, `ID`) outside any function in a file that calls Belvo. A
    base64 or hex encoding of a literal `id:password` is a secret; a placeholder is not, wherever it
    is written (`your-secret-id`, `xxxx`, `****`, `<BELVO_SECRET_PASSWORD>`, `changeme`, `example`,
    `dummy`, an empty value).

    It passes only when no literal secret was found and the keys of at least one Belvo call were traced
    to the environment, a secret store or configuration read at run time; the pass names those calls and
    what their keys were traced to. Where the tree calls Belvo but the keys of no call could be traced
    (a parameter, a field set in another file), it warns, naming each call it could not trace at
    `path:line`. A tree where no Belvo call was found passes on finding no literal, naming how many files
    it read (or is skipped when no application code mentions Belvo). Findings show a fingerprint of
    the value, never the value.

    ## Why Belvo asks
    Belvo asks that keys are stored securely and never hard-coded. A key in a file travels with
    every clone, fork, backup and CI log, and anyone holding it can read every link's bank data.

    ## How to fix
    Delete the value, read it from the environment (set per deploy from your secret store), and
    rotate the key in the dashboard. To keep a deliberate example, make it an obvious placeholder;
    for a false positive write `belvo-check: ignore[BLV705] why` in a comment on that line or the
    line above. The value also stays in git history: see BLV706.

    ## Example
    ```python
    client = Client(os.environ["BELVO_SECRET_ID"], os.environ["BELVO_SECRET_PASSWORD"], os.environ["BELVO_API_URL"])
    ```
    """


@check(
    id="BLV706",
    title="No Belvo secret was ever committed to the git history",
    failure_title="A Belvo secret was committed to the git history",
    checklist=SECRETS_STORED_SAFELY,
    evidence=[],
    hint="Rotate the key in Belvo's dashboard (removing it from history does not un-leak it), then purge it "
         "from history if you must.",
    source=source("secret_history", grounds="secret_source"),
)
def secrets_not_committed(ctx: CheckContext):
    """
    ## What it checks
    Every commit on every branch and tag of the git repository holding `source.root`
    (`git log -p --all`) is read for the same literal secrets as BLV705, on the lines each commit
    added; when `source.root` is a folder inside the repository (a monorepo), only the history of
    that folder's files is read. Each distinct secret is reported once, by the fingerprint of its
    value (never the value), at the commit, path, line and column where it was first added, with
    how many commits added it. The values the tree scan found by their use (a literal under any name
    that becomes the keys of a Belvo call, see BLV705) are looked for on every added line of every
    commit too. A history with none passes, naming how many commits were read, only on the same grounds
    as BLV705: when the tree calls Belvo, the keys of at least one call must be traced to the
    environment or a secret store (named in the pass), or it warns naming the calls it could not trace.
    A secret that was written under a generic name and has since left the tree is found only where the
    line itself shows it is a key. It is skipped, saying why, when `source.root` is not in a git repository, git is not installed, or
    `source.history` is `false` (it is on by default).

    ## Why Belvo asks
    Belvo asks that keys are never committed. Deleting a key from the files leaves it in every
    earlier commit, in every clone and fork: it is still leaked.

    ## How to fix
    Rotate the key in Belvo's dashboard first: that is what ends the leak. Then, if the history
    is shared, purge the value (`git filter-repo --replace-text`) and force-push. A finding cannot
    be suppressed inline (the line lives in an old commit); once the key is rotated, add the check
    to the config's `ignore:` list with the reason, or set `source.history: false`.

    ## Example
    ```sh
    belvo-check run --select BLV706     # every commit, every ref; fingerprints only
    ```
    """


@check(
    id="BLV707",
    title="No Belvo secret is reachable by front-end code",
    failure_title="Belvo secrets are reachable by front-end code",
    checklist=SECRETS_STORED_SAFELY,
    evidence=[],
    hint="Keep the keys and the POST /api/token/ call on your server; front-end code receives only the "
         "widget's access token.",
    source=source("secret_frontend", grounds="secret_source"),
)
def secrets_not_in_frontend(ctx: CheckContext):
    """
    ## What it checks
    Reads the source tree for Belvo secrets that front-end code can reach: any variable under a
    name bundlers inline into browser and app code (`NEXT_PUBLIC_`, `REACT_APP_`, `VITE_`,
    `EXPO_PUBLIC_`) that holds a secret or password; and, in the files `source.frontend` marks as
    front-end code, a literal secret, a read of the secret keys (`BELVO_SECRET_PASSWORD`), or a call
    to `/api/token/` (minting the widget token takes the keys). Files whose path only looks like
    front-end code (`web/`, `components/`, ...) give warnings, since only `source.frontend` settles
    what ships to a browser. It passes only when `source.frontend` is configured, its files were
    read and none of this was found, and, when the tree calls Belvo, the keys of at least one Belvo call
    were traced to the environment or a secret store (as in BLV705: otherwise it warns, naming the
    calls it could not trace); without `source.frontend`, finding nothing proves nothing and
    the check is skipped (`belvo-check init` writes `source.frontend` for the front-end folders it
    finds).

    ## Why Belvo asks
    Belvo asks that the keys are never shipped to a client. Whatever a browser or app bundle holds,
    every user can read; the keys unlock every link's bank data.

    ## How to fix
    Move the code that needs the keys to a server endpoint and hand the front end only the
    widget's access token. Rename the variable so it carries no public prefix, and rotate the key.
    A deliberate exception: `belvo-check: ignore[BLV707] why` on that line or the line above.

    ## Example
    ```yaml
    source:
      root: .
      frontend: ["web/**"]
    ```
    """


@check(
    id="BLV708",
    title="TLS certificate verification stays on",
    failure_title="TLS certificate verification is switched off",
    checklist=SECRETS_STORED_SAFELY,
    evidence=[],
    hint="Remove the switch; to trust a private CA, add its certificate to the trust store instead.",
    source=source("tls_off", absence="TLS verification is switched off nowhere in the {files} files read"),
)
def tls_verified(ctx: CheckContext):
    """
    ## What it checks
    Reads the source tree for TLS certificate verification switched off, in each language's
    usual spelling: `verify=False` (requests, httpx), `ssl=False` (aiohttp),
    `ssl._create_unverified_context`, `rejectUnauthorized: false` and
    `NODE_TLS_REJECT_UNAUTHORIZED=0` (Node), `InsecureSkipVerify: true` (Go), trust-all strategies
    and hostname verifiers (Java), `VERIFY_NONE` (Ruby), `'verify' => false`,
    `CURLOPT_SSL_VERIFYPEER` and `withoutVerifying()` (PHP), and certificate callbacks returning
    `true` (.NET). In a file that mentions Belvo, or a process-wide switch anywhere, it fails; in
    another file it is a warning (do Belvo calls go through it?). Test files and docs are not read
    for this. A scan that finds none in the files it read passes.

    ## Why Belvo asks
    Every Belvo call carries the secret keys in a Basic header. Without certificate verification,
    anyone on the network path can pose as Belvo and read them, and the bank data too.

    ## How to fix
    Remove the switch. Behind a proxy with its own CA, add that CA to the trust store
    (`REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, the JVM truststore). For a deliberate local-only
    use, write `belvo-check: ignore[BLV708] why` on that line or the line above.

    ## Example
    ```python
    requests.get(url, auth=(secret_id, secret_password), timeout=10)   # verify defaults to True
    ```
    """
