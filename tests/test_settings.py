"""Settings: embedded defaults, the YAML file, ``${VAR}`` interpolation, the quick-start
environment variables, and errors that name the file, the key and the bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.domain import Autonomy
from nightowl.errors import ConfigError
from nightowl.settings import Settings, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_embedded_defaults_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    settings = load_settings(environ={})

    assert settings.data_dir == tmp_path / "xdg" / "nightowl"
    assert settings.store_url == f"sqlite:///{tmp_path / 'xdg' / 'nightowl' / 'nightowl.sqlite'}"
    assert settings.reports_dir == settings.data_dir / "reports"
    assert settings.policy.autonomy is Autonomy.SUGGEST
    assert settings.actions.dry_run is True
    assert settings.webhook_tokens("alertmanager") == []
    assert settings.connectors == []


def test_an_empty_file_means_the_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "# nothing here yet\n")

    settings = load_settings(config=config, data_dir=tmp_path, environ={})

    assert settings == Settings(data_dir=tmp_path)


def test_the_file_sets_grouped_sections(tmp_path: Path) -> None:
    config = write(
        tmp_path / "nightowl.yaml",
        """
server: {host: 0.0.0.0, port: 9000}
policy:
  autonomy: act
  service_autonomy: {payments: observe}
webhooks:
  tokens:
    alertmanager: [am-token]
    "*": [shared-token]
""",
    )

    settings = load_settings(config=config, data_dir=tmp_path, environ={})

    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 9000)
    assert settings.policy.autonomy is Autonomy.ACT
    assert settings.policy.service_autonomy == {"payments": Autonomy.OBSERVE}
    assert settings.webhook_tokens("alertmanager") == ["am-token", "shared-token"]
    assert settings.webhook_tokens("grafana") == ["shared-token"]


def test_variables_are_interpolated_with_and_without_defaults(tmp_path: Path) -> None:
    config = write(
        tmp_path / "nightowl.yaml",
        """
store: {url: "${DB_URL}"}
server: {host: "${HOST:-127.0.0.2}", port: "${PORT:-8181}"}
webhooks:
  tokens:
    alertmanager: ["${AM_TOKEN}", "prefix-${SUFFIX:-none}"]
