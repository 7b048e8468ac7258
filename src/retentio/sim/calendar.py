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
DAY = 86_400

_TIME_SUFFIXES = [
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
        return self.date_prefixes[clock_second // DAY] + _TIME_SUFFIXES[clock_second % DAY]

    def timestamps(self, clock_seconds: list[int]) -> list[str]:
        prefixes, suffixes = self.date_prefixes, _TIME_SUFFIXES
        return [prefixes[second // DAY] + suffixes[second % DAY] for second in clock_seconds]


def build_calendar(config: SimConfig) -> Calendar:
    start = config.start
    midnight = datetime(start.year, start.month, start.day, tzinfo=start.tzinfo)
    first_day_offset = int((start - midnight).total_seconds())
    # Returns may land a few weeks after the last simulated day: keep prefixes for those too.
    span = config.days + 60
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
