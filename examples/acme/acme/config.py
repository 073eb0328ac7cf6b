"""Settings come from the environment only: secrets are never hard-coded or committed."""

import os
from dataclasses import dataclass

SANDBOX_URL = "https://sandbox.belvo.com"
# Production is https://api.belvo.com: set BELVO_API_URL (and production keys) to go live.


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    api_url: str
    secret_id: str | None
    secret_password: str | None
    db_path: str
    log_path: str | None
    webhook_auth: str | None  # the Authorization value set in Belvo's dashboard

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            api_url=os.environ.get("BELVO_API_URL") or SANDBOX_URL,
            secret_id=os.environ.get("BELVO_SECRET_ID") or None,
            secret_password=os.environ.get("BELVO_SECRET_PASSWORD") or None,
            db_path=os.environ.get("ACME_DB") or "acme.db",
            log_path=os.environ.get("ACME_LOG") or None,
            webhook_auth=os.environ.get("ACME_WEBHOOK_AUTH") or None,
        )

    def require_keys(self) -> tuple[str, str]:
        if not (self.secret_id and self.secret_password):
            raise ConfigError("BELVO_SECRET_ID and BELVO_SECRET_PASSWORD must be set")
        return self.secret_id, self.secret_password
