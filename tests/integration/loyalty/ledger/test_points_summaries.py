"""Many customers' points as they stand now, with what the nightly run has not written yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from retentio.loyalty import PointsSummary, do_accrue, do_redeem, points_summaries

from .support import PROGRAMME, add_customers

DAY = timedelta(days=1)


def test_points_stand_as_of_now_with_the_soonest_expiry(engine: Engine, now: datetime) -> None:
    add_customers(engine, ["ann", "bob", "cat"], now)
    with engine.begin() as connection:
        do_accrue(connection, PROGRAMME, "ann", 300, "order:1", now - 2 * DAY, expires_at=now + 20 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 120, "order:2", now - 2 * DAY, expires_at=now + 20 * DAY)
        do_accrue(connection, PROGRAMME, "ann", 100, "order:3", now - 2 * DAY, expires_at=now + 60 * DAY)
        do_redeem(connection, PROGRAMME, "ann", 20, "checkout:1", now - DAY)
        # Pending when written, its return window closed yesterday: available now, nightly run or not.
        do_accrue(connection, PROGRAMME, "ann", 40, "order:4", now - 20 * DAY, active_at=now - DAY)
        do_accrue(connection, PROGRAMME, "ann", 50, "order:5", now - DAY, active_at=now + 5 * DAY)
        # Expired yesterday, not yet written off: no longer counted.
        do_accrue(connection, PROGRAMME, "bob", 70, "order:6", now - 40 * DAY, expires_at=now - DAY)
    with engine.connect() as connection:
        found = points_summaries(connection, PROGRAMME, ["ann", "bob", "cat", "nobody"], now)
    # The redemption took the soonest-expiring lot first: 280 + 120 expire in 20 days.
    assert found["ann"] == PointsSummary(540, 50, 0, 400, now + 20 * DAY)
    assert found["bob"] == PointsSummary(0, 0, 0, 0, None)
    assert set(found) == {"ann", "bob"}
