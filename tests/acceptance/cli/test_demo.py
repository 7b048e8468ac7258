"""`retentio demo --json`: one JSON object whose figures agree with the store it built."""

from pathlib import Path

import orjson
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from retentio.cli import app
from retentio.db.engine import make_engine
from retentio.orders.tables import orders


def test_demo_prints_one_object_that_matches_its_store(tmp_path: Path) -> None:
    # given a small simulated store
    database = tmp_path / "demo.db"
    # when
    result = CliRunner().invoke(
        app, ["demo", "--db", str(database), "--customers", "150", "--days", "30", "--seed", "3", "--json"]
    )
    # then stdout is exactly one JSON object with the promised keys
    assert result.exit_code == 0, result.output
    document = orjson.loads(result.stdout)
    for key in ("customers", "buyers", "orders", "revenue", "average_order_value", "repeat_purchase_rate"):
        assert key in document
    assert document["events_rejected"] == 0
    assert 0 < document["buyers"] <= document["customers"] <= 150
    assert set(document["report"]["segments"]) == {"rfm", "lifecycle", "ladder", "bad_customers"}
    assert sum(document["lifecycle_moves"].values()) > 0
    # and the shop ran its loyalty programme: customers joined, earned and spent points at checkout
    [programme] = document["loyalty"]
    figures = programme["metrics"]
    assert 0 < figures["members"] < document["customers"]  # most join, not all
    assert figures["points_earned"] > 0 and figures["points_redeemed"] > 0
    assert set(programme["definitions"]) == set(figures)
    # and offers came due, each counted in the log, with what the policy would give for them
    offers = document["offers"]
    assert offers["announced"]["viewed"] > 0 and offers["announced"]["cart"] > 0
    previewed = sum(row["customers"] for row in offers["would_give"])
    assert 0 < previewed <= sum(offers["announced"].values())
    assert {row["occasion"] for row in offers["would_give"]} <= set(offers["announced"])
    # and the recommenders were trained: a customer's email list, each item with its reason
    listed = offers["recommended"]["items"]
    assert listed and all(item["reason"] for item in listed)
    # and its order count is the store's count of orders that were not cancelled
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        counted = connection.execute(
            select(func.count())
            .select_from(orders)
            .where(orders.c.placed_at.is_not(None), orders.c.cancelled_at.is_(None))
        ).scalar_one()
        committed = connection.execute(
            text("SELECT COUNT(*) FROM checkout_reservations WHERE state = 'committed'")
        ).scalar_one()
        coupons_used = connection.execute(
            text("SELECT COUNT(*) FROM coupon_uses WHERE state = 'committed'")
        ).scalar_one()
        due = connection.execute(
            text("SELECT COUNT(*) FROM events WHERE type IN ('offer_due', 'replenishment_due')")
        ).scalar_one()
    engine.dispose()
    assert document["orders"] == counted
    assert sum(offers["announced"].values()) == due
    # every order went through the checkout, and the coupons customers typed were redeemed there
    assert 0 < committed <= counted + document["cancelled_orders"] and coupons_used > 0
