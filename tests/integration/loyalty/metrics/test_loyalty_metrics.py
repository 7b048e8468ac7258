"""The loyalty figures (ANA-1, ANA-2) against a small programme worked by hand: two members, three
customers outside the programme who ordered, one who never did; every flow of the ledger once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import Engine
from tests.helpers import event, item

from retentio.analytics import Period
from retentio.customers import CustomerUpsert, do_upsert_customers
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.loyalty import (
    EntryKind,
    build_loyalty_report,
    do_accrue,
    do_nightly,
    do_redeem,
    do_reverse,
    load_loyalty_config,
    loyalty_report_document,
)

PERIOD = Period.of(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
INGESTED = datetime(2026, 3, 31, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def order(order_id: str, customer_id: str, when: datetime, total: str) -> dict[str, object]:
    return event(
        f"placed-{order_id}", "order_placed", when, customer_id,
        order_id=order_id, items=[item("SKU", 1, total)], total=total, currency="RUB",
    )  # fmt: skip


@pytest.fixture
def worked(engine: Engine) -> Engine:
    orders = [
        order("a1", "a", at(1, 10), "1000.00"),
        order("a2", "a", at(1, 20), "500.00"),
        order("b1", "b", at(1, 15), "300.00"),
        order("c1", "c", at(2, 1), "200.00"),
        order("c2", "c", at(2, 20), "200.00"),
        order("d1", "d", at(3, 1), "100.00"),
        order("f1", "f", at(3, 2), "100.00"),
    ]
    assert ingest_events(engine, orders, INGESTED, IngestOptions()).accepted == len(orders)
    with engine.begin() as connection:
        do_upsert_customers(connection, [("e", CustomerUpsert())], INGESTED)
        # Before the period: counted as outstanding at its end, not as earned in it.
        do_accrue(connection, "club", "a", 10, "order:old", datetime(2025, 12, 1, tzinfo=UTC))
        do_accrue(connection, "club", "a", 100, "order:a1", at(1, 10))
        do_accrue(connection, "club", "a", 60, "order:a2", at(1, 20))
        do_accrue(connection, "club", "b", 40, "order:b1", at(1, 15), expires_at=at(2, 1))
        do_redeem(connection, "club", "a", 30, "checkout:1", at(2, 5))
        do_redeem(connection, "club", "a", 10, "checkout:2", at(2, 6))
        do_reverse(connection, "club", "a", (EntryKind.REDEMPTION, "checkout:2"), "cancel:2", at(2, 7))
        do_reverse(
            connection, "club", "a", (EntryKind.ACCRUAL, "order:a2"), "return:a2", at(2, 10),
            share=Fraction(1, 2),
        )  # fmt: skip
    do_nightly(engine, at(2, 2), 7)
    return engine


def test_every_figure_matches_the_hand_count(worked: Engine) -> None:
    programme = load_loyalty_config(None).programme("club")
    with worked.connect() as connection:
        report = build_loyalty_report(connection, programme, PERIOD)
    facts = report.facts
    assert (facts.customers, facts.members) == (6, 2)
    assert (facts.earned, facts.returned, facts.redeemed, facts.expired) == (200, 30, 30, 40)
    assert (facts.outstanding, facts.debt) == (110, 0)
    expected = {
        "members": Decimal(2),
        "enrolment_rate": Decimal(2) * 100 / 6,
        "points_earned": Decimal(170),
        "points_redeemed": Decimal(30),
        "redemption_rate": Decimal(30) * 100 / 170,
        "breakage_rate": Decimal(40) * 100 / 170,
        "members_repeat_purchase_rate": Decimal(50),
        "others_repeat_purchase_rate": Decimal(100) / 3,
        "programme_cost": Decimal(30),
        # (1800 / 2 − 600 / 3) × 2 buying members = 1400 more than non-members, less the cost 30.
        "programme_roi": (Decimal(1400) - 30) * 100 / 30,
        "loyalty_rating": Decimal(110) / 1800,
        "bonus_value": Decimal(170) * 100 / 1800,
        "liability": Decimal(110),
    }
    assert {figure.metric.key: figure.value for figure in report.figures} == pytest.approx(expected)


def test_a_programme_nobody_joined_has_undefined_rates_not_errors(engine: Engine) -> None:
    programme = load_loyalty_config(None).programme("club")
    with engine.connect() as connection:
        document = loyalty_report_document(build_loyalty_report(connection, programme, PERIOD))
    assert document["metrics"]["members"] == 0
    assert document["metrics"]["redemption_rate"] is None
    assert document["metrics"]["programme_roi"] is None
    assert document["metrics"]["liability"] == 0.0
    assert set(document["definitions"]) == set(document["metrics"])
