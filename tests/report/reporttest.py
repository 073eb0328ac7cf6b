"""What the report-format tests share: a config whose config checks give every status."""

SECRET_ID = "sk-id-7f3a9c21e4"
SECRET_PASSWORD = "pw-b81d0e55c2aa"

# Judged as production: one webhook URL for both environments (fail), the sandbox host (fail),
# no changelog attestation (warn), probes and harness not configured (skip), the rest pass.
CONFIG = """\
    version: 1
    environment: production
    belvo:
      base_url: https://sandbox.belvo.com
      secret_id: ${BELVO_SECRET_ID}
      secret_password: ${BELVO_SECRET_PASSWORD}
    webhooks:
      urls:
        sandbox: https://acme.example.mx/hooks/belvo
        production: https://acme.example.mx/hooks/belvo
    attestations:
      status_page: {by: ana@acme.example.mx, date: 2026-11-20}
"""
SELECT = ["BLV4", "BLV7", "BLV8"]


def drain(master: int) -> bytes:
    """Everything left on a pseudo-terminal until the child closes it; closes our end."""
    import os

    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks)
