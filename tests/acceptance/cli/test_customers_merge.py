"""``retentio customers merge`` as an operator types it: the whole change, segments included."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.helpers import rows
from tests.merge_fixture import (
    MEMBERS_AFTER_MERGE,
    MERGED,
    MOVES_AFTER_MERGE,
    SURVIVOR,
    activity_owners,
    build_pair,
    members,
    moves,
)
from typer.testing import CliRunner

from retentio.cli import app

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def test_merge_moves_history_and_brings_every_segment_up_to_date(engine: Engine, env: dict[str, str]) -> None:
    # given two records of anna, each a new customer in the custom segment "buyers"
    build_pair(engine, NOW)
    # when
    result = runner.invoke(app, ["--as-of", NOW.isoformat(), "customers", "merge", SURVIVOR, MERGED], env=env)
    # then
    assert result.exit_code == 0, result.output
    assert result.output == f"merged {MERGED} into {SURVIVOR}: 1 events moved\n"
    assert activity_owners(engine) == {"o1": SURVIVOR, "o2": SURVIVOR}
    assert [(row["order_id"], row["customer_id"]) for row in rows(engine, "orders")] == [
        ("o1", SURVIVOR),
        ("o2", SURVIVOR),
    ]
    assert [row["customer_id"] for row in rows(engine, "customer_profiles")] == [SURVIVOR]
    assert [row["customer_id"] for row in rows(engine, "customer_signals")] == [SURVIVOR]
    assert [
        (row["customer_id"], row["lifecycle"], row["ladder"]) for row in rows(engine, "customer_standing")
    ] == [(SURVIVOR, "new", "loyal")]
    assert moves(engine) == MOVES_AFTER_MERGE
    assert members(engine) == MEMBERS_AFTER_MERGE


def test_a_refused_merge_changes_nothing(engine: Engine, env: dict[str, str]) -> None:
    # given
    build_pair(engine, NOW)
    before = {name: rows(engine, name) for name in ("customers", "events", "customer_standing")}
    # when anna-shop is merged into a customer that does not exist
    result = runner.invoke(app, ["--as-of", NOW.isoformat(), "customers", "merge", "ghost", MERGED], env=env)
    # then
    assert result.exit_code == 2
    assert result.output == "error: customer 'ghost' does not exist\n"
    assert {name: rows(engine, name) for name in before} == before
