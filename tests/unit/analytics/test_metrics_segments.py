"""Reports restricted to a segment (custom or built-in) and the built-in segment counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from tests.helpers import event, ingest, item

from retentio.analytics.metrics import Period, build_report, report_document
from retentio.analytics.metrics.segment_filter import UnknownSegment, resolve_segment
from retentio.analytics.metrics.standing import StandingCounts, standing_counts
from retentio.segments.custom.parse import parse_definition
from retentio.segments.custom.service import do_create_segment, do_refresh_segment
from retentio.segments.tables import customer_standing

PERIOD = Period.of(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
NOW = datetime(2026, 4, 1, tzinfo=UTC)


def placed(order_id: str, customer: str, when: str, total: str) -> dict[str, Any]:
    at = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return event(f"placed-{order_id}", "order_placed", at, customer, order_id=order_id,
                 items=[item("X", 1, total)], total=total, currency="RUB")  # fmt: skip


STORE = [
    placed("a1", "a", "2026-02-01T10:00", "100.00"),
    placed("a2", "a", "2026-03-01T10:00", "50.00"),
    placed("b1", "b", "2026-02-10T10:00", "30.00"),
    placed("c1", "c", "2025-10-01T10:00", "20.00"),
    placed("c2", "c", "2026-02-15T10:00", "40.00"),
    placed("c3", "c", "2026-03-15T10:00", "60.00"),
]
STANDING = {  # customer: (rfm, lifecycle, ladder, bad)
    "a": ("Champions", "loyal", "loyal", False),
    "b": ("New", "new", "ready_to_buy", True),
    "c": ("Champions", "active", "loyal", False),
}


def standing_row(customer_id: str, rfm: str, lifecycle: str, ladder: str, bad: bool) -> dict[str, Any]:
    return {"customer_id": customer_id, "rfm_segment": rfm, "lifecycle": lifecycle, "ladder": ladder,
            "bad_score": 3 if bad else 0, "bad_customer": bad, "bad_reasons": [], "do_not_incentivize": bad,
            "reward_propensity": "neutral", "computed_at": NOW}  # fmt: skip


@pytest.fixture
def store(engine: Engine) -> Engine:
    assert ingest(engine, STORE, NOW).accepted == len(STORE)
    with engine.begin() as connection:
        rows = [standing_row(customer, *standing) for customer, standing in STANDING.items()]
        connection.execute(insert(customer_standing), rows)
        definition = parse_definition({"rule": {"field": "profile.orders", "op": ">=", "value": 2}})
        do_create_segment(connection, "repeaters", definition, NOW)
        do_refresh_segment(connection, "repeaters", NOW, "RUB")
    return engine


def test_counts_of_the_built_in_families(store: Engine) -> None:
    with store.connect() as connection:
        counts = standing_counts(connection)
    assert counts == StandingCounts(
        rfm={"Champions": 2, "New": 1},
        lifecycle={"active": 1, "loyal": 1, "new": 1},
        ladder={"loyal": 2, "ready_to_buy": 1},
        bad_customers=1,
    )


def test_counts_of_a_segment_only(store: Engine) -> None:
    with store.connect() as connection:
        counts = standing_counts(connection, {"a", "b"})
    assert counts == StandingCounts(
        rfm={"Champions": 1, "New": 1},
        lifecycle={"loyal": 1, "new": 1},
        ladder={"loyal": 1, "ready_to_buy": 1},
        bad_customers=1,
    )


def test_no_standings_yet_gives_empty_counts(engine: Engine) -> None:
    with engine.connect() as connection:
        assert standing_counts(connection) == StandingCounts({}, {}, {}, 0)


def test_a_store_without_the_standing_table(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("drops a table: only on the per-test SQLite file")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE customer_standing"))
    with engine.connect() as connection:
        assert standing_counts(connection) == StandingCounts()
        with pytest.raises(UnknownSegment, match="not computed"):
            resolve_segment(connection, "rfm:Champions")


@pytest.mark.parametrize(
    ("name", "kind", "members"),
    [
        ("repeaters", "custom", {"a", "c"}),
        ("rfm:Champions", "rfm", {"a", "c"}),
        ("lifecycle:loyal", "lifecycle", {"a"}),
        ("ladder:ready_to_buy", "ladder", {"b"}),
        ("bad:true", "bad", {"b"}),
        ("bad:no", "bad", {"a", "c"}),
        ("rfm:Lost", "rfm", set()),
    ],
)
def test_resolving_a_segment(store: Engine, name: str, kind: str, members: set[str]) -> None:
    with store.connect() as connection:
        selection = resolve_segment(connection, name)
    assert (selection.kind, selection.customer_ids) == (kind, frozenset(members))


@pytest.mark.parametrize(("name", "message"), [("nobody", "no custom segment"), ("colour:red", "family")])
def test_an_unknown_segment_is_refused(store: Engine, name: str, message: str) -> None:
    with store.connect() as connection, pytest.raises(UnknownSegment, match=message):
        resolve_segment(connection, name)


def test_a_report_of_a_custom_segment(store: Engine) -> None:
    # given: repeaters = {a, c}; S = {c}, E = {a, c}, N = {a}
    with store.connect() as connection:
        segment = resolve_segment(connection, "repeaters")
        report = build_report(connection, PERIOD, NOW, segment=segment)
    # then
    assert report.value("retention_rate") == Decimal(100)
    assert report.value("churn_rate") == Decimal(0)
    assert report.value("orders") == 4
    assert report.value("average_order_value") == Decimal("62.5")
    document = report_document(report)
    assert document["segment"] == {"name": "repeaters", "kind": "custom", "customers": 2}
    assert document["segments"] == {
        "rfm": {"Champions": 2},
        "lifecycle": {"active": 1, "loyal": 1},
        "ladder": {"loyal": 2},
        "bad_customers": 0,
    }
    assert list(document["cohorts"]["months"]) == ["2026-02"]
