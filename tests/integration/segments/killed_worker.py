"""A simulated shop's events ingested while ``retentio worker`` keeps segments up to date and is
killed (SIGKILL) at random moments and started again; then what the worker kept is held against a
full recomputation. Used by ``test_worker_killed`` at a size CI runs, and by
``benchmarks/worker_killed.py`` at a million events.

What must hold afterwards:
- every customer's standing equals deciding everyone afresh from the log (a full refresh, in a
  transaction rolled back after), and the signals kept batch by batch equal those read back;
- every custom segment's members equal a full evaluation of its rule;
- for each customer and family the moves written to the log form one chain (each move leaves where
  the previous one arrived: none written twice, none lost between two) ending where the customer
  stands (none lost at the end).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as time_of_day
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, delete, select, text, update

from retentio.clock import FixedClock
from retentio.customers.tables import customer_profiles
from retentio.events.consumers import checkpoint, consumer_lags, drain
from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.schedule.tables import due_work
from retentio.segments.config import DEFAULT_CONFIG, FAMILIES
from retentio.segments.consumer import SEGMENTS_CONSUMER, SegmentsConsumer
from retentio.segments.custom.evaluate import matching_customers
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, refresh_segments, segment_members
from retentio.segments.inputs import Signals
from retentio.segments.refresh import do_refresh_standing
from retentio.segments.signals_store import load_signals, rebuild_signals
from retentio.segments.tables import customer_standing
from retentio.segments.transitions import CLEAR, ENTERED, EXITED, FLAGGED, START
from retentio.segments.upkeep import Schedule, start_upkeep
from retentio.sim import SimConfig, build_store, simulate

CLI = "import sys; from retentio.cli import main; sys.argv[0] = 'retentio'; main()"
WORKER_NAME = "retentio-killed-worker"  # the workers' sessions, as PostgreSQL lists them (-0, -1, …)
SWEEP_AT = time_of_day(3, 0)
BOOKKEEPING = ("computed_at", "lifecycle_since", "ladder_since")
# In dependency order. Each rule lets a customer in once and out at most once at a fixed clock:
# one coming back within the same second loses the second entry in the log, a known defect that
# ``test_custom_moves_logged`` shows (moves are logged per second), not the worker's.
SEGMENTS: dict[str, dict[str, Any]] = {
    "browsers": {"event": {"type": "product_viewed", "window": {"days": 30}, "count": {">=": 5}}},
    "big_spenders": {
        "event": {"type": "order_placed", "sum": "total", "window": {"days": 90}, "value": {">=": 3000}}
    },
    "repeat_buyers": {"event": {"type": "order_placed", "window": {"days": 150}, "count": {">=": 2}}},
    "regulars": {"field": "profile.events", "op": ">=", "value": 40},
    "window_shoppers": {"all": [{"segment": "browsers"}, {"not": {"segment": "repeat_buyers"}}]},
}


@dataclass(frozen=True)
class Scenario:
    customers: int  # simulated customers; about 56 events each over 120 days
    days: int
    kills: int
    seed: int = 7
    # Ingest waits between days so that the kills, one at a random moment in each equal slice of the
    # days, leave each worker this long at least (it starts in a second or two).
    seconds_per_kill: float = 3.0

    @property
    def sim(self) -> SimConfig:
        return SimConfig(customers=self.customers, days=self.days, seed=self.seed)

    @property
    def now(self) -> datetime:
        """The worker's fixed clock and the time every batch arrives: just after the last day."""
        return self.sim.start + timedelta(days=self.days, hours=1)


@dataclass
class Run:
    """What happened: events ingested, workers killed, and how many of them moved the checkpoint."""

    ingested: int = 0
    days: int = 0  # simulated days ingested
    kills: int = 0
    amid_writes: int = 0  # kills on PostgreSQL while the worker had written part of a batch
    progressed: int = 0
    drained_after: int = 0
    seconds: float = 0.0
    failures: list[BaseException] = field(default_factory=list)


def prepare(engine: Engine, scenario: Scenario) -> None:
    """Custom segments, filled while the store is empty; and the day's upkeep marked as run, so the
    workers only consume the log."""
    now = scenario.now
    with engine.begin() as connection:
        for name, rule in SEGMENTS.items():
            do_create_segment(connection, name, Definition(parse_rule(rule)), now)
    start_upkeep(engine, Schedule(SWEEP_AT, ZoneInfo("UTC"), "RUB", DEFAULT_CONFIG), now)
    with engine.begin() as connection:
        connection.execute(update(due_work).values(state="done", finished_at=now))
    refresh_segments(engine, None, now, "RUB")


