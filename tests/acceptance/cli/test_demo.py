"""`retentio demo --json`: one JSON object whose figures agree with the store it built."""

from pathlib import Path

import orjson
from sqlalchemy import func, select
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
    # and its order count is the store's count of orders that were not cancelled
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        counted = connection.execute(
            select(func.count())
            .select_from(orders)
            .where(orders.c.placed_at.is_not(None), orders.c.cancelled_at.is_(None))
        ).scalar_one()
    engine.dispose()
    assert document["orders"] == counted
