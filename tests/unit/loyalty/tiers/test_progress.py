"""What a member needs for the next tier, and until when that figure holds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from retentio.loyalty import NextTier, Purchase, TierStatus, next_tier

from .test_evaluation import tiers


def test_the_amount_left_holds_until_the_oldest_counted_purchase_leaves_the_window() -> None:
    history = [
        Purchase(datetime(2026, 2, 1, tzinfo=UTC), Decimal(12000)),
        Purchase(datetime(2026, 5, 1, tzinfo=UTC), Decimal(8000)),
    ]
    base = TierStatus(
        "base",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert next_tier(tiers(), history, base, datetime(2026, 6, 1, tzinfo=UTC)) == NextTier(
        "silver", "spend", Decimal(10000), datetime(2027, 2, 1, tzinfo=UTC)
    )


def test_a_calendar_year_figure_holds_until_the_new_year() -> None:
    base = TierStatus(
        "base",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    progress = next_tier(tiers(window="calendar_year"), [], base, datetime(2026, 6, 1, tzinfo=UTC))
    assert progress == NextTier("silver", "spend", Decimal(30000), datetime(2027, 1, 1, tzinfo=UTC))


def test_at_the_top_there_is_no_next_tier() -> None:
    gold = TierStatus(
        "gold",
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert next_tier(tiers(), [], gold, datetime(2026, 6, 1, tzinfo=UTC)) is None


def test_the_docs_example_before_the_upgrade() -> None:
    enrolled = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
    history = [Purchase(datetime(2026, 2, 1, tzinfo=UTC), Decimal(12000))]
    base = TierStatus("base", enrolled, enrolled, enrolled)
    assert next_tier(tiers(), history, base, datetime(2026, 3, 15, tzinfo=UTC)) == NextTier(
        "silver", "spend", Decimal(18000), datetime(2027, 2, 1, tzinfo=UTC)
    )