def run_with_kills(engine: Engine, database_url: str, scenario: Scenario, logs: Path) -> Run:
    """Ingest the simulated days on a thread while a worker runs; kill it at a random moment in each
    slice of the days and start another; then let the dead workers' sessions end and catch up (what
    a last restart would do)."""
    started = time.perf_counter()
    run = Run()
    pace = scenario.seconds_per_kill * scenario.kills / scenario.days
    writer = threading.Thread(target=_ingest_days, args=(engine, scenario, pace, run), name="ingest")
    writer.start()
    chance = random.Random(scenario.seed)
    for number in range(scenario.kills):
        moment = (number + chance.random()) * scenario.days / scenario.kills
        before = _position(engine)
        log = logs / f"worker-{number}.log"
        name = f"{WORKER_NAME}-{number}"
        until = partial(_wait_for, engine, run, moment, name if number % 2 == 0 else None)
        _start_and_kill(database_url, scenario, log, name, until)
        run.kills += 1
        run.progressed += _position(engine) != before
    writer.join()
    if run.failures:
        raise run.failures[0]
    _wait_for_dead_sessions(engine)
    run.drained_after = drain(engine, [SegmentsConsumer(DEFAULT_CONFIG, "RUB")], FixedClock(scenario.now))
    run.seconds = time.perf_counter() - started
    return run


def _ingest_days(engine: Engine, scenario: Scenario, pace: float, run: Run) -> None:
    try:
        for day in simulate(scenario.sim, build_store(scenario.sim)):
            for start in range(0, len(day), 10_000):
                result = ingest_events(engine, day[start : start + 10_000], scenario.now, IngestOptions())
                assert not result.rejected, result.rejected[:3]
                run.ingested += result.accepted
            run.days += 1
            time.sleep(pace)
    except BaseException as error:  # reported by the main thread
        run.failures.append(error)
    finally:
        run.days = scenario.days  # no kill waits for a day that will never come


def _wait_for(engine: Engine, run: Run, days: float, writer: str | None) -> None:
    """Until ``days`` are ingested; then, on PostgreSQL and when a ``writer`` session is named, until
    it has written part of a batch (a kill then falls where the checkpoint must not run ahead of the
    effects), for a few seconds at most."""
    while run.days < days:
        time.sleep(0.01)
    if writer is None or engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND backend_xid IS NOT NULL"
    )
    deadline = time.monotonic() + 3
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            if connection.execute(query, {"name": writer}).scalar_one():
                run.amid_writes += 1
                return
            connection.rollback()  # a fresh view of the sessions for the next look
            time.sleep(0.005)


def _start_and_kill(
    database_url: str, scenario: Scenario, log: Path, name: str, until: Callable[[], None]
) -> None:
    command = [sys.executable, "-c", CLI, "--database-url", database_url, "--as-of", scenario.now.isoformat()]
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("RETENTIO_")},
        "PGAPPNAME": name,
        "PYTHONUNBUFFERED": "1",
        "RETENTIO_SWEEP_AT": SWEEP_AT.strftime("%H:%M"),
        "RETENTIO_TIMEZONE": "UTC",
    }
    with (
        log.open("w") as errors,
        subprocess.Popen(
            [*command, "worker"], stdout=subprocess.PIPE, stderr=errors, text=True, env=environment
        ) as worker,
    ):
        assert worker.stdout is not None
        ready = worker.stdout.readline()
        try:
            assert ready.startswith("consuming the log"), ready + log.read_text()
            until()
            # Still running: a worker that died by itself would hide behind the kill.
            assert worker.poll() is None, log.read_text()
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(30)
    assert worker.returncode == -signal.SIGKILL, log.read_text()