""",
    )
    environ = {"DB_URL": "postgresql+psycopg://u@db/nightowl", "AM_TOKEN": "s3cret"}

    settings = load_settings(config=config, data_dir=tmp_path, environ=environ)

    assert settings.store_url == "postgresql+psycopg://u@db/nightowl"
    assert settings.server.host == "127.0.0.2"
    assert settings.server.port == 8181
    assert settings.webhook_tokens("alertmanager") == ["s3cret", "prefix-none"]


def test_a_set_variable_wins_over_its_default(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", 'server: {host: "${HOST:-127.0.0.2}"}\n')

    settings = load_settings(config=config, data_dir=tmp_path, environ={"HOST": "10.0.0.1"})

    assert settings.server.host == "10.0.0.1"


def test_an_empty_variable_takes_the_default_as_in_the_shell(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", 'server: {host: "${HOST:-127.0.0.2}"}\n')

    settings = load_settings(config=config, data_dir=tmp_path, environ={"HOST": ""})

    assert settings.server.host == "127.0.0.2"


def test_a_missing_variable_names_the_file_the_key_and_the_variable(tmp_path: Path) -> None:
    config = write(
        tmp_path / "nightowl.yaml",
        "webhooks:\n  tokens:\n    alertmanager: [ok, '${AM_TOKEN}']\n",
    )

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={})

    message = str(caught.value)
    assert str(config) in message
    assert "webhooks.tokens.alertmanager[1]" in message
    assert "AM_TOKEN is not set" in message
    assert "${AM_TOKEN:-default}" in message


def test_a_value_of_the_wrong_type_names_the_key_and_the_value(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "server:\n  port: eighty\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={})

    message = str(caught.value)
    assert str(config) in message
    assert "server.port" in message
    assert "'eighty'" in message


def test_a_value_out_of_range_names_the_key(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "policy: {autonomy: yolo}\nserver: {port: 0}\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={})

    assert "policy.autonomy" in str(caught.value)
    assert "'yolo'" in str(caught.value)
    assert "server.port" in str(caught.value)


def test_an_unknown_key_is_rejected_by_name(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "server: {hots: 0.0.0.0}\n")

    with pytest.raises(ConfigError, match=r"server\.hots"):
        load_settings(config=config, data_dir=tmp_path, environ={})


def test_invalid_yaml_gives_line_and_column(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "server:\n  host: [unclosed\n  port: 1\n")

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={})

    message = str(caught.value)
    assert str(config) in message
    assert "line 3, column" in message
    assert "not valid YAML" in message


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "- server\n- store\n")

    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_settings(config=config, data_dir=tmp_path, environ={})


def test_a_missing_file_says_where_it_was_looked_for(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"

    with pytest.raises(ConfigError) as caught:
        load_settings(config=missing, environ={})

    assert str(missing) in str(caught.value)
    assert "NIGHTOWL_CONFIG" in str(caught.value)


def test_nightowl_config_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "from-env.yaml", "server: {port: 9999}\n")

    settings = load_settings(data_dir=tmp_path, environ={"NIGHTOWL_CONFIG": str(config)})

    assert settings.server.port == 9999


def test_the_config_argument_wins_over_nightowl_config(tmp_path: Path) -> None:
    chosen = write(tmp_path / "chosen.yaml", "server: {port: 7001}\n")
    ignored = write(tmp_path / "ignored.yaml", "server: {port: 7002}\n")

    settings = load_settings(
        config=chosen, data_dir=tmp_path, environ={"NIGHTOWL_CONFIG": str(ignored)}
    )

    assert settings.server.port == 7001


def test_nightowl_data_dir_overrides_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", f"data_dir: {tmp_path / 'from-file'}\n")

    settings = load_settings(
        config=config, environ={"NIGHTOWL_DATA_DIR": str(tmp_path / "from-env")}
    )

    assert settings.data_dir == tmp_path / "from-env"


def test_the_data_dir_argument_overrides_nightowl_data_dir(tmp_path: Path) -> None:
    settings = load_settings(
        data_dir=tmp_path / "from-flag", environ={"NIGHTOWL_DATA_DIR": str(tmp_path / "env")}
    )

    assert settings.data_dir == tmp_path / "from-flag"
    assert settings.store_url == f"sqlite:///{tmp_path / 'from-flag' / 'nightowl.sqlite'}"


def test_nightowl_webhook_token_is_accepted_for_every_source(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, environ={"NIGHTOWL_WEBHOOK_TOKEN": "quick"})

    assert settings.webhook_tokens("alertmanager") == ["quick"]
    assert settings.webhook_tokens("anything") == ["quick"]


def test_nightowl_webhook_token_adds_to_the_tokens_of_the_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "nightowl.yaml",
        "webhooks:\n  tokens:\n    alertmanager: [from-file]\n    '*': [shared]\n",
    )

    settings = load_settings(
        config=config, data_dir=tmp_path, environ={"NIGHTOWL_WEBHOOK_TOKEN": "quick"}
    )

    assert settings.webhook_tokens("alertmanager") == ["from-file", "shared", "quick"]


def test_tokens_are_secrets_in_the_settings_repr(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, environ={"NIGHTOWL_WEBHOOK_TOKEN": "hush-hush"})

    assert "hush-hush" not in repr(settings)
    assert "hush-hush" not in settings.model_dump_json()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("webhooks: oops\n", "webhooks"),
        ("webhooks: {tokens: [a, b]}\n", "webhooks.tokens"),
        ("webhooks: {tokens: {'*': oops}}\n", "webhooks.tokens.*"),
    ],
)
def test_a_malformed_webhooks_section_is_named_even_with_nightowl_webhook_token(
    tmp_path: Path, text: str, key: str
) -> None:
    config = write(tmp_path / "nightowl.yaml", text)

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={"NIGHTOWL_WEBHOOK_TOKEN": "q"})

    assert f"{config}: {key}:" in str(caught.value)


def test_nightowl_webhook_token_fills_empty_webhook_sections(tmp_path: Path) -> None:
    config = write(tmp_path / "nightowl.yaml", "webhooks:\n  tokens:\n    '*':\n")

    settings = load_settings(
        config=config, data_dir=tmp_path, environ={"NIGHTOWL_WEBHOOK_TOKEN": "quick"}
    )

    assert settings.webhook_tokens("alertmanager") == ["quick"]


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("ui:\n  sesion_secret: hunter2-7f3a9c\n", "ui.sesion_secret"),
        (
            "webhooks:\n  tokens:\n    alertmanager: hunter2-7f3a9c\n",
            "webhooks.tokens.alertmanager",
        ),
        ("ui:\n  session_secret: 8675309123\n", "ui.session_secret"),
    ],
)
def test_a_config_error_never_prints_the_secret_it_rejected(
    tmp_path: Path, yaml_text: str, key: str
) -> None:
    config = write(tmp_path / "nightowl.yaml", yaml_text)

    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, data_dir=tmp_path, environ={})

    message = str(caught.value)
    assert key in message
    assert "hunter2" not in message
    assert "8675309123" not in message


def test_nightowl_application_version_pins_dbos_unless_the_file_does(tmp_path: Path) -> None:
    pinned = load_settings(environ={"NIGHTOWL_APPLICATION_VERSION": "0.1.0-roll"})
    assert pinned.store.application_version == "0.1.0-roll"
    assert load_settings(environ={}).store.application_version is None
    config = tmp_path / "nightowl.yaml"
    config.write_text("store:\n  application_version: from-file\n  migrate_on_open: false\n")
    chosen = load_settings(config=config, environ={"NIGHTOWL_APPLICATION_VERSION": "env"})
    assert chosen.store.application_version == "from-file"
    assert chosen.store.migrate_on_open is False


def test_a_value_the_message_quotes_is_not_called_not_shown(tmp_path: Path) -> None:
    """The cron validator quotes the cron; "(got a string of 10 characters, not shown)" after it
    would contradict the line it ends. A value the message does not quote keeps the notice."""
    cron = write(tmp_path / "cron.yaml", "policy: {freeze: [{name: n, cron: '61 * * * *'}]}\n")
    hashed = write(tmp_path / "hash.yaml", "ui: {users: {alice: {password_hash: X}}}\n")

    with pytest.raises(ConfigError) as bad_cron:
        load_settings(config=cron, data_dir=tmp_path, environ={})
    with pytest.raises(ConfigError) as bad_hash:
        load_settings(config=hashed, data_dir=tmp_path, environ={})

    assert "cron '61 * * * *': the minute field '61' is not valid" in str(bad_cron.value)
    assert "not shown" not in str(bad_cron.value)
    assert str(bad_hash.value).endswith("(got a string of 1 character, not shown)")
