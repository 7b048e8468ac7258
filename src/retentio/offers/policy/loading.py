"""Reading the offer policy's settings file (TOML) into ``PolicySettings``.

An error names the file, the line that states the key, the key path and what is wrong:
``policy.toml:31: occasions.win_back.percent: percent is above max_percent``.
"""

from __future__ import annotations

from pathlib import Path

from retentio.offers.policy.settings import PolicySettings
from retentio.settings_file import parse_settings, read_settings

DEFAULT_FILE = "policy.toml"  # package data next to this module
DOCS = "docs/offer-policy.md"


class PolicyConfigError(ValueError):
    """The settings file cannot be used; the message names the file, the key and the problem."""


def load_offer_policy(path: Path | None) -> PolicySettings:
    """The file's policy; without a file, the default shipped with Retentio."""
    return read_settings(PolicySettings, path, (__package__ or "", DEFAULT_FILE), DOCS, PolicyConfigError)


def parse_offer_policy(text: str, path: Path) -> PolicySettings:
    return parse_settings(PolicySettings, text, path, DOCS, PolicyConfigError)
