"""Time-driven moves: nobody sends an event when a customer goes quiet, so the sweep moves them,
each move dated when its threshold was crossed."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect
from tests.helpers import event
from tests.integration.segments.support import count_events, moves, placed, send, standing

from retentio.segments import standing_store
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.refresh import do_sweep, sweep_hook

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def test_a_quiet_customer_slips_to_at_risk_then_churned(engine: Engine) -> None:
    # given one paid order
    send(
        engine,
        [placed("p1", "ann", T0, "o1"), event("pay", "order_paid", T0, "ann", order_id="o1")],
        T0 + timedelta(hours=1),
    )
    # when a sweep comes long after both thresholds
    with engine.begin() as connection:
        do_sweep(connection, T0 + timedelta(days=200), DEFAULT_CONFIG)
    # then both moves are recorded, each at its own threshold
    lifecycle = [m for m in moves(engine, "ann") if m[1] == "lifecycle" and m[0] == "segment_entered"]
    assert lifecycle == [
        ("segment_entered", "lifecycle", "prospect", "new", T0),
        ("segment_entered", "lifecycle", "new", "at_risk", T0 + timedelta(days=60)),
        ("segment_entered", "lifecycle", "at_risk", "churned", T0 + timedelta(days=180)),
    ]
    row = standing(engine, "ann")
    assert (row["lifecycle"], row["lifecycle_since"], row["next_due_at"]) == (
        "churned",
        T0 + timedelta(days=180),
        None,
    )


def test_a_sweep_run_twice_moves_nobody_twice(engine: Engine) -> None:
    send(engine, [placed("p1", "ann", T0, "o1")], T0 + timedelta(hours=1))
    hook = sweep_hook(DEFAULT_CONFIG)
    hook(engine, T0 + timedelta(days=61))
    stored = count_events(engine)
    # when
    hook(engine, T0 + timedelta(days=61))
    hook(engine, T0 + timedelta(days=62))
    # then
    assert count_events(engine) == stored
    assert standing(engine, "ann")["lifecycle"] == "at_risk"


def test_an_unpaid_order_becomes_a_sign_when_its_term_is_over(engine: Engine) -> None:
    send(engine, [placed("p1", "bob", T0, "o1")], T0 + timedelta(hours=1))
    assert standing(engine, "bob")["bad_score"] == 0
    with engine.begin() as connection:
        do_sweep(connection, T0 + timedelta(days=15), DEFAULT_CONFIG)
    row = standing(engine, "bob")
    assert (row["bad_score"], row["bad_reasons"]) == (30, ["1 order(s) not paid within 14 days"])


def test_an_order_after_churn_reactivates(engine: Engine) -> None:
    send(engine, [placed("p1", "ann", T0, "o1")], T0 + timedelta(hours=1))
    with engine.begin() as connection:
        do_sweep(connection, T0 + timedelta(days=190), DEFAULT_CONFIG)
    later = T0 + timedelta(days=200)
    send(engine, [placed("p2", "ann", later, "o2")], later + timedelta(hours=1))
    row = standing(engine, "ann")
    assert (row["lifecycle"], row["lifecycle_since"]) == ("reactivated", later)
    assert ("segment_entered", "lifecycle", "churned", "reactivated", later) in moves(engine, "ann")


def test_a_sweep_that_moves_most_customers_rebuilds_the_due_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two quiet customers, and the rebuild threshold lowered to this small base
    send(engine, [placed("p1", "ann", T0, "o1"), placed("p2", "bob", T0, "o2")], T0 + timedelta(hours=1))
    monkeypatch.setattr(standing_store, "REBUILD_MIN_ROWS", 1)
    # when both slip to at risk in one sweep
    with engine.begin() as connection:
        do_sweep(connection, T0 + timedelta(days=61), DEFAULT_CONFIG)
    # then the moves are made and the index is back (SQLite drops it for the write; PostgreSQL never)
    assert [standing(engine, name)["lifecycle"] for name in ("ann", "bob")] == ["at_risk", "at_risk"]
    assert "ix_customer_standing_next_due_at" in {
        index["name"] for index in inspect(engine).get_indexes("customer_standing")
    }
