"""The config contract: strict, interpolated, and every error names where it is."""

from __future__ import annotations

import pytest
import yaml

from belvo_check.config import Secret, load_config
from belvo_check.errors import ConfigError
from belvo_check.yamlpos import MAX_ALIAS_VALUES, safe_load

BASE = "version: 1\nenvironment: production\n"


def error_of(path, env=None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=env or {})
    return str(caught.value)


def test_unknown_key_names_file_line_path_and_closest_key(write_config):
    path = write_config(BASE + "belvo:\n  base_url: https://api.belvo.com\n  secert_id: ${X}\n")
    message = error_of(path)
    assert message.startswith(f"{path}:5:3: ")
    assert "'belvo.secert_id'" in message and "did you mean 'secret_id'?" in message


def test_unknown_key_without_close_match_lists_valid_keys(write_config):
    message = error_of(write_config(BASE + "webhooks:\n  zzz: 1\n"))
    assert ":4:3: unknown key 'webhooks.zzz'" in message
    assert "urls" in message and "probe_url" in message


def test_wrong_type_says_what_was_expected(write_config):
    message = error_of(write_config("version: 1\nenvironment: prod\n"))
    assert ":2:1: environment: expected 'sandbox' or 'production'" in message
    message = error_of(write_config(BASE + "integration:\n  timeout: soon\n"))
    assert ":4:3: integration.timeout:" in message and "number" in message


def test_broken_yaml_reports_parser_line_and_column(write_config):
    message = error_of(write_config(BASE + "belvo: [a\n"))
    assert ":4:1: invalid YAML" in message


def test_duplicate_key_is_an_error_not_a_silent_override(write_config):
    message = error_of(write_config(BASE + "environment: sandbox\n"))
    assert ":3:1: duplicate key 'environment'" in message


@pytest.mark.parametrize("key", ["secret_id", "secret_password"])
def test_literal_secret_is_rejected_without_repeating_it(write_config, key):
    message = error_of(write_config(BASE + f"belvo:\n  {key}: sk_live_abcdef123456\n"))
    assert f":4:3: belvo.{key} must be a reference" in message
    assert "sk_live_abcdef123456" not in message


def test_literal_webhook_authorization_is_rejected(write_config):
    message = error_of(write_config(BASE + "webhooks:\n  authorization: Bearer hunter22\n"))
    assert "webhooks.authorization must be a reference" in message and "hunter22" not in message


def test_secret_with_default_counts_as_literal(write_config):
    message = error_of(write_config(BASE + "belvo:\n  secret_id: ${X:-literal-key-value}\n"))
    assert "must be a reference" in message and "literal-key-value" not in message


def test_env_interpolation_and_unset_variables(write_config):
    path = write_config(BASE + "belvo:\n  base_url: ${API}\n  secret_id: ${SID}\n  secret_password: ${SPW}\n"
                        "source:\n  root: ${ROOT_DIR:-src}\n")
    loaded = load_config(path, environ={"SID": "the-id-value"})
    assert loaded.model.belvo.base_url is None and loaded.missing_env("belvo", "base_url") == "API"
    assert loaded.model.belvo.secret_id == Secret("SID") and loaded.model.belvo.secret_id.value == "the-id-value"
    assert loaded.model.belvo.secret_password.value is None
    assert loaded.missing_env("belvo", "secret_password") == "SPW"
    assert loaded.model.source.root == "src"
    assert "the-id-value" not in repr(loaded.model) and "the-id-value" not in str(loaded.model.belvo.secret_id)
    assert loaded.secret_values() == ["the-id-value"]


def test_missing_required_key_and_missing_file(write_config, tmp_path):
    assert "'environment' is required" in error_of(write_config("version: 1\n"))
    assert "no such config file" in error_of(tmp_path / "nope.yaml")
    assert "must be a mapping" in error_of(write_config("- a\n- b\n"))


def test_location_points_at_keys(write_config):
    loaded = load_config(write_config(BASE + "belvo:\n  base_url: https://api.belvo.com\n"), environ={})
    assert (loaded.location("belvo", "base_url").line, loaded.location("belvo", "base_url").col) == (4, 3)
    assert loaded.location("belvo", "nothing").line == 3  # falls back to the closest parent