def _position(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        position = checkpoint(connection, SEGMENTS_CONSUMER)
    return position.tx, position.row


def _wait_for_dead_sessions(engine: Engine) -> None:
    """On PostgreSQL a killed client's session ends when the server notices: until then it may hold
    the consumer's lock and an open transaction, and a drain would stop early."""
    if engine.dialect.name != "postgresql":
        return
    query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE :name || '-%'")
    deadline = time.monotonic() + 120
    while True:
        with engine.connect() as connection:
            if connection.execute(query, {"name": WORKER_NAME}).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "the killed workers' sessions never ended"
        time.sleep(0.05)


# ---- the checks ------------------------------------------------------------------------------


def behind(engine: Engine) -> int:
    with engine.connect() as connection:
        [lag] = consumer_lags(connection, [SEGMENTS_CONSUMER])
    return lag.behind


def standing(connection: Connection) -> dict[str, dict[str, Any]]:
    rows = connection.execute(select(customer_standing).order_by(customer_standing.c.customer_id))
    return {
        row.customer_id: {key: value for key, value in row._mapping.items() if key not in BOOKKEEPING}
        for row in rows
    }


def kept_and_refreshed(engine: Engine, now: datetime) -> dict[str, tuple[Any, Any]]:
    """For the signals and the standing: (kept, recomputed from the log); the recomputation is rolled
    back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            customers = list(connection.scalars(select(customer_profiles.c.customer_id)))
            kept = load_signals(connection, customers)
            signals = {customer: kept.get(customer, Signals()) for customer in customers}
            rebuilt = rebuild_signals(connection, customers, now, DEFAULT_CONFIG.signals.payment_days)
            stands = standing(connection)
            connection.execute(delete(customer_standing))
            do_refresh_standing(connection, now, DEFAULT_CONFIG, everyone=True, keep_edges=True, record=False)
            return {"signals": (signals, rebuilt), "standing": (stands, standing(connection))}
        finally:
            transaction.rollback()


def members(connection: Connection) -> dict[str, set[str]]:
    return {
        name: {member.customer_id for member in segment_members(connection, name, None, 10_000_000)}
        for name in SEGMENTS
    }


def kept_and_evaluated(engine: Engine, now: datetime) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The members kept, and who matches each rule evaluated for everyone (segments built on
    another read its kept members, which are checked first)."""
    with engine.connect() as connection:
        return members(connection), {
            name: matching_customers(connection, parse_rule(rule), now, "RUB")
            for name, rule in SEGMENTS.items()
        }


def broken_chains(engine: Engine) -> list[str]:
    """Every way the moves in the log disagree with one chain per customer and family ending where
    the customer stands (empty when they agree)."""
    arrived: dict[tuple[str, str], str | None] = {}
    problems: list[str] = []
    query = (
        select(events.c.event_id, events.c.customer_id, events.c.properties)
        .where(events.c.type.in_([ENTERED, EXITED]))
        .order_by(events.c.tx, events.c.id)
    )
    with engine.connect() as connection:
        for event_id, customer_id, properties in connection.execute(query):
            family = properties["family"]
            key = (customer_id, family)
            expected = arrived.get(key, _start(family))
            if properties["from"] != expected:
                problems.append(
                    f"{event_id}: leaves {properties['from']!r}, but {customer_id} was in {expected!r}"
                )
            arrived[key] = properties["to"]
        problems += _ends(arrived, standing(connection), members(connection))
    return problems


def _start(family: str) -> str | None:
    return START.of(family) if family in FAMILIES else None


def _ends(
    arrived: dict[tuple[str, str], str | None], stands: dict[str, dict[str, Any]], kept: dict[str, set[str]]
) -> list[str]:
    problems = []
    for customer_id, row in stands.items():
        places = {
            "rfm": row["rfm_segment"],
            "lifecycle": row["lifecycle"],
            "ladder": row["ladder"],
            "bad_customer": FLAGGED if row["bad_customer"] else CLEAR,
        }
        for family, place in places.items():
            last = arrived.get((customer_id, family), _start(family))
            if last != place:
                problems.append(
                    f"{customer_id}: stands in {family} {place!r}, the last move went to {last!r}"
                )
    for name, ids in kept.items():
        moved = {customer for (customer, family) in arrived if family == f"custom:{name}"}
        for customer_id in sorted(ids | moved):
            last = arrived.get((customer_id, f"custom:{name}"))
            if (last == name) != (customer_id in ids):
                state = "a member" if customer_id in ids else "not a member"
                problems.append(f"{customer_id}: {state} of {name}, the last move went to {last!r}")
    return problems
