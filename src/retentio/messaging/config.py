"""Messaging's settings file (TOML): which provider serves each channel and with what settings, and
the rules of timing and caps. Secrets stay out of the file: a value ``"env:NAME"`` is read from the
environment variable NAME when the file is loaded.

    [channels.email]
    provider = "smtp"
    host = "smtp.example.ru"
    password = "env:SMTP_PASSWORD"

    [rules]
    quiet_hours = ["21:00", "09:00"]
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "env:"


class MessagingConfigError(ValueError):
    """The settings file cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One ``[channels.NAME]`` section: NAME is a channel (``email``; ``provider`` says which
    provider, needed only where a channel has several) or a provider (``smsru``, ``fcm``)."""

    provider: str | None
    settings: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class MessagingConfig:
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)
    rules: Mapping[str, Any] = field(default_factory=dict)


def load_messaging_config(path: Path | None, environ: Mapping[str, str] = os.environ) -> MessagingConfig:
    """The file's settings (no file: no channel but the outbox and on-site inbox, default rules)."""
    if path is None:
        return MessagingConfig()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MessagingConfigError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise MessagingConfigError(f"{path}: not TOML: {error}") from None
    unknown = set(document) - {"channels", "rules"}
    if unknown:
        raise MessagingConfigError(
            f"{path}: unknown section {sorted(unknown)[0]!r}: use [channels.*] and [rules]"
        )
    channels = _channels(path, document.get("channels", {}), environ)
    rules = _resolved(path, "rules", document.get("rules", {}), environ)
    return MessagingConfig(channels, rules)


def _channels(path: Path, section: Any, environ: Mapping[str, str]) -> dict[str, ChannelConfig]:
    if not isinstance(section, dict):
        raise MessagingConfigError(f"{path}: [channels] must be a table of channels")
    found: dict[str, ChannelConfig] = {}
    for name, table in section.items():
        if not isinstance(table, dict):
            raise MessagingConfigError(f"{path}: [channels.{name}] must be a table")
        settings = _resolved(path, f"channels.{name}", table, environ)
        provider = settings.pop("provider", None)
        if provider is not None and not isinstance(provider, str):
            raise MessagingConfigError(f'{path}: [channels.{name}] provider = "..." names a provider')
        found[name] = ChannelConfig(provider, settings)
    return found


def _resolved(path: Path, where: str, table: Any, environ: Mapping[str, str]) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise MessagingConfigError(f"{path}: [{where}] must be a table")
    resolved: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, str) and value.startswith(ENV_PREFIX):
            variable = value.removeprefix(ENV_PREFIX)
            if variable not in environ:
                raise MessagingConfigError(f"{path}: {where}.{key} reads ${variable}, which is not set")
            value = environ[variable]
        elif isinstance(value, dict):
            value = _resolved(path, f"{where}.{key}", value, environ)
        resolved[key] = value
    return resolved