def test_dollar_dollar_is_a_literal_dollar_and_a_shell_reference_stays_for_the_shell(write_config):
    path = write_config(BASE + "integration:\n  env: {PRICE: 'US$$5', HOME_COPY: '$${HOME}'}\n"
                        "  flows: {sync: 'echo $${HOME} $$$$ {workdir} ${BC_SET}'}\n")
    loaded = load_config(path, environ={"BC_SET": "set-value", "HOME": "/never/used"})
    integration = loaded.model.integration
    assert integration.env == {"PRICE": "US$5", "HOME_COPY": "${HOME}"}
    assert integration.flows.sync == "echo ${HOME} $$ {workdir} set-value"
    assert loaded.unresolved == {}


def test_a_dollar_brace_that_is_no_reference_is_an_error_with_the_escape(write_config):
    message = error_of(write_config(BASE + "integration:\n  flows: {sync: 'echo ${1}'}\n"))
    assert message.endswith(":4:11: integration.flows.sync: `${` starts no ${VAR} or ${VAR:-default} reference; "
                            "write $${ for a literal ${")


def test_a_placeholder_typo_next_to_an_escaped_reference_is_still_caught(write_config):
    message = error_of(write_config(BASE + "integration:\n  flows: {sync: 'echo $${HOME} {wrkdir}'}\n"))
    assert "unknown placeholder {wrkdir}; did you mean {workdir}?" in message


def test_unset_variable_in_the_integration_loads_and_names_key_variable_and_line(write_config):
    path = write_config(BASE + "integration:\n  env:\n    TOKEN: 'Bearer ${BC_TOKEN}'\n  start: ${BC_START}\n")
    loaded = load_config(path, environ={})
    assert loaded.model.integration.env == {"TOKEN": "Bearer "}  # never run: the harness refuses first
    assert loaded.missing_env("integration") == "BC_TOKEN" and loaded.missing_env("integration", "start") == "BC_START"
    assert loaded.explain_missing_env("integration") == \
        f"integration.env.TOKEN uses ${{BC_TOKEN}}, which is not set in this environment ({path}:5:5)"
    assert loaded.explain_missing_env("belvo") is None


def test_unset_variable_where_a_value_is_required_says_so(write_config):
    message = error_of(write_config(BASE + "webhooks:\n  burst: ${BC_BURST}\n"))
    assert message.endswith(":4:3: webhooks.burst uses ${BC_BURST}, which is not set in the environment, and this "
                            "key needs a value: set BC_BURST, or give a default like ${BC_BURST:-...}")


def test_yaml_anchors_within_the_budget_load_and_one_alias_more_does_not():
    assert safe_load("a: &a {x: 1}\nb: *a\nc: {<<: *a, y: 2}\n") == {"a": {"x": 1}, "b": {"x": 1},
                                                                    "c": {"x": 1, "y": 2}}
    fits = MAX_ALIAS_VALUES // 101  # aliases of a 100-item list (101 values each) within the budget

    def document(aliases: int) -> str:
        return "a: &a [" + ", ".join(["1"] * 100) + "]\nb: [" + ", ".join(["*a"] * aliases) + "]\n"

    assert len(safe_load(document(fits))["b"]) == fits
    with pytest.raises(yaml.YAMLError, match=f"aliases expand to more than {MAX_ALIAS_VALUES} values"):
        safe_load(document(fits + 1))


def test_nesting_past_the_limit_is_a_config_error_at_its_line(write_config):
    deepest: list = []
    for _ in range(62):
        deepest = [deepest]
    assert safe_load("x: " + "[" * 63 + "]" * 63) == {"x": deepest}  # 64 levels with the mapping: the limit
    message = error_of(write_config(BASE + "x: " + "[" * 65 + "]" * 65 + "\n"))
    assert message.endswith(":3:67: invalid YAML: nested deeper than 64 levels")


def test_a_config_from_a_pipe_is_read_whole_and_an_endless_one_is_refused(tmp_path):
    """`-c` may name a FIFO or a device (`-c /dev/stdin`): its text is read to the end, and a
    stream with no end stops at the size limit instead of filling memory."""
    import os
    import threading

    fifo = tmp_path / "belvo-check.yaml"
    os.mkfifo(fifo)
    text = BASE + "belvo:\n  base_url: https://sandbox.belvo.com\n  secret_id: ${ID}\n  secret_password: ${PW}\n"

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as writer:
            for part in (text[:20], text[20:]):  # two writes: the reader must not stop at the first
                writer.write(part)
                writer.flush()

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    loaded = load_config(fifo, environ={"ID": "x", "PW": "y"})
    writer.join(10)
    assert loaded.model.belvo.base_url == "https://sandbox.belvo.com"
    assert "larger than 1000000 bytes" in error_of("/dev/zero")
