from __future__ import annotations

from pathlib import Path

import pytest

from retentio.messaging.config import MessagingConfigError, load_messaging_config


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "messaging.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_channels_and_rules_are_read_with_secrets_from_the_environment(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        '[channels.email]\nprovider = "smtp"\nhost = "smtp.example.ru"\npassword = "env:SMTP_PASSWORD"\n'
        '[rules]\nquiet_hours = ["21:00", "09:00"]\n',
    )
    config = load_messaging_config(path, {"SMTP_PASSWORD": "s3cret"})
    email = config.channels["email"]
    assert (email.provider, dict(email.settings)) == (
        "smtp",
        {"host": "smtp.example.ru", "password": "s3cret"},
    )
    assert config.rules == {"quiet_hours": ["21:00", "09:00"]}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[channels.email]\nprovider = "smtp"\npassword = "env:NOPE"\n',
            r"channels.email.password reads \$NOPE, which is not set",
        ),
        ("[channels.email]\nprovider = 1\n", 'provider = "..." names a provider'),
        ("[channels]\nemail = 1\n", r"\[channels.email\] must be a table"),
        ("[sending]\n", "unknown section 'sending'"),
        ("[channels\n", "not TOML"),
    ],
)
def test_a_file_that_cannot_be_used_names_the_key(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(MessagingConfigError, match=problem):
        load_messaging_config(_file(tmp_path, text), {})


def test_no_file_is_no_channel_and_a_missing_file_is_an_error(tmp_path: Path) -> None:
    assert load_messaging_config(None).channels == {}
    with pytest.raises(MessagingConfigError, match="no such file"):
        load_messaging_config(tmp_path / "nothing.toml")
