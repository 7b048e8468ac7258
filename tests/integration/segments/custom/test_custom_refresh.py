"""Refresh: membership recomputed in one transaction, every move recorded, sizes kept over time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from tests.helpers import event, ingest
from tests.integration.segments.custom.store_fixture import build_store

from retentio.events.tables import events
from retentio.segments.custom.parse import Definition, parse_rule
from retentio.segments.custom.service import (
    do_create_segment,
    get_segment,
    refresh_segments,
    segment_members,
    segment_sizes,
)
from retentio.segments.custom.tables import custom_segment_changes, custom_segment_staging

DAY = timedelta(days=1)
RECENT_BUYERS = {"event": {"type": "order_placed", "window": {"days": 30}}}


def _create(engine: Engine, name: str, rule: object, now: datetime) -> None:
    with engine.begin() as connection:
        do_create_segment(connection, name, Definition(parse_rule(rule)), now)


def _members(engine: Engine, name: str) -> dict[str, datetime]:
    with engine.connect() as connection:
        return {m.customer_id: m.entered_at for m in segment_members(connection, name, None, 100)}


def _changes(engine: Engine) -> list[tuple[str, bool, datetime, str]]:
    table = custom_segment_changes
    statement = select(table.c.customer_id, table.c.entered, table.c.changed_at, table.c.source)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(statement.order_by(table.c.id))]  # type: ignore[misc]


def test_a_new_segment_is_empty_until_its_first_fill(engine: Engine, now: datetime) -> None:
    # given
    build_store(engine, now)
    _create(engine, "recent_buyers", RECENT_BUYERS, now)
    # then
    assert _members(engine, "recent_buyers") == {}
    # when
    results = refresh_segments(engine, ["recent_buyers"], now, "RUB")
    # then
    assert [(r.name, r.size, r.entered, r.exited) for r in results] == [("recent_buyers", 3, 3, 0)]
    assert _members(engine, "recent_buyers") == {"anna": now, "boris": now, "dina": now}
    # the first fill is no move: counted in the size history, not recorded customer by customer
    assert _changes(engine) == []
    assert _move_events(engine) == []
    with engine.connect() as connection:
        points = segment_sizes(connection, "recent_buyers")
    assert [(p.source, p.size, p.entered, p.exited) for p in points] == [("refresh", 3, 3, 0)]
    with engine.connect() as connection:
        view = get_segment(connection, "recent_buyers")
        assert connection.execute(select(custom_segment_staging)).all() == []
    assert view is not None
    assert (view.size, view.refreshed_at) == (3, now)


def test_as_time_passes_a_refresh_moves_customers_out_and_keeps_the_others(
    engine: Engine, now: datetime
) -> None:
    # given members as of now
    build_store(engine, now)
    _create(engine, "recent_buyers", RECENT_BUYERS, now)
    refresh_segments(engine, None, now, "RUB")
    # when 26 days pass: the newest orders were 3 (dina), 5 (anna) and 10 days old (boris)
    later = now + 26 * DAY
    results = refresh_segments(engine, None, later, "RUB")
    # then only dina's order is still within 30 days
    assert [(r.size, r.entered, r.exited) for r in results] == [(1, 0, 2)]
    assert _members(engine, "recent_buyers") == {"dina": now}
    assert _changes(engine) == [("anna", False, later, "refresh"), ("boris", False, later, "refresh")]
    with engine.connect() as connection:
        points = segment_sizes(connection, "recent_buyers")
    assert [(p.at, p.source, p.size, p.entered, p.exited) for p in points] == [
        (now, "refresh", 3, 3, 0),
        (later, "refresh", 1, 0, 2),
    ]


def test_refreshing_again_at_the_same_time_changes_nothing(engine: Engine, now: datetime) -> None:
    build_store(engine, now)
    _create(engine, "recent_buyers", RECENT_BUYERS, now)
    refresh_segments(engine, None, now, "RUB")
    # when
    results = refresh_segments(engine, None, now, "RUB")
    # then
    assert [(r.size, r.entered, r.exited) for r in results] == [(3, 0, 0)]
    assert _changes(engine) == []
    with engine.connect() as connection:
        assert [(p.size, p.entered) for p in segment_sizes(connection, "recent_buyers")] == [(3, 3)]


def test_a_segment_built_on_another_is_refreshed_after_it(engine: Engine, now: datetime) -> None:
    # given "quiet_buyers" (created first) depends on "recent_buyers" (created second, via update)
    build_store(engine, now)
    _create(engine, "recent_buyers", RECENT_BUYERS, now)
    quiet = {"all": [{"segment": "recent_buyers"}, {"field": "profile.events", "op": "<", "value": 4}]}
    _create(engine, "a_quiet_buyers", quiet, now)
    # when everything is refreshed in one call
    results = refresh_segments(engine, None, now, "RUB")
    # then the dependency went first, and the dependant saw its new members
    assert [r.name for r in results] == ["recent_buyers", "a_quiet_buyers"]
    assert set(_members(engine, "a_quiet_buyers")) == {"dina"}


def _move_events(engine: Engine) -> list[tuple[str, str | None, dict[str, object]]]:
    """Moves in and out of custom segments (the store's merge also decides the built-in families)."""
    statement = select(events.c.type, events.c.customer_id, events.c.properties).where(
        events.c.type.in_(["segment_entered", "segment_exited"])
    )
    with engine.connect() as connection:
        found = [(row[0], row[1], row[2]) for row in connection.execute(statement)]
    return sorted(move for move in found if str(move[2]["family"]).startswith("custom:"))


def test_every_move_of_a_refresh_is_an_event(engine: Engine, now: datetime) -> None:
    # given a customer whose id is too long to appear whole in an event id
    long_id = "x" * 120
    ingest(engine, [event("long", "app_opened", now, long_id)], now - timedelta(days=3650))
    _create(engine, "openers", {"event": {"type": "app_opened", "window": {"days": 1}}}, now)
    refresh_segments(engine, None, now - 2 * DAY, "RUB")  # the first fill, before the app was opened
    # when the segment is refreshed after the event, and again when the window has passed
    refresh_segments(engine, None, now, "RUB")
    refresh_segments(engine, None, now + 2 * DAY, "RUB")
    # then there is one event per move, with the family and the way it went
    family = "custom:openers"
    entered = {"family": family, "from": None, "to": "openers", "reason": "matches the segment's rule"}
    exited = {
        "family": family,
        "from": "openers",
        "to": None,
        "reason": "no longer matches the segment's rule",
    }
    assert _move_events(engine) == [
        ("segment_entered", long_id, entered),
        ("segment_exited", long_id, exited),
    ]
