"""Personalisation facts (SEG-5): reward propensity, preferred channel and hour, usual interval.

They depend only on what the customer did, never on the clock, so they change only when events
arrive; the hour is given in the customer's time zone (at the offset in force at their latest
activity), or in UTC when the zone is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from retentio.segments.config import FactsConfig
from retentio.segments.inputs import DAY, CustomerInputs

RewardPropensity = Literal["discount_seeker", "novelty_seeker", "neutral"]
# Where activity was seen → the channel that reaches the customer there.
_REACHED_BY = {"app": "push"}
_CHANNEL_ORDER = ("email", "sms", "push", "telegram", "viber", "web")


@dataclass(frozen=True, slots=True)
class PersonalFacts:
    reward_propensity: RewardPropensity
    preferred_channel: str | None
    preferred_hour: int | None  # 0-23, local time when the zone is known
    usual_interval_days: float | None


def decide_facts(inputs: CustomerInputs, config: FactsConfig) -> PersonalFacts:
    return PersonalFacts(
        reward_propensity=reward_propensity(inputs, config),
        preferred_channel=preferred_channel(inputs.channel_activity),
        preferred_hour=preferred_hour(inputs),
        usual_interval_days=usual_interval_days(inputs),
    )


def reward_propensity(inputs: CustomerInputs, config: FactsConfig) -> RewardPropensity:
    if inputs.orders < config.min_orders:
        return "neutral"
    if inputs.signals.discounted_orders >= config.discount_seeker_share * inputs.orders:
        return "discount_seeker"
    categories = len(inputs.category_counts)
    if (
        categories >= config.novelty_min_categories
        and categories >= config.novelty_category_share * inputs.orders
    ):
        return "novelty_seeker"
    return "neutral"


def preferred_channel(activity: Mapping[str, str]) -> str | None:
    """The channel of the customer's most recent engagement (opens, clicks, app, site)."""
    if len(activity) == 1:  # most customers are seen in one place: no ranking to do
        ((seen_on, stamp),) = activity.items()
        return _REACHED_BY.get(seen_on, seen_on) if isinstance(stamp, str) and stamp else None
    latest: dict[str, str] = {}
    for seen_on, stamp in activity.items():
        channel = _REACHED_BY.get(seen_on, seen_on)
        if isinstance(stamp, str) and stamp > latest.get(channel, ""):
            latest[channel] = stamp
    if not latest:
        return None
    return max(latest, key=lambda channel: (latest[channel], -_rank(channel)))


def _rank(channel: str) -> int:
    return _CHANNEL_ORDER.index(channel) if channel in _CHANNEL_ORDER else len(_CHANNEL_ORDER)


def preferred_hour(inputs: CustomerInputs) -> int | None:
    histogram = inputs.hour_histogram
    if len(histogram) != 24 or not any(histogram):
        return None
    busiest = histogram.index(max(histogram))  # the earliest of equally busy hours
    return (busiest * 60 + _offset_minutes(inputs.timezone, inputs.last_event_at)) // 60 % 24


def _offset_minutes(timezone: str | None, at: int | None) -> int:
    zone = _zone(timezone) if timezone else None
    if zone is None or at is None:
        return 0
    offset = datetime.fromtimestamp(at, UTC).astimezone(zone).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) // 60


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def usual_interval_days(inputs: CustomerInputs) -> float | None:
    if inputs.orders < 2:
        return None
    return round(inputs.order_span / (inputs.orders - 1) / DAY, 2)
