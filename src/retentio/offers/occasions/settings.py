"""The occasions' settings (``occasions.toml``, or the file ``RETENTIO_OCCASIONS_CONFIG`` names):
how long after a cart or a view an offer is due, how many days before a birthday, an anniversary,
a renewal or a product running out, and what counts as a learned repurchase interval.

An error names the file and the key: ``occasions.toml: cart.after_minutes: must be greater than 0``.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

DEFAULT_FILE = "occasions.toml"
_Days = Annotated[int, Field(ge=0, le=366)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Replenishment(_Section):
    days_before: _Days = 3
    min_repeats: Annotated[int, Field(ge=1, le=1_000_000)] = 5
    min_gap_days: Annotated[float, Field(ge=0, le=365)] = 1
    max_interval_days: Annotated[float, Field(gt=0, le=3650)] = 365


class Cart(_Section):
    after_minutes: Annotated[int, Field(gt=0, le=60 * 24 * 30)] = 60


class Viewed(_Section):
    after_hours: Annotated[int, Field(gt=0, le=24 * 30)] = 24
    max_skus: Annotated[int, Field(gt=0, le=100)] = 10


class DaysBefore(_Section):
    days_before: _Days = 3


class Subscription(_Section):
    period_attribute: Annotated[str, StringConstraints(min_length=1, max_length=64)] = "subscription_days"
    days_before: _Days = 5


class Sweep(_Section):
    catch_up_days: Annotated[int, Field(ge=1, le=31)] = 2


class OccasionSettings(_Section):
    replenishment: Replenishment = Replenishment()
    cart: Cart = Cart()
    viewed: Viewed = Viewed()
    birthday: DaysBefore = DaysBefore()
    anniversary: DaysBefore = DaysBefore(days_before=0)
    subscription: Subscription = Subscription()
    sweep: Sweep = Sweep()

    @property
    def cart_window(self) -> timedelta:
        return timedelta(minutes=self.cart.after_minutes)

    @property
    def viewed_window(self) -> timedelta:
        return timedelta(hours=self.viewed.after_hours)


class OccasionSettingsError(ValueError):
    """The settings file cannot be used; the message names the file, the key and the problem."""


def load_occasion_settings(path: Path | None) -> OccasionSettings:
    """The file's settings; without a file, the defaults shipped with Retentio."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
        return parse_occasion_settings(text, Path(DEFAULT_FILE))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise OccasionSettingsError(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise OccasionSettingsError(f"{path}: not UTF-8 text: {error}") from None
    return parse_occasion_settings(text, path)


def parse_occasion_settings(text: str, path: Path) -> OccasionSettings:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise OccasionSettingsError(f"{path}: not valid TOML: {error}") from None
    try:
        return OccasionSettings.model_validate(document)
    except ValidationError as error:
        problems = [
            f"{path}: {'.'.join(str(part) for part in item['loc'])}: {item['msg'].lower()}"
            for item in error.errors(include_url=False)
        ]
        raise OccasionSettingsError("\n".join(problems)) from None
