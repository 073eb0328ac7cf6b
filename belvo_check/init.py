"""`belvo-check init`: look at the repository, then write a commented config with what was found.

It reads file names, dependency manifests, variable *names* and route strings; never the value
of a variable or anything from an env file but its names, so no secret can reach the config.
What it cannot find it asks for on a terminal, or leaves commented (with `--yes`, or in a pipe).
Never over an existing file.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from belvo_check.errors import UsageError
from belvo_check.urls import BELVO_HOST_IN_TEXT

BASE_URLS = {"production": "https://api.belvo.com", "sandbox": "https://sandbox.belvo.com"}
SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}"

LANGUAGES = {".py": "Python", ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript", ".jsx": "JavaScript",
             ".ts": "TypeScript", ".tsx": "TypeScript", ".go": "Go", ".java": "Java", ".kt": "Kotlin",
             ".rb": "Ruby", ".php": "PHP", ".cs": "C#"}
SKIP_DIRS = {".git", "node_modules", ".venv", "venv", "env", "__pycache__", "dist", "build", "vendor", ".tox",
             "target", ".mypy_cache", ".pytest_cache", ".next", "coverage", "site-packages"}
MAX_FILES = 5000
MAX_BYTES = 512_000

ENV_NAME = re.compile(r"(?:environ(?:\.get)?\s*[\[(]\s*|getenv\s*\(\s*|Getenv\s*\(\s*|process\.env\.|process\.env\[\s*"
                      r"|ENV\[\s*|ENV\.fetch\(\s*|\$_ENV\[\s*|Environment\.GetEnvironmentVariable\(\s*)"
                      r"[\"']?([A-Z][A-Z0-9_]{2,})")
ENV_FILE_NAME = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=", re.MULTILINE)
ROUTE = re.compile(r"[\"'`](/[\w\-/{}<>:.]*(?:hook|belvo)[\w\-/{}<>:.]*)[\"'`]", re.IGNORECASE)
SDK_MARKERS = {
    "belvo-python": re.compile(r"^\s*belvo-python\b|[\"']belvo-python[\"'<>=~ ]", re.MULTILINE),
    "belvo (npm)": re.compile(r"\"belvo\"\s*:"),
    "belvo (Ruby gem)": re.compile(r"^\s*gem\s+[\"']belvo[\"']", re.MULTILINE),
}
MANIFESTS = {"requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg", "package.json", "Gemfile"}
# A package.json depending on one of these is code that ships to browsers or apps.
FRONTEND_PACKAGES = ("react", "react-dom", "next", "vue", "nuxt", "vite", "svelte", "@sveltejs/kit", "@angular/core",
                     "react-native", "expo", "@remix-run/react")
# Frameworks that also run server code in the same folder, and where their conventions put it (relative to
# the package): that code may hold the keys and mint the widget token, so it is left out of source.frontend.
SERVER_SIDE = {
    "next": ("pages/api/**", "src/pages/api/**", "app/**/route.*", "src/app/**/route.*", "middleware.*",
             "src/middleware.*"),
    "nuxt": ("server/**",),
    "@sveltejs/kit": ("src/routes/**/+server.*", "src/routes/**/*.server.*", "src/lib/server/**"),
    "@remix-run/react": ("**/*.server.*",),
}


@dataclass
class Found:
    """What the repository says about its Belvo integration, each with where it was seen."""

    languages: Counter = field(default_factory=Counter)
    sdks: dict[str, str] = field(default_factory=dict)  # sdk -> manifest
    hosts: dict[str, str] = field(default_factory=dict)  # host -> file:line
    env_names: dict[str, str] = field(default_factory=dict)  # variable name -> where it is read or listed
    env_files: list[str] = field(default_factory=list)
    routes: dict[str, str] = field(default_factory=dict)  # route -> file:line
    commands: list[tuple[str, str]] = field(default_factory=list)  # (command, where)
    frontends: dict[str, list[str]] = field(default_factory=dict)  # folder ("" for the root) -> front-end packages

    def variable(self, *wanted: str, exclude: tuple[str, ...] = ()) -> str | None:
        """The first Belvo-looking variable name containing every word of one of `wanted` alternatives."""
        for alternative in wanted:
            words = alternative.split()
            for name in self.env_names:
                if all(w in name for w in words) and not any(x in name for x in exclude):
                    return name
        return None


def inspect(root: Path) -> Found:
    found = Found()
    for path in _files(root):
        rel = path.relative_to(root).as_posix()
        name = path.name
        if name.startswith(".env") or name.endswith(".env"):
            found.env_files.append(rel)
            for var in ENV_FILE_NAME.findall(_read(path)):  # names only: values are never kept
                found.env_names.setdefault(var, rel)
            continue
        language = LANGUAGES.get(path.suffix)
        if language is None and name not in MANIFESTS and name != "Makefile":
            continue
        text = _read(path)
        if language:
            found.languages[language] += 1
            _scan_code(found, rel, text)
        if name in MANIFESTS:
            for sdk, marker in SDK_MARKERS.items():
                if marker.search(text):
                    found.sdks.setdefault(sdk, rel)
        if name == "package.json":
            found.commands += [(f"npm run {script}", f"{rel} scripts") for script in _package_scripts(text)]
            packages = _frontend_packages(text)
            if packages:
                found.frontends[path.parent.relative_to(root).as_posix().strip(".")] = packages
        elif name == "pyproject.toml":
            found.commands += [(script, f"{rel} [project.scripts]") for script in _pyproject_scripts(text)]
        elif name == "Makefile":
            found.commands += [(f"make {target}", rel) for target in _make_targets(text)]
        elif name == "__main__.py" and path.parent != root:
            module = ".".join(path.parent.relative_to(root).parts)
            found.commands.append((f"{{python}} -m {module}", rel))
    return found


def _files(root: Path):
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in sorted(names):
            path = Path(folder) / name
            try:
                if not path.is_file() or path.stat().st_size > MAX_BYTES:
                    continue
            except OSError:
                continue
            count += 1
            if count > MAX_FILES:
                return
            yield path


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _scan_code(found: Found, rel: str, text: str) -> None:
    if "belvo" not in text.lower() and "hook" not in text.lower() and "environ" not in text and "env" not in text:
        return
    for number, line in enumerate(text.splitlines(), 1):
        for match in BELVO_HOST_IN_TEXT.finditer(line):
            found.hosts.setdefault(match.group(0).lower(), f"{rel}:{number}")
        for match in ENV_NAME.finditer(line):
            found.env_names.setdefault(match.group(1), f"{rel}:{number}")
        for match in ROUTE.finditer(line):
            route = match.group(1)
            if "hook" in route.lower() or not route.startswith("/api/"):  # /api/links/ is Belvo's, not a route
                found.routes.setdefault(route, f"{rel}:{number}")
        if re.search(r"^\s*(?:from|import)\s+belvo\b|require\([\"']belvo[\"']\)|from\s+[\"']belvo[\"']", line):
            sdk = "belvo-python" if rel.endswith(".py") else "belvo (npm)"
            found.sdks.setdefault(sdk, f"{rel}:{number}")


def _package_scripts(text: str) -> list[str]:
    try:
        scripts = json.loads(text).get("scripts") or {}
    except (ValueError, AttributeError):
        return []
    return [name for name in scripts if isinstance(name, str)]


def _frontend_packages(text: str) -> list[str]:
    try:
        manifest = json.loads(text)
        names = {**(manifest.get("dependencies") or {}), **(manifest.get("devDependencies") or {})}
    except (ValueError, AttributeError, TypeError):
        return []
    return [package for package in FRONTEND_PACKAGES if package in names]


def _pyproject_scripts(text: str) -> list[str]:
    import tomllib

    try:
        return list(tomllib.loads(text).get("project", {}).get("scripts", {}))
    except (tomllib.TOMLDecodeError, AttributeError):
        return []


def _make_targets(text: str) -> list[str]:
    return [t for t in re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.MULTILINE) if t != "PHONY"]


@dataclass
class Answers:
    environment: str = "production"
    webhook_sandbox: str | None = None
    webhook_production: str | None = None


Ask = Callable[[str], str]


def write_config(path: Path, root: Path, answers: Answers, ask: Ask | None = None, schema: str | None = None) -> Found:
    """Inspect `root`, ask (if `ask` is given) for what was not found, and write the config at `path`."""
    if answers.environment not in BASE_URLS:
        raise UsageError(f"--environment must be sandbox or production, not {answers.environment!r}")
    if path.exists():
        raise UsageError(f"{path} already exists; belvo-check init never overwrites a file "
                         "(move it away or pass another path)")
    if not root.is_dir():
        raise UsageError(f"{root}: not a folder to inspect")
    found = inspect(root)
    if ask is not None:
        if answers.webhook_production is None:
            answers.webhook_production = ask("Production webhook URL, as registered in Belvo's dashboard "
                                             "(empty to skip): ").strip() or None
        if answers.webhook_sandbox is None:
            answers.webhook_sandbox = ask("Sandbox webhook URL (empty to skip): ").strip() or None
    text = render(found, answers, path, root, schema or installed_schema(path))
    try:
        with path.open("x", encoding="utf-8") as handle:  # "x": fail rather than clobber a racing write
            handle.write(text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    return found


def render(found: Found, answers: Answers, path: Path, root: Path, schema: str) -> str:
    env = answers.environment
    root_rel = Path(os.path.relpath(root, path.resolve().parent)).as_posix()
    secret_id = found.variable("BELVO SECRET ID", "BELVO KEY ID", "BELVO ID") or "BELVO_SECRET_ID"
    secret_password = found.variable("BELVO SECRET PASSWORD", "BELVO PASSWORD", "BELVO SECRET",
                                     exclude=("ID",)) or "BELVO_SECRET_PASSWORD"
    base_var = found.variable("BELVO URL", "BELVO HOST", "BELVO API", "BELVO BASE", "BELVO ENV",
                              exclude=("SECRET", "PASSWORD", "WEBHOOK"))
    auth_var = found.variable("WEBHOOK AUTH", "WEBHOOK SECRET", "WEBHOOK TOKEN")

    lines = [SCHEMA_COMMENT.format(schema=schema),
             "# belvo-check config, written by `belvo-check init` from what it found in this repository.",
             "# `belvo-check run` judges it; `belvo-check list` shows every check; `belvo-check config validate`",
             "# checks this file. It holds references to secrets (${VARIABLES}), never their values.", "#"]
    lines += [f"# {line}" for line in _summary(found)]
    lines += ["",
              "version: 1",
              f"environment: {env}                # the environment this run judges: sandbox | production",
              "",
              "belvo:",
              f"  base_url: {BASE_URLS[env]}" + _seen("what the integration calls in " + env, found.hosts),
              f"  secret_id: ${{{secret_id}}}" + _where(found, secret_id),
              f"  secret_password: ${{{secret_password}}}" + _where(found, secret_password),
              "",
              "source:                           # the static checks read this tree",
              f"  root: {_yaml(root_rel)}",
              *_frontend(found),
              ""]
    lines += _webhooks(found, answers, auth_var)
    lines += _integration(found, root_rel, base_var, secret_id, secret_password, auth_var)
    lines += ["",
              "# attestations:                   # what code cannot show (BLV801, BLV802): who subscribed, when",
              "#   status_page: {by: you@example.com, date: 2026-01-31}",
              "#   changelog: {by: you@example.com, date: 2026-01-31}",
              ""]
    return "\n".join(lines)


def _summary(found: Found) -> list[str]:
    out = []
    if found.languages:
        out.append("languages: " + ", ".join(f"{lang} ({n} file{'s' if n > 1 else ''})"
                                           for lang, n in found.languages.most_common()))
    else:
        out.append("languages: no source file found")
    out.append("Belvo SDK: " + (", ".join(f"{sdk} ({where})" for sdk, where in found.sdks.items())
                                or "none found (raw HTTP calls, or not in this tree)"))
    if found.hosts:
        out.append("Belvo hosts in code: " + ", ".join(f"{h} ({w})" for h, w in found.hosts.items()))
    if found.env_files:
        out.append("env files (variable names only were read): " + ", ".join(found.env_files))
    if found.routes:
        out.append("webhook-like routes: " + ", ".join(f"{r} ({w})" for r, w in list(found.routes.items())[:5]))
    return out


def _frontend(found: Found) -> list[str]:
    """source.frontend: each folder whose package.json names a front-end framework, without the server
    code its framework keeps there. A front end at the root is only pointed out: marking the whole tree
    would put the back end's keys in the browser."""
    folders = []
    for folder in sorted(f for f in found.frontends if f):
        if not any(folder.startswith(outer + "/") for outer in folders):  # one glob covers nested packages
            folders.append(folder)
    if not folders:
        why = (f"the root package.json names {', '.join(found.frontends[''])}: list the folders that ship to browsers"
               if "" in found.frontends else "code that ships to browsers or apps: no key may be there")
        return [f"  # frontend: [\"web/**\"]         # {why}"]
    lines = ["  frontend:                       # code that ships to browsers or apps: no key may be there"]
    for folder in folders:
        packages = found.frontends[folder]
        server = [f"!{folder}/{glob}" for package in packages for glob in SERVER_SIDE.get(package, ())]
        note = f"{folder}/package.json: {', '.join(packages)}"
        if server:
            note += "; its server code is left out below: leave out any other the same way"
        lines.append(f"    - {_yaml(folder + '/**')}   # {note}")
        lines += [f"    - {_yaml(glob)}" for glob in server]
    return lines


