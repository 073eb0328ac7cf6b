"""The config file: load, interpolate ${ENV}, validate strictly, and explain errors with file:line.

The models below are the contract users write (see sample-config.yaml and the README);
`config_schema()` publishes it as JSON Schema.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Mapping

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, ValidationError, WithJsonSchema

from belvo_check.errors import ConfigError
from belvo_check.model import Location
from belvo_check.yamlpos import load_with_positions

DEFAULT_CONFIG = "belvo-check.yaml"
MAX_CONFIG_BYTES = 1_000_000
ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
WHOLE_ENV_REF = re.compile(rf"^{ENV_REF.pattern}$")
# What interpolation looks at: `$$` (a literal `$`, so `$${HOME}` reaches a command as `${HOME}`),
# a reference, or a `${` that starts no valid reference (an error, never silently literal).
ENV_TOKEN = re.compile(rf"\$\$|{ENV_REF.pattern}|\$\{{")


@dataclass(frozen=True)
class Secret:
    """A secret given as a ${ENV} reference. Its value never appears in repr, str or output."""

    env: str
    value: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return f"${{{self.env}}}"

    @property
    def fingerprint(self) -> str | None:
        """A stable, non-reversible tag so two reports can say 'the same key' without showing it."""
        from belvo_check.secrets import fingerprint

        return fingerprint(self.value) if self.value else None


def _accept_secret(value: Any) -> Secret:
    if isinstance(value, Secret):
        return value
    raise ValueError("expected a ${ENV_VAR} reference")


SecretRef = Annotated[
    Secret,
    PlainValidator(_accept_secret),
    WithJsonSchema({"type": "string", "pattern": r"^\$\{[A-Za-z_][A-Za-z0-9_]*\}$",
                    "description": "a ${ENV_VAR} reference; literal secrets are rejected"}),
]


# {placeholders} the harness fills into the integration's commands, env values, paths and URLs.
INTEGRATION_PLACEHOLDERS = ("sim_url", "secret_id", "secret_password", "workdir", "receiver_port",
                            "webhook_authorization", "link_id", "institution", "username", "password",
                            "external_id", "python")
# {{ and }} are literal braces; a `${...}` (written `$${...}` in the config) is the shell's, not ours.
PLACEHOLDER = re.compile(r"\{\{|\}\}|(?<!\$)\{([^{}]*)\}")


def _known_placeholders(value: str) -> str:
    """A placeholder the harness would not fill is a config error, not a silently literal brace."""
    for match in PLACEHOLDER.finditer(value):
        name = match.group(1)
        if name is not None and name not in INTEGRATION_PLACEHOLDERS:
            close = difflib.get_close_matches(name.strip(), INTEGRATION_PLACEHOLDERS, n=1, cutoff=0.6)
            tip = f"did you mean {{{close[0]}}}?" if close else f"known: {', '.join('{%s}' % p for p in INTEGRATION_PLACEHOLDERS)}"
            raise ValueError(f"unknown placeholder {{{name}}}; {tip} (write {{{{ and }}}} for a literal brace)")
    return value


Templated = Annotated[str, AfterValidator(_known_placeholders)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Belvo(_Strict):
    base_url: str | None = Field(None, description="The Belvo API the integration calls in this environment.")
    secret_id: SecretRef | None = None
    secret_password: SecretRef | None = None


class Source(_Strict):
    root: str = "."
    include: list[str] = []
    exclude: list[str] = []
    frontend: list[str] = Field([], description="Code that ships to browsers or apps.")
    history: bool = Field(True, description="Also scan every commit of the git repository at root for Belvo "
                                            "secrets (BLV706).")


class WebhookUrls(_Strict):
    sandbox: str | None = None
    production: str | None = None


class Webhooks(_Strict):
    urls: WebhookUrls | None = Field(None, description="As registered in Belvo's dashboard, one per environment.")
    probe_url: str | None = Field(None, description="Where probes are delivered; defaults to the receiver "
                                                    "the harness starts.")
    authorization: SecretRef | None = Field(None, description="The Authorization value set in the dashboard.")
    burst: int = Field(20, ge=1, le=200, description="Concurrent deliveries in the burst probe.")
    ack_within: float = Field(5.0, gt=0, le=60, description="Seconds Belvo waits for a 2xx.")


class Flows(_Strict):
    create_link: Templated | None = None
    sync: Templated | None = None
    delete_link: Templated | None = None
    widget_token: Templated | None = None


class Store(_Strict):
    sqlite: Templated | None = None
    transactions: str | None = Field(None, description="SQL returning one row per stored transaction, "
                                                       "Belvo id first.")
    links: str | None = Field(None, description="SQL returning belvo_id, institution_user_id, status.")
    command: dict[str, Templated] | None = Field(None, description="Per table, a command printing JSON lines.")


class Integration(_Strict):
    env: dict[str, Templated] = {}
    cwd: str | None = Field(None, description="Where the commands run; defaults to the config's folder.")
    start: Templated | None = Field(None, description="Long-running receiver, started before flows, stopped after.")
    ready: Templated | None = Field(None, description="URL that answers 2xx once `start` is ready.")
    flows: Flows = Flows()
    links: Literal["integration", "simulator"] = Field(
        "integration", description="Who creates links: the integration's create_link flow, or the simulator "
                                   "(as Belvo's widget does in a browser), which hands {link_id} to the flows and "
                                   "announces the link's data to the receiver by webhook.")
    logs: list[Templated] = ["stdout", "stderr"]
    store: Store | None = None
    timeout: float = Field(60, gt=0, le=3600, description="Seconds per flow run.")


class Attestation(_Strict):
    by: str = Field(min_length=3)
    date: date


class Attestations(_Strict):
    status_page: Attestation | None = None
    changelog: Attestation | None = None


class Ignore(_Strict):
    """A suppression: the check still runs and the report shows it as `ignored`, with what it found."""

    id: str = Field(description="The check: an id (BLV401), an id prefix (BLV4) or a section name (webhooks).")
    reason: str = Field(min_length=3, description="Why this is accepted; shown in every report.")
    owner: str = Field(min_length=2, description="Who answers for it, e.g. an email address.")
    expires: date | None = Field(None, description="After this date the finding counts again, and the report "
                                                   "says the suppression expired.")
    finding: str | None = Field(None, min_length=1, description="Only this finding: its fingerprint (16 hex "
                                "digits, shown in JSON and SARIF reports) or a glob on its message, "
                                "e.g. '*no sandbox webhook URL*'. Without it, every finding of the check.")


Severity = Literal["fail", "warn"]


class Checks(_Strict):
    select: list[str] = Field([], description="Only these checks: ids, id prefixes, section names, or `static` "
                                              "(the checks that need only the config and the source).")
    ignore: list[Ignore] = Field([], description="Suppressions, each with a reason and an owner.")
    severity: dict[str, Severity] = Field({}, description="What a violation of these checks is reported as, "
                                                          "e.g. {BLV802: fail, BLV4: warn}.")
    baseline: str | None = Field(None, description="A baseline file (`belvo-check baseline create`), relative "
                                                   "to this file: findings in it are ignored, only new ones count.")


class Config(_Strict):
    version: Literal[1]
    environment: Literal["sandbox", "production"]
    belvo: Belvo = Belvo()
    source: Source | None = None
    webhooks: Webhooks | None = None
    integration: Integration | None = None
    attestations: Attestations = Attestations()
    checks: Checks = Checks()


SECRET_PATHS = {("belvo", "secret_id"), ("belvo", "secret_password"), ("webhooks", "authorization")}


@dataclass
class LoadedConfig:
    path: Path
    sha256: str
    model: Config
    positions: dict[tuple, tuple[int, int]]
    unresolved: dict[tuple, str]  # key path -> the ${ENV} variable that was not set

    def location(self, *key_path: Any) -> Location:
        """Where a key is in the file; falls back to its closest present parent."""
        for end in range(len(key_path), -1, -1):
            pos = self.positions.get(tuple(key_path[:end]))
            if pos:
                return Location(str(self.path), *pos)
        return Location(str(self.path))

    def missing_env(self, *key_path: Any) -> str | None:
        """The unset variable behind a key (or anything under it), if any."""
        found = self._unresolved_under(key_path)
        return found[1] if found else None

    def explain_missing_env(self, *key_path: Any) -> str | None:
        """'integration.env.TOKEN uses ${VAR}, which is not set in this environment (file:line:col)', if any."""
        found = self._unresolved_under(key_path)
        if not found:
            return None
        path, var = found
        return (f"{'.'.join(map(str, path))} uses ${{{var}}}, which is not set in this environment "
                f"({self.location(*path)})")

    def _unresolved_under(self, key_path: tuple) -> tuple[tuple, str] | None:
        for path, var in self.unresolved.items():
            if path[: len(key_path)] == tuple(key_path):
                return path, var
        return None

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def secret_values(self) -> list[str]:
        """Every secret value this config resolved: output must never contain them."""
        model = self.model
        candidates = [model.belvo.secret_id, model.belvo.secret_password,
                      model.webhooks.authorization if model.webhooks else None]
        return [s.value for s in candidates if s is not None and s.value]


def _read_head(path: Path, limit: int) -> bytes:
    """The first `limit` bytes of the file. A pipe or a device (`-c /dev/stdin`, a FIFO) is read by a
    helper thread while the main thread waits in short steps: a stop signal that lands just before a
    blocking read() would otherwise wait for a writer that may never come."""
    if path.is_file():
        with path.open("rb") as handle:
            return handle.read(limit)
    import threading

    outcome: list = []

    def read() -> None:
        try:
            with path.open("rb") as handle:
                outcome.append(handle.read(limit))
        except OSError as exc:
            outcome.append(exc)

    reader = threading.Thread(target=read, daemon=True, name="config-reader")
    reader.start()
    while reader.is_alive():
        reader.join(0.2)  # returns to the interpreter, which runs a pending signal handler
    if isinstance(outcome[0], OSError):
        raise outcome[0]
    return outcome[0]


def load_config(path: str | os.PathLike, environ: Mapping[str, str] | None = None) -> LoadedConfig:
    config_path = Path(path)
    if not config_path.exists():
        hint = " (create one with `belvo-check init`, or pass -c PATH)" if config_path.name == DEFAULT_CONFIG else ""
        raise ConfigError(f"{config_path}: no such config file{hint}")
    if config_path.is_dir():
        raise ConfigError(f"{config_path}: is a folder; pass the YAML file, e.g. -c {config_path / DEFAULT_CONFIG}")
    try:
        raw_bytes = _read_head(config_path, MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc.strerror}") from None
    if len(raw_bytes) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{config_path}: larger than {MAX_CONFIG_BYTES} bytes; is this the right file?")
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{config_path}: not UTF-8 text (byte {exc.start})") from None

    name = str(config_path)
    data, positions = load_with_positions(text, name)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}:1:1: the config must be a mapping of keys (start with `version: 1`)")

    where = lambda key_path: _where(name, positions, key_path)  # noqa: E731
    _require_secret_references(data, where)
    unresolved: dict[tuple, str] = {}
    data = _interpolate(data, (), os.environ if environ is None else environ, unresolved, where)
    try:
        model = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_explain(error, where, unresolved) for error in exc.errors())) from None
    return LoadedConfig(config_path, hashlib.sha256(raw_bytes).hexdigest(), model, positions, unresolved)


def _where(name: str, positions: dict, key_path: tuple) -> str:
    for end in range(len(key_path), -1, -1):
        pos = positions.get(tuple(key_path[:end]))
        if pos:
            return f"{name}:{pos[0]}:{pos[1]}"
    return name


def _require_secret_references(data: dict, where) -> None:
    for section, key in sorted(SECRET_PATHS):
        parent = data.get(section)
        if not isinstance(parent, dict) or parent.get(key) is None:
            continue
        value = parent[key]
        if not (isinstance(value, str) and WHOLE_ENV_REF.match(value) and WHOLE_ENV_REF.match(value).group(2) is None):
            # Never repeat the value: it may be a real key pasted by mistake.
            suggestion = f"BELVO_{key.upper()}" if section == "belvo" else "BELVO_WEBHOOK_AUTH"
            raise ConfigError(f"{where((section, key))}: {section}.{key} must be a reference like "
                              f"${{{suggestion}}}, not a literal value (the value is not shown); "
                              "keep the secret in the environment")


def _interpolate(value: Any, path: tuple, environ: Mapping[str, str], unresolved: dict, where) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, path + (k,), environ, unresolved, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, path + (i,), environ, unresolved, where) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value
    if path in SECRET_PATHS:
        var = WHOLE_ENV_REF.match(value).group(1)
        if not environ.get(var):
            unresolved[path] = var
        return Secret(var, environ.get(var) or None)
    missing = []

    def substitute(match: re.Match) -> str:
        token, var, default = match.group(0), match.group(1), match.group(2)
        if token == "$$":
            return "$"
        if var is None:
            raise ConfigError(f"{where(path)}: {'.'.join(map(str, path))}: `${{` starts no ${{VAR}} or "
                              "${VAR:-default} reference; write $${ for a literal ${")
        if var not in environ and default is None:
            missing.append(var)
            return ""
        return environ.get(var, default or "")

    text = ENV_TOKEN.sub(substitute, value)
    if not missing:
        return text
    unresolved[path] = missing[0]
    # The checks that need this key say which variable to set. In the integration section the
    # text stays (without the variable) so the section still validates: the harness refuses to
    # run it and every harness check names the variable instead.
    return text if path[0] == "integration" else None


_YAML_TYPE = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
              dict: "a mapping", type(None): "nothing", date: "a date", Secret: "a reference"}


def _explain(error: dict, where, unresolved: dict) -> str:
    loc = tuple(error["loc"])
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.5)
        tip = f"; did you mean {close[0]!r}?" if close else f"; valid keys here: {', '.join(valid)}"
        return f"{where(loc)}: unknown key {dotted!r}{tip}"
    if kind == "missing":
        return f"{where(loc)}: {dotted!r} is required"
    if loc in unresolved:
        var = unresolved[loc]
        return (f"{where(loc)}: {dotted} uses ${{{var}}}, which is not set in the environment, and this key "
                f"needs a value: set {var}, or give a default like ${{{var}:-...}}")
    message = error["msg"].replace("Input should be", "expected").replace("Value error, ", "")
    got = _YAML_TYPE.get(type(error.get("input")), type(error.get("input")).__name__)
    return f"{where(loc)}: {dotted}: {message} (got {got})"


def _fields_at(loc: tuple) -> list[str]:
    annotation: Any = Config
    for part in loc:
        annotation = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[part].annotation if part in annotation.model_fields else None
        elif origin in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional[...] and Annotated[...] down to the model or container inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            inner = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = inner[0]
        else:
            return annotation


def config_schema() -> dict:
    schema = Config.model_json_schema()
    schema["$id"] = "https://belvo-check.dev/schemas/config-v1.json"
    schema["title"] = "belvo-check config, version 1"
    return schema
