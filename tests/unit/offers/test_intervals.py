"""Repurchase intervals learned from repeat purchases: per unit bought, the median, a minimum of
repeats, the catalogue's figure first; and when each latest purchase runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from retentio.offers.occasions.intervals import CATALOGUE_SCHEMA, PURCHASE_SCHEMA, learn_intervals
from retentio.offers.occasions.runout import (
    LATEST_SCHEMA,
    due_between,
    ends,
    latest_purchases,
    replenishment_occasions,
)
from retentio.offers.occasions.settings import Replenishment

T0 = datetime(2027, 1, 1, 10, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def purchases(rows: list[tuple[str, str, str, datetime, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PURCHASE_SCHEMA, orient="row")


def test_the_interval_is_the_median_gap_per_unit_with_enough_repeats() -> None:
    rows = [
        # c1 buys one pack every 10 days; c2 buys two packs and comes back after 20 days
        ("c1", "TEA", "o1", T0, 1),
        ("c1", "TEA", "o2", T0 + 10 * DAY, 1),
        ("c1", "TEA", "o3", T0 + 20 * DAY, 1),
        ("c2", "TEA", "o4", T0, 2),
        ("c2", "TEA", "o5", T0 + 20 * DAY, 1),
        # a customer who forgot it for a year moves a median, not a mean
        ("c3", "TEA", "o6", T0, 1),
        ("c3", "TEA", "o7", T0 + 365 * DAY, 1),
        # a second order the same afternoon is no repeat
        ("c4", "TEA", "o8", T0, 1),
        ("c4", "TEA", "o9", T0 + timedelta(hours=3), 1),
        # too few repeats of the mug
        ("c1", "MUG", "o1", T0, 1),
        ("c1", "MUG", "o3", T0 + 20 * DAY, 1),
    ]
    settings = Replenishment(min_repeats=3)
    learned = learn_intervals(purchases(rows), pl.DataFrame(schema=CATALOGUE_SCHEMA), settings)
    assert learned.to_dicts() == [
        {"sku": "TEA", "interval_days": 10.0, "source": "learned", "observations": 4}
    ]


def test_the_catalogues_consumption_days_win_over_what_is_learned() -> None:
    rows = [("c1", "TEA", f"o{i}", T0 + i * 7 * DAY, 1) for i in range(6)]
    catalogue = pl.DataFrame([("TEA", 30.0), ("SOAP", 60.0)], schema=CATALOGUE_SCHEMA, orient="row")
    learned = learn_intervals(purchases(rows), catalogue, Replenishment(min_repeats=1))
    assert learned.select("sku", "interval_days", "source").rows() == [
        ("SOAP", 60.0, "catalogue"),
        ("TEA", 30.0, "catalogue"),
    ]


def latest(rows: list[tuple[str, str, str, datetime, int, datetime]]) -> pl.DataFrame:
    return latest_purchases(pl.DataFrame(rows, schema=LATEST_SCHEMA, orient="row"))


def test_only_the_latest_purchase_runs_out_and_its_quantity_lengthens_it() -> None:
    frame = latest([("c1", "TEA", "o1", T0, 1, T0), ("c1", "TEA", "o2", T0 + 5 * DAY, 3, T0 + 5 * DAY)])
    intervals = pl.DataFrame({"sku": ["TEA"], "interval_days": [10.0]})
    ended = ends(frame, intervals, days_before=3)
    assert ended.select("order_id", "ends_at", "remind_at").rows() == [("o2", T0 + 35 * DAY, T0 + 32 * DAY)]
    due = due_between(ended, T0 + 31 * DAY, T0 + 33 * DAY)
    occasions = replenishment_occasions(due)
    assert [o.event_id for o in occasions] == ["occ:replenishment_due:c1:TEA:o2"]
    assert occasions[0].properties["runs_out_at"] == (T0 + 35 * DAY).isoformat()
    assert due_between(ended, T0 + 32 * DAY, T0 + 40 * DAY).height == 0  # the moment is (after, until]


def test_a_purchase_learnt_of_after_its_reminder_moment_reminds_of_nothing() -> None:
    imported_late = T0 + 40 * DAY
    frame = latest([("c1", "TEA", "o1", T0, 1, imported_late)])
    ended = ends(frame, pl.DataFrame({"sku": ["TEA"], "interval_days": [10.0]}), days_before=3)
    assert due_between(ended, T0, T0 + 60 * DAY).height == 0
