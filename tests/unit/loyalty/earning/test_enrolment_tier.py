"""The tier a new member starts with: what the purchases before enrolment reach ("enrolment"), then
what an order at the enrolling instant adds ("upgrade"), so the tier history says which was which."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from retentio.loyalty import Purchase, TierDefinition
from retentio.loyalty.earning.tiers import tier_at_enrolment

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
TIERS = TierDefinition.model_validate(
    {
        "levels": [
            {"id": "base", "threshold": 0},
            {"id": "silver", "threshold": 100},
            {"id": "gold", "threshold": 200},
        ]
    }
)


def test_a_new_customer_starts_at_the_first_level() -> None:
    status, moves = tier_at_enrolment(TIERS, [], AT)
    assert (status.level, status.since, status.anchor, status.confirmed_at) == ("base", AT, AT, AT)
    assert moves == []


def test_history_in_the_window_gives_its_tier_at_enrolment() -> None:
    history = [
        Purchase(AT - timedelta(days=30), Decimal(150)),
        Purchase(AT - timedelta(days=400), Decimal(500)),
    ]
    status, moves = tier_at_enrolment(TIERS, history, AT)
    assert status.level == "silver"  # the purchase 400 days ago has left the year's window
    assert moves == [("base", "silver", "enrolment")]


def test_the_enrolling_order_that_reaches_a_tier_is_an_upgrade() -> None:
    history = [Purchase(AT - timedelta(days=30), Decimal(150)), Purchase(AT, Decimal(60))]
    status, moves = tier_at_enrolment(TIERS, history, AT)
    assert status.level == "gold"
    assert moves == [("base", "silver", "enrolment"), ("silver", "gold", "upgrade")]
