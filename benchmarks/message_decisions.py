"""Messaging's pure decisions: ``decide()`` calls per second (consent, caps, quiet hours, best hour,
channel choice) over varied customers and messages.

The inputs are generated first and not timed: ``--inputs`` different (message, customer, history,
now) cases — customers in a score of zones (some without a zone, some with a wrong one), with
contacts, consents, suppressions, channel activity, activity histograms and up to eight messages
already sent this week; messages of the three kinds, on one channel, a fixed cascade or an automatic
one, due before or after "now", with or without a validity — at moments spread over two years so
that quiet hours, DST changes and calendar-day caps all come up. A single channel is mostly email
and every cascade has email among its steps, as a shop's messages would. ``--calls`` decisions
cycle over them. Baselines in the same run over the same inputs, taking turns with the decisions:
a trivial Python function with the same five arguments (the cost of the call loop itself), and one
zoneinfo conversion of "now" into the customer's zone (the cheapest piece of real work a decision
does).

    python benchmarks/message_decisions.py [--calls 1000000] [--inputs 20000] [--profile]

Prints one figure a line, per wall second and per CPU second of this process (the machine is
shared: CPU time says what the code costs, wall time what this run got); ``--profile`` also prints
cProfile's top functions to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from retentio.messaging.content import ChannelName, Kind
from retentio.messaging.decide import (
    CalendarDays,
    Cap,
    Channels,
    Consent,
    ConsentState,
    Contacts,
    Customer,
    Message,
    QuietHours,
    Rolling,
    SendingRules,
    Sent,
    Step,
    Suppression,
    decide,
)
from retentio.messaging.decide.zones import zone_named

ZONES = [
    "Europe/Moscow", "Europe/Moscow", "Europe/Moscow", "Europe/Kaliningrad", "Europe/Samara",
    "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok", "Europe/Berlin", "Europe/London",
    "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Asia/Almaty",
    "Europe/Minsk", "Asia/Tbilisi", "America/Sao_Paulo", "UTC", "Mars/Olympus_Mons",
]  # fmt: skip
CHANNELS = (
    ChannelName.EMAIL, ChannelName.SMS, ChannelName.PUSH, ChannelName.TELEGRAM,
    ChannelName.VIBER, ChannelName.WEB_PUSH,
)  # fmt: skip
SINGLE_CHANNEL_WEIGHTS = (50, 20, 15, 10, 2, 3)  # a single channel is mostly email
PLACES = ("email", "sms", "telegram", "viber", "app", "web")
START = datetime(2025, 1, 1, tzinfo=UTC)
RULES = SendingRules(
    timezone="Europe/Moscow",
    quiet_hours=QuietHours(clock_time(21), clock_time(9)),
    caps=(
        Cap(1, CalendarDays(1), ChannelName.EMAIL, frozenset({Kind.MARKETING})),
        Cap(1, CalendarDays(1), ChannelName.SMS),
        Cap(3, CalendarDays(7)),
        Cap(2, Rolling(timedelta(hours=24))),
    ),
    best_hour=True,
    best_hour_min_events=10,
)
Case = tuple[Message, Customer, SendingRules, Sequence[Sent], datetime]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile 100,000 calls, top functions to stderr"
    )
    args = parser.parse_args()
    cases = generate(random.Random(args.seed), args.inputs)
    shop_zone = ZoneInfo(RULES.timezone)
    zones = [zone_named(case[1].timezone or RULES.timezone) or shop_zone for case in cases]
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"python {sys.version.split()[0]}")
    print(f"calls {args.calls}")
    print(f"distinct_inputs {len(cases)}")
    mix = Counter(_label(decide(*case)) for case in cases)
    for label, count in sorted(mix.items()):
        print(f"share_{label} {count / len(cases):.3f}")
    # The three loops take turns, a tenth of the calls at a time, so a change in the machine's load
    # during the run weighs on each alike; CPU time is this process's own.
    spent = {"decide": [0.0, 0.0], "trivial": [0.0, 0.0], "zone": [0.0, 0.0]}
    chunk = max(args.calls // 10, 1)
    for first in range(0, args.calls, chunk):
        calls = range(first, min(first + chunk, args.calls))
        _add(spent["decide"], _timed(_loop, calls, cases, decide))
        _add(spent["trivial"], _timed(_loop, calls, cases, _trivial))
        _add(spent["zone"], _timed(_convert, calls, cases, zones))
    decisions, decisions_cpu = (args.calls / seconds for seconds in spent["decide"])
    trivial, trivial_cpu = (args.calls / seconds for seconds in spent["trivial"])
    conversions, conversions_cpu = (args.calls / seconds for seconds in spent["zone"])
    print(f"decisions_per_second {decisions:.0f}")
    print(f"decisions_per_cpu_second {decisions_cpu:.0f}")
    print(f"cpu_microseconds_per_decision {1e6 / decisions_cpu:.2f}")
    print(f"baseline_trivial_calls_per_second {trivial:.0f}")
    print(f"baseline_trivial_calls_per_cpu_second {trivial_cpu:.0f}")
    print(f"ratio_to_trivial_call {decisions / trivial:.4f}")
    print(f"baseline_zone_conversions_per_second {conversions:.0f}")
    print(f"baseline_zone_conversions_per_cpu_second {conversions_cpu:.0f}")
    print(f"ratio_to_zone_conversion {decisions / conversions:.4f}")
    if args.profile:
        _profile(cases)


def generate(rng: random.Random, count: int) -> list[Case]:
    cases: list[Case] = []
    for number in range(count):
        now = START + timedelta(seconds=rng.randrange(2 * 365 * 86_400))
        cases.append(
            (_message(rng, number, now), _customer(rng, number, now), RULES, _history(rng, now), now)
        )
    return cases


def _customer(rng: random.Random, number: int, now: datetime) -> Customer:
    contacts = Contacts(
        email=f"c{number}@example.com" if rng.random() < 0.9 else None,
        phone=f"+7999{number:07d}" if rng.random() < 0.7 else None,
        telegram_id=str(number) if rng.random() < 0.3 else None,
        viber_id=f"v{number}" if rng.random() < 0.1 else None,
        push_tokens=(f"t{number}",) if rng.random() < 0.4 else (),
        web_push_subscriptions=(f"s{number}",) if rng.random() < 0.2 else (),
    )
    states = (ConsentState.GRANTED,) * 6 + (ConsentState.WITHDRAWN, ConsentState.UNKNOWN)
    consents = {channel: Consent(rng.choice(states), rng.randrange(1, 10**6)) for channel in CHANNELS
                if rng.random() < 0.8}  # fmt: skip
    suppressions = {ChannelName.EMAIL: Suppression.HARD_BOUNCE} if rng.random() < 0.03 else {}
    activity = {place: (now - timedelta(minutes=rng.randrange(1, 90 * 24 * 60))).isoformat()
                for place in rng.sample(PLACES, rng.randrange(0, 4))}  # fmt: skip
    events = rng.choice((0, 3, 40, 200))
    histogram = [0] * 24
    busy = rng.randrange(24)
    for _ in range(events):
        histogram[(busy + int(rng.gauss(0, 2))) % 24] += 1
    return Customer(
        id=f"c{number}",
        contacts=contacts,
        consents=consents,
        suppressions=suppressions,
        timezone=None if rng.random() < 0.1 else rng.choice(ZONES),
        locale=rng.choice(("ru", "en")),
        channel_activity=activity,
        hour_histogram=tuple(histogram),
        flagged_bad=rng.random() < 0.02,
    )


def _message(rng: random.Random, number: int, now: datetime) -> Message:
    kind = rng.choices((Kind.MARKETING, Kind.TRIGGER, Kind.TRANSACTIONAL), weights=(6, 3, 1))[0]
    shape = rng.random()
    if shape < 0.4:
        channels = Channels.one(rng.choices(CHANNELS, weights=SINGLE_CHANNEL_WEIGHTS)[0])
    else:
        picked = [ChannelName.EMAIL, *rng.sample(CHANNELS[1:], rng.randrange(1, 4))]
        rng.shuffle(picked)
        steps = tuple(Step(channel, deliver_within=timedelta(hours=1)) for channel in picked)
        channels = Channels(steps, auto=shape >= 0.7)
    due = now + timedelta(minutes=rng.randrange(-120, 60))
    validity = rng.choice((None, timedelta(hours=6), timedelta(days=1), timedelta(days=3)))
    return Message(
        id=f"m{number}",
        kind=kind,
        channels=channels,
        due_at=due,
        valid_until=None if validity is None else due + validity,
        priority=rng.randrange(3),
        incentive=rng.random() < 0.2,
    )


def _history(rng: random.Random, now: datetime) -> list[Sent]:
    return [
        Sent(
            now - timedelta(minutes=rng.randrange(1, 8 * 24 * 60)),
            rng.choice(CHANNELS),
            rng.choice((Kind.MARKETING, Kind.TRIGGER, Kind.TRANSACTIONAL)),
            f"h{rng.randrange(6)}",
        )
        for _ in range(rng.choice((0, 0, 1, 2, 4, 8)))
    ]


def _timed(work: Callable[..., None], *arguments: Any) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    work(*arguments)
    return time.perf_counter() - wall, time.process_time() - cpu


def _add(total: list[float], seconds: tuple[float, float]) -> None:
    total[0] += seconds[0]
    total[1] += seconds[1]


def _loop(calls: range, cases: list[Case], function: Callable[..., Any]) -> None:
    count = len(cases)
    for index in calls:
        message, customer, rules, history, now = cases[index % count]
        function(message, customer, rules, history, now)


def _convert(calls: range, cases: list[Case], zones: list[ZoneInfo | None]) -> None:
    count = len(cases)
    for index in calls:
        cases[index % count][4].astimezone(zones[index % count])


def _trivial(
    message: Message, customer: Customer, rules: SendingRules, history: Sequence[Sent], now: datetime
) -> bool:
    return message.kind is Kind.TRANSACTIONAL


def _label(decision: object) -> str:
    reason = getattr(decision, "reason", None)
    name = type(decision).__name__.lower()
    return name if reason is None else f"{name}_{reason}"


def _profile(cases: list[Case]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for index in range(100_000):
        decide(*cases[index % len(cases)])
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
