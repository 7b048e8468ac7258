"""The occasions' settings (``occasions.toml``, or the file ``RETENTIO_OCCASIONS_CONFIG`` names):
how long after a cart or a view an offer is due, how many days before a birthday, an anniversary,
a renewal or a product running out, and what counts as a learned repurchase interval.

An error names the file, the line and the key: ``occasions.toml:2: cart.after_minutes: Input should be
greater than 0``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from retentio.settings_file import parse_settings, read_settings

DEFAULT_FILE = "occasions.toml"
DOCS = "docs/offer-occasions.md"
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
    default = (__package__ or "", DEFAULT_FILE)
    return read_settings(OccasionSettings, path, default, DOCS, OccasionSettingsError)


def parse_occasion_settings(text: str, path: Path) -> OccasionSettings:
    return parse_settings(OccasionSettings, text, path, DOCS, OccasionSettingsError)
