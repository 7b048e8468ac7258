"""Incremental profiles and orders must equal a rebuild from the log, whatever the arrival order."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from tests.helpers import event, ingest, item, rows

from retentio.catalog.models import ProductUpsert
from retentio.catalog.service import do_upsert_products
from retentio.db.metadata import METADATA
from retentio.ingest.rebuild import rebuild_all

START = datetime(2026, 1, 1, tzinfo=UTC)
SKUS = {"A": "coffee", "B": "tea", "C": "coffee", "D": None}
CUSTOMERS = ["c1", "c2", "c3"]

moments = st.integers(min_value=0, max_value=60 * 24 * 90).map(lambda m: START + timedelta(minutes=m))
lines = st.lists(
    st.tuples(st.sampled_from(sorted(SKUS)), st.integers(1, 3), st.integers(1, 50_000)),
    min_size=1,
    max_size=3,
)


@st.composite
def order_history(draw: st.DrawFn, number: int) -> list[dict[str, Any]]:
    customer = draw(st.sampled_from(CUSTOMERS))
    order_id = f"o{number}"
    placed_at = draw(moments)
    items = [item(sku, qty, f"{price / 100:.2f}") for sku, qty, price in draw(lines)]
    total = sum(int(i["quantity"]) * float(i["price"]) for i in items)
    history = [
        event(
            f"{order_id}-placed",
            "order_placed",
            placed_at,
            customer,
            order_id=order_id,
            items=items,
            total=f"{total:.2f}",
            currency="RUB",
            **({"coupon": "X"} if draw(st.booleans()) else {}),
        )
    ]
    later = st.integers(1, 60 * 24 * 20).map(lambda m: placed_at + timedelta(minutes=m))
    if draw(st.booleans()):
        history.append(event(f"{order_id}-paid", "order_paid", draw(later), customer, order_id=order_id))
    if draw(st.integers(0, 4)) == 0:
        history.append(
            event(f"{order_id}-cancel", "order_cancelled", draw(later), customer, order_id=order_id)
        )
    for number_of_return in range(draw(st.integers(0, 2))):
        returned = draw(st.sampled_from(items))
        history.append(
            event(
                f"{order_id}-ret{number_of_return}",
                "order_returned",
                draw(later),
                customer,
                order_id=order_id,
                items=[item(returned["sku"], 1, returned["price"])],
            )
        )
    return history


@st.composite
def activity(draw: st.DrawFn, number: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["product_viewed", "app_opened", "message_opened"]))
    customer = draw(st.sampled_from(CUSTOMERS))
    properties: dict[str, Any] = {
        "product_viewed": {"sku": "A"},
        "app_opened": {"platform": "ios"},
        "message_opened": {"message_id": f"m{number}", "channel": "email"},
    }[kind]
    return event(f"act{number}", kind, draw(moments), customer, **properties)


@st.composite
def arrival(draw: st.DrawFn) -> list[list[dict[str, Any]]]:
    """A random stream: order histories and activity, shuffled, with resent events, in batches."""
    stream: list[dict[str, Any]] = []
    for number in range(draw(st.integers(0, 6))):
        stream.extend(draw(order_history(number)))
    stream.extend(draw(activity(number)) for number in range(draw(st.integers(0, 6))))
    stream = draw(st.permutations(stream))
    resent = draw(st.lists(st.sampled_from(stream), max_size=4)) if stream else []
    stream = stream + resent
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=3)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in pairwise(bounds) if b > a]


def _derived(engine: Engine) -> tuple[list[dict[str, Any]], ...]:
    return rows(engine, "customer_profiles"), rows(engine, "orders"), rows(engine, "order_lines")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=arrival())
def test_incremental_profiles_equal_a_rebuild(
    engine: Engine, now: datetime, batches: list[list[dict[str, Any]]]
) -> None:
    # given a clean store with a small catalogue
    with engine.begin() as connection:
        for table in reversed(METADATA.sorted_tables):
            connection.execute(delete(table))
        do_upsert_products(
            connection,
            [(sku, ProductUpsert(name=sku, category=category)) for sku, category in SKUS.items()],
            now,
            "RUB",
        )
    # when the events arrive in random order and batches, some twice
    for batch in batches:
        ingest(engine, batch, now)
    incremental = _derived(engine)
    with engine.begin() as connection:
        rebuild_all(connection, now, "RUB")
    # then the rebuild from the log gives the same orders and profiles
    assert _derived(engine) == incremental