def _webhooks(found: Found, answers: Answers, auth_var: str | None) -> list[str]:
    route = next(iter(found.routes), "/hooks/belvo")
    auth = f"${{{auth_var}}}" if auth_var else "${BELVO_WEBHOOK_AUTH}"
    # Probes need a receiver to deliver to: left commented until integration.start (or a URL) is set.
    probe = [f"# probe_url: http://127.0.0.1:{{receiver_port}}{route}   # "
             + (f"the route found in {found.routes[route]}" if route in found.routes else "where probes are delivered"),
             f"# authorization: {auth}   # "
             + (f"read in {found.env_names[auth_var]}" if auth_var else "the Authorization value set in the dashboard")]
    if not (answers.webhook_production or answers.webhook_sandbox):
        return ["# webhooks:                       # enables BLV401/BLV402: not found in the repository, fill in",
                "#   urls:                         # as registered in Belvo's dashboard",
                "#     sandbox: https://staging.example.com/hooks/belvo",
                "#     production: https://example.com/hooks/belvo",
                *(f"#   {line[2:]}" for line in probe), ""]
    lines = ["webhooks:", "  urls:                           # as registered in Belvo's dashboard"]
    for name, url in (("sandbox", answers.webhook_sandbox), ("production", answers.webhook_production)):
        lines.append(f"    {name}: {_yaml(url)}" if url else f"    # {name}: https://... (not given)")
    return lines + [f"  {line}" for line in probe] + [""]


