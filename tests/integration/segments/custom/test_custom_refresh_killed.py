"""A refresh is atomic: while it runs readers see the old members, and a refresh killed halfway
(SIGKILL, after the members were rewritten but before the commit) leaves the old membership intact."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from retentio.events.tables import events
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import do_create_segment, get_segment, refresh_segments, segment_sizes
from retentio.segments.custom.tables import custom_segment_changes, custom_segment_members

CUSTOMERS = 20_000
SCRIPT = Path(__file__).with_name("refresh_until_killed.py")


def _opened_the_app(engine: Engine, now: datetime) -> None:
    events = [
        {"event_id": f"a{n}", "type": "app_opened", "customer_id": f"c{n:05d}", "timestamp": now.isoformat()}
        for n in range(CUSTOMERS)
    ]
    for start in range(0, CUSTOMERS, 10_000):
        ingest_events(engine, events[start : start + 10_000], now, IngestOptions())


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _members_seen_by_a_reader(engine: Engine, database_url: str) -> int:
    """Count members without waiting for the writer (SQLite: a plain WAL reader)."""
    if engine.dialect.name == "sqlite":
        with closing(sqlite3.connect(make_url(database_url).database or "")) as reader:
            return int(reader.execute("SELECT count(*) FROM custom_segment_members").fetchone()[0])
    return _count(engine, custom_segment_members)


def test_a_refresh_killed_halfway_leaves_the_previous_membership(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given a segment of everyone who opened the app today, refreshed
    _opened_the_app(engine, now)
    with engine.begin() as connection:
        rule = parse_rule({"event": {"type": "app_opened", "window": {"days": 1}}})
        do_create_segment(connection, "app_today", Definition(rule), now)
    refresh_segments(engine, None, now - timedelta(days=2), "RUB")  # the first fill: empty
    refresh_segments(engine, None, now, "RUB")  # everyone entered
    assert _count(engine, custom_segment_members) == CUSTOMERS
    assert _count(engine, custom_segment_changes) == CUSTOMERS
    events_before = _count(engine, events)
    # when a refresh two days later (everyone leaves) is killed after rewriting the members
    later = now + timedelta(days=2)
    command = [sys.executable, str(SCRIPT), database_url, later.isoformat(), "app_today"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("members rewritten"), line + process.stdout.read()
            # then a reader meanwhile still sees the old members
            assert _members_seen_by_a_reader(engine, database_url) == CUSTOMERS
        finally:
            process.kill()
            process.wait(timeout=30)
    # and after the kill the old membership, size and history are intact
    assert _count(engine, custom_segment_members) == CUSTOMERS
    assert _count(engine, custom_segment_changes) == CUSTOMERS
    assert _count(engine, events) == events_before
    with engine.connect() as connection:
        view = get_segment(connection, "app_today")
        points = segment_sizes(connection, "app_today")
    assert view is not None
    assert (view.size, view.refreshed_at) == (CUSTOMERS, now)
    assert [(p.at, p.size) for p in points] == [(now - timedelta(days=2), 0), (now, CUSTOMERS)]
    # and the next refresh completes
    results = refresh_segments(engine, None, later, "RUB")
    assert [(r.size, r.exited) for r in results] == [(0, CUSTOMERS)]
