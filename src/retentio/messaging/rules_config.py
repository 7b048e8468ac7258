"""The ``[rules]`` section of the messaging settings file, read into ``decide.SendingRules``:

[rules]
quiet_hours = ["21:00", "09:00"]      # or false
best_hour = true
fallback_hour = "11:00"
channel_order = ["push", "telegram", "email", "sms"]
[[rules.caps]]
limit = 1
per = "day"                            # "day", "week", "7 days", or "24h" (rolling), "90m"
channel = "email"                      # optional: all channels when left out
kinds = ["marketing"]                  # optional: trigger and marketing
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any

from retentio.messaging.config import MessagingConfigError
from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import CalendarDays, Cap, QuietHours, Rolling, SendingRules

_KEYS = {"quiet_hours", "best_hour", "fallback_hour", "best_hour_min_events", "channel_order", "caps"}
_ROLLING = re.compile(r"^(\d+)\s*(m|h)$")
_CALENDAR = {"day": 1, "week": 7}
_DAYS = re.compile(r"^(\d+)\s*days?$")


def sending_rules(rules: Mapping[str, Any], shop_timezone: str) -> SendingRules:
    """``rules`` as the settings file has them; a key that cannot be used is an error naming it."""
    unknown = set(rules) - _KEYS
    if unknown:
        raise MessagingConfigError(
            f"rules.{sorted(unknown)[0]} is not a rule: one of {', '.join(sorted(_KEYS))}"
        )
    try:
        return SendingRules(
            timezone=shop_timezone,
            quiet_hours=_quiet_hours(rules.get("quiet_hours", ["21:00", "09:00"])),
            caps=tuple(_cap(index, entry) for index, entry in enumerate(rules.get("caps", []))),
            best_hour=bool(rules.get("best_hour", True)),
            best_hour_min_events=int(rules.get("best_hour_min_events", 10)),
            fallback_hour=_time("rules.fallback_hour", rules.get("fallback_hour", "11:00")),
            channel_order=tuple(
                _channel("rules.channel_order", name) for name in rules.get("channel_order", _default_order())
            ),
        )
    except (TypeError, ValueError) as error:
        if isinstance(error, MessagingConfigError):
            raise
        raise MessagingConfigError(f"rules: {error}") from None


def _default_order() -> list[str]:
    return [channel.value for channel in SendingRules().channel_order]


def _quiet_hours(value: Any) -> QuietHours | None:
    if value is False:
        return None
    if not isinstance(value, list) or len(value) != 2:
        raise MessagingConfigError('rules.quiet_hours is ["HH:MM", "HH:MM"] or false')
    return QuietHours(_time("rules.quiet_hours", value[0]), _time("rules.quiet_hours", value[1]))


def _cap(index: int, entry: Any) -> Cap:
    where = f"rules.caps[{index}]"
    if not isinstance(entry, dict) or "limit" not in entry or "per" not in entry:
        raise MessagingConfigError(f"{where} needs limit and per")
    kinds = entry.get("kinds")
    try:
        return Cap(
            limit=int(entry["limit"]),
            window=_window(where, str(entry["per"])),
            channel=None if entry.get("channel") is None else _channel(f"{where}.channel", entry["channel"]),
            kinds=frozenset({Kind.TRIGGER, Kind.MARKETING})
            if kinds is None
            else frozenset(Kind(k) for k in kinds),
        )
    except ValueError as error:
        raise MessagingConfigError(f"{where}: {error}") from None


def _window(where: str, per: str) -> CalendarDays | Rolling:
    text = per.strip().lower()
    if text in _CALENDAR:
        return CalendarDays(_CALENDAR[text])
    if days := _DAYS.match(text):
        return CalendarDays(int(days.group(1)))
    if rolling := _ROLLING.match(text):
        amount, unit = int(rolling.group(1)), rolling.group(2)
        return Rolling(timedelta(hours=amount) if unit == "h" else timedelta(minutes=amount))
    raise MessagingConfigError(
        f'{where}.per = {per!r}: "day", "week", "N days" (calendar) or "24h", "90m" (rolling)'
    )


def _time(where: str, value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise MessagingConfigError(f"{where}: {value!r} is not a time of day such as 09:00") from None


def _channel(where: str, value: Any) -> ChannelName:
    try:
        return ChannelName(value)
    except ValueError:
        raise MessagingConfigError(f"{where}: unknown channel {value!r}") from None
