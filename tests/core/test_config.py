"""The config contract: strict, interpolated, and every error names where it is."""

from __future__ import annotations

import pytest

from belvo_check.config import Secret, load_config
from belvo_check.errors import ConfigError

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
