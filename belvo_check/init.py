"""`belvo-check init`: a commented config skeleton, valid as written, never over an existing file."""

from __future__ import annotations

from pathlib import Path

from belvo_check.errors import UsageError

SKELETON = """\
# belvo-check config. Reference: README.md "Config reference"; schema: `belvo-check schema config`.
version: 1
environment: {environment}          # the environment this run judges: sandbox | production

belvo:
  base_url: {base_url}   # what the integration calls in that environment
  secret_id: ${{BELVO_SECRET_ID}}          # references only: a literal secret is a config error
  secret_password: ${{BELVO_SECRET_PASSWORD}}

# webhooks:                          # enables the webhook checks (BLV4xx)
#   urls:                            # as registered in Belvo's dashboard, one per environment
#     sandbox: https://staging.example.com/hooks/belvo
#     production: https://example.com/hooks/belvo
#   probe_url: http://127.0.0.1:8099/hooks/belvo   # where probes are delivered
#   authorization: ${{BELVO_WEBHOOK_AUTH}}           # the Authorization value set in the dashboard

# integration:                       # enables the harness: your own commands against the simulator
#   env:
#     BELVO_API_URL: "{{sim_url}}"
#     BELVO_SECRET_ID: "{{secret_id}}"
#     BELVO_SECRET_PASSWORD: "{{secret_password}}"
#   flows:
#     create_link: python -m app link create --institution {{institution}} --username {{username}} --password {{password}} --external-id {{external_id}}
#     sync: python -m app sync --link {{link_id}}
#     delete_link: python -m app link delete {{link_id}}
#     widget_token: python -m app widget-token --user {{external_id}}

# attestations:                      # what code cannot show (BLV8xx)
#   status_page: {{by: you@example.com, date: 2026-01-31}}
#   changelog: {{by: you@example.com, date: 2026-01-31}}
"""

BASE_URLS = {"production": "https://api.belvo.com", "sandbox": "https://sandbox.belvo.com"}


def write_skeleton(path: Path, environment: str) -> None:
    if environment not in BASE_URLS:
        raise UsageError(f"--environment must be sandbox or production, not {environment!r}")
    if path.exists():
        raise UsageError(f"{path} already exists; belvo-check init never overwrites a file "
                         "(move it away or pass another path)")
    text = SKELETON.format(environment=environment, base_url=BASE_URLS[environment])
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than clobber a racing write
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
