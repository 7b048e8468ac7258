"""After any stream of events and clock moves, the standing kept batch by batch (the reaction and the
sweep) equals deciding every customer afresh from the log at the end; RFM against the stored edges."""

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from tests.helpers import event, rows
from tests.integration.segments.support import placed, send

from retentio.db.metadata import METADATA
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.inputs import Signals
from retentio.segments.refresh import do_refresh_standing, do_sweep
from retentio.segments.signals_store import load_signals, rebuild_signals
from retentio.segments.tables import customer_standing

START = datetime(2026, 1, 1, tzinfo=UTC)
CUSTOMERS = ("c1", "c2", "c3")
BOOKKEEPING = ("computed_at", "lifecycle_since", "ladder_since")
KINDS = (
    "order", "order", "pay", "cancel", "return", "view", "content", "cart", "search", "complaint", "review",
    "nps", "open", "visit", "identify",
)  # fmt: skip


@st.composite
def activity(
    draw: st.DrawFn, step: int, clock: datetime, orders: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """A few events of one batch, some up to ten days late."""
    batch: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 5))):
        key = f"s{step}-{number}"
        customer = draw(st.sampled_from(CUSTOMERS))
        at = clock - timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
        kind = draw(st.sampled_from(KINDS))
        if kind == "order":
            order_id = f"o{key}"
            coupon = draw(st.sampled_from([None, "A", "B", "C", "D", "E"]))
            extra = {"coupon": coupon, "discount": "10.00"} if coupon else {}
            batch.append(
                placed(key, customer, at, order_id, total=f"{draw(st.integers(1, 900))}.00", **extra)
            )
            orders.append((order_id, customer))
        elif kind in ("pay", "cancel", "return") and orders:
            order_id, owner = draw(st.sampled_from(orders))
            if kind == "return":
                items = [{"sku": "SKU-1", "quantity": 1, "price": "1.00"}]
                batch.append(event(key, "order_returned", at, owner, order_id=order_id, items=items))
            else:
                batch.append(
                    event(
                        key, f"order_{'paid' if kind == 'pay' else 'cancelled'}", at, owner, order_id=order_id
                    )
                )
        elif kind == "visit":
            batch.append(event(key, "content_viewed", at, anonymous_id=f"v-{customer}", url="/a"))
        elif kind == "identify":
            batch.append(event(key, "identify", at, customer, anonymous_id=f"v-{customer}"))
        else:
            batch.append(_behaviour(key, kind, customer, at, draw(st.integers(0, 10))))
    return batch


def _behaviour(key: str, kind: str, customer: str, at: datetime, number: int) -> dict[str, Any]:
    properties: dict[str, dict[str, Any]] = {
        "view": {"sku": "SKU-1"},
        "content": {"url": "/guide"},
        "cart": {"cart_id": key, "items": [{"sku": "SKU-1", "quantity": 1, "price": "1.00"}]},
        "search": {"query": "tea"},
        "complaint": {"message_id": key, "channel": "email"},
        "review": {"rating": max(1, number // 2)},
        "nps": {"score": number},
        "open": {"message_id": key, "channel": ["email", "sms", "push"][number % 3]},
    }
    types = {
        "view": "product_viewed", "content": "content_viewed", "cart": "cart_updated", "search": "search",
        "complaint": "message_complained", "review": "review_submitted", "nps": "nps_answered",
        "open": "message_opened",
    }  # fmt: skip
    if kind not in types:  # a payment, cancellation or return before any order: a product view instead
        kind = "view"
    return event(key, types[kind], at, customer, **properties[kind])


@st.composite
def history(draw: st.DrawFn) -> list[tuple[str, Any, datetime]]:
    """Steps of (what, events, clock): batches, sweeps and refreshes, the clock moving forward."""
    clock, orders, steps = START, [], []
    for step in range(draw(st.integers(1, 7))):
        clock += timedelta(minutes=draw(st.integers(0, 60 * 24 * 150)))
        what = draw(st.sampled_from(["batch", "batch", "batch", "sweep", "refresh"]))
        batch = draw(activity(step, clock, orders)) if what == "batch" else None
        steps.append((what, batch, clock))
    return steps


def _standing(engine: Engine) -> list[dict[str, Any]]:
    return rows(engine, "customer_standing", drop=BOOKKEEPING)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=history())
def test_incremental_standing_equals_a_full_recomputation(
    engine: Engine, steps: list[tuple[str, Any, datetime]]
) -> None:
    # given a clean store
    with engine.begin() as connection:
        for table in reversed(METADATA.sorted_tables):
            connection.execute(delete(table))
    # when the stream arrives batch by batch, with sweeps and refreshes as the clock moves
    for what, batch, clock in steps:
        if what == "batch":
            send(engine, batch, clock)
        else:
            with engine.begin() as connection:
                if what == "sweep":
                    do_sweep(connection, clock, DEFAULT_CONFIG)
                else:
                    do_refresh_standing(connection, clock, DEFAULT_CONFIG)
    end = steps[-1][2] + timedelta(days=1)
    with engine.begin() as connection:
        do_sweep(connection, end, DEFAULT_CONFIG)
    incremental = _standing(engine)
    customers = [row["customer_id"] for row in rows(engine, "customer_profiles")]
    with engine.begin() as connection:
        kept = load_signals(connection, customers)
        # then the signals kept batch by batch equal those read back from the log
        rebuilt = rebuild_signals(connection, customers, end, 14)
        assert {customer: kept.get(customer, Signals()) for customer in customers} == rebuilt
        # and deciding everyone afresh, against the stored RFM edges, gives the same standing
        connection.execute(delete(customer_standing))
        do_refresh_standing(connection, end, DEFAULT_CONFIG, everyone=True, keep_edges=True, record=False)
    assert _standing(engine) == incremental
