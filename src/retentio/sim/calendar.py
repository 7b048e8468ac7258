"""Simulated time: the rhythm of each day (weekday, season) and fast ISO 8601 timestamps.

Event times are whole seconds counted from midnight UTC of the start date ("clock seconds"), so
a timestamp is a date prefix plus a time-of-day suffix, both looked up rather than formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from retentio.sim.config import SimConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DAY = 86_400

TIME_SUFFIXES = [
    f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+00:00" for second in range(DAY)
]


@dataclass(frozen=True)
class Calendar:
    first_day_offset: int  # clock seconds at which simulated day 0 begins
    factors: FloatArray  # relative activity of each simulated day
    cumulative: FloatArray  # "activity time" at the end of each day: the running sum of factors
    date_prefixes: list[str]  # "YYYY-MM-DDT" for each calendar day from the start date

    def day_start(self, day: int) -> int:
        return self.first_day_offset + day * DAY

    def activity_at_start(self, day: int) -> float:
        return float(self.cumulative[day] - self.factors[day])

    def timestamp(self, clock_second: int) -> str:
        return self.date_prefixes[clock_second // DAY] + TIME_SUFFIXES[clock_second % DAY]

    def timestamps(self, clock_seconds: IntArray) -> list[str]:
        """ISO 8601 strings for sorted clock seconds. A busy day has several events a second:
        then one string per second of the day is made and shared by its events, which saves
        both the formatting and the memory of a string per event."""
        if clock_seconds.size == 0:
            return []
        first, last = int(clock_seconds[0]), int(clock_seconds[-1])
        seconds = clock_seconds.tolist()
        if clock_seconds.size < 2 * (last - first + 1):
            return [self.timestamp(second) for second in seconds]
        table = [self.timestamp(second) for second in range(first, last + 1)]
        return [table[second - first] for second in seconds]


def build_calendar(config: SimConfig) -> Calendar:
    start = config.start
    midnight = datetime(start.year, start.month, start.day, tzinfo=start.tzinfo)
    first_day_offset = int((start - midnight).total_seconds())
    span = config.days + 2
    dates = [midnight.date() + timedelta(days=offset) for offset in range(span + 2)]
    factors = np.array(
        [_factor(config, start + timedelta(days=day, hours=12)) for day in range(span)],
        dtype=np.float64,
    )
    return Calendar(
        first_day_offset=first_day_offset,
        factors=factors,
        cumulative=np.cumsum(factors),
        date_prefixes=[f"{day.isoformat()}T" for day in dates],
    )


def _factor(config: SimConfig, moment: datetime) -> float:
    when: date = moment.date()
    return config.weekday_factors[when.weekday()] * config.month_factors[when.month - 1]
