"""The daily upkeep on the real store, run as due work: a due run refreshes standing and custom
segments, once per local date, and the record of it (the done rows) survives a restart."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from tests.helpers import event, ingest, item

from retentio.clock import FixedClock
from retentio.db.engine import make_engine
from retentio.schedule.kinds import Registry
from retentio.schedule.runner import Outcome, Runner
from retentio.schedule.sql import SqlQueue
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, get_segment
from retentio.segments.standing import get_standing
from retentio.segments.upkeep import CUSTOM_JOB, STANDING_JOB, Schedule, start_upkeep, upkeep_kinds

SCHEDULE = Schedule(time(3, 0), ZoneInfo("Europe/Moscow"), "RUB", DEFAULT_CONFIG)
VIEWERS = {"event": {"type": "product_viewed", "window": {"days": 30}, "count": {">=": 1}}}


def run_due_jobs(engine: Engine, now: datetime, schedule: Schedule) -> list[tuple[str, date]]:
    """What ``retentio worker --once`` does: start the upkeep unless pending, run what is due."""
    done: list[Outcome] = []
    start_upkeep(engine, schedule, now)
    runner = Runner(
        SqlQueue(engine), Registry(upkeep_kinds(engine, schedule)), FixedClock(now), report=done.append
    )
    runner.run_all_due()
    assert [outcome.failure for outcome in done] == [None] * len(done)
    return [(outcome.work.kind, date.fromisoformat(outcome.work.key)) for outcome in done]


def test_a_due_run_refreshes_standing_and_custom_segments_once_a_day(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given: a buyer quiet for 200 days, a recent viewer, and a custom segment never refreshed
    bought = now - timedelta(days=200)
    order = event(
        "o1",
        "order_placed",
        bought,
        "c1",
        order_id="o1",
        items=[item("A", 1, "10")],
        total="10",
        currency="RUB",
    )
    view = event("v1", "product_viewed", now - timedelta(days=1), "c2", sku="A")
    ingest(engine, [order, view], now)
    with engine.begin() as connection:
        do_create_segment(connection, "viewers", Definition(parse_rule(VIEWERS)), now)
    # when: 15:00 in Moscow, after the 03:00 run time
    runs = run_due_jobs(engine, now, SCHEDULE)
    # then
    assert runs == [
        (STANDING_JOB, date(2026, 6, 1)),
        (CUSTOM_JOB, date(2026, 6, 1)),
    ]
    with engine.connect() as connection:
        standing = get_standing(connection, "c1")
        segment = get_segment(connection, "viewers")
    assert standing is not None and standing.lifecycle == "churned"
    assert segment is not None and (segment.size, segment.refreshed_at) == (1, now)


def test_a_run_already_made_today_is_skipped_even_after_a_restart(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given
    assert len(run_due_jobs(engine, now, SCHEDULE)) == 2
    restarted = make_engine(database_url)
    try:
        # when: later the same local day, then the next day after 03:00 Moscow time
        same_day = run_due_jobs(restarted, now + timedelta(hours=8), SCHEDULE)
        next_day = run_due_jobs(restarted, now + timedelta(hours=16), SCHEDULE)
    finally:
        restarted.dispose()
    # then
    assert same_day == []
    assert next_day == [
        (STANDING_JOB, date(2026, 6, 2)),
        (CUSTOM_JOB, date(2026, 6, 2)),
    ]