def _integration(found: Found, cwd: str, base_var: str | None, secret_id: str, secret_password: str,
                 auth_var: str | None) -> list[str]:
    lines = ["# integration:                    # the harness: your own commands against belvo-check's simulator",
             f"#   cwd: {_yaml(cwd)}                      # where the commands run, relative to this file",
             "#   env:"]
    lines.append(f"#     {base_var or 'BELVO_API_URL'}: \"{{sim_url}}\"" +
                 (f"   # the base-URL variable read in {found.env_names[base_var]}" if base_var else
                  "   # no base-URL variable found: the integration must let belvo-check point it here"))
    lines += [f"#     {secret_id}: \"{{secret_id}}\"", f"#     {secret_password}: \"{{secret_password}}\""]
    if auth_var:
        lines.append(f"#     {auth_var}: \"{{webhook_authorization}}\"")
    lines += ["#   start: \"{python} -m app serve --port {receiver_port}\"   # your webhook receiver, if any",
              "#   ready: http://127.0.0.1:{receiver_port}/health",
              "#   flows:                       # the commands belvo-check runs; {placeholders} are filled in",
              "#     create_link: ... --institution {institution} --username {username} --password {password} "
              "--external-id {external_id}",
              "#     sync: ... --link {link_id}",
              "#     delete_link: ... {link_id}",
              "#     widget_token: ... --user {external_id}",
              "#   logs: [stdout, stderr]       # where request_ids are looked for",
              "#   # store: {sqlite: \"{workdir}/app.db\", transactions: \"SELECT belvo_id FROM transactions\"}",
              "#   timeout: 60"]
    if found.commands:
        lines.append("#   # commands found in this repository, to build the flows from:")
        lines += [f"#   #   {command}   ({where})" for command, where in found.commands[:12]]
    return lines


def _seen(what: str, hosts: dict[str, str]) -> str:
    if hosts:
        return f"   # {what}; the code names {', '.join(hosts)}"
    return f"   # {what}"


def _where(found: Found, name: str) -> str:
    where = found.env_names.get(name)
    return f"   # read in {where}" if where else "   # references only: a literal secret is a config error"


def _yaml(value: str) -> str:
    return json.dumps(value) if re.search(r"[:#{}\[\],&*!|>'\"%@`]|^\s|\s$", value) or not value else value


def installed_schema(config: Path) -> str:
    """The config schema shipped with this belvo-check, as a path an editor can open from the config."""
    from belvo_check.schemas import CONFIG_SCHEMA

    relative = os.path.relpath(CONFIG_SCHEMA, config.resolve().parent)
    # Inside this folder (a vendored belvo-check) a relative path travels with the repository;
    # otherwise the installed copy is the one an editor on this machine can open.
    return Path(relative).as_posix() if not relative.startswith("..") else CONFIG_SCHEMA.as_posix()


def prompt_on_terminal(yes: bool) -> Ask | None:
    """Ask only a person at a terminal; --yes and pipes never wait for an answer."""
    if yes or not sys.stdin.isatty():
        return None
    return input
