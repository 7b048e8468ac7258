"""``retentio recs`` as an operator types it: train, show a customer's list with reasons, evaluate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.integration.offers.shop import order, send, tea_shop
from typer.testing import CliRunner

from retentio.cli import app

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def test_train_show_and_evaluate(engine: Engine, env: dict[str, str]) -> None:
    tea_shop(engine, NOW)
    # a third basket for the coffee drinkers, so the evaluation has customers to hide one from
    sent = []
    for c in range(1, 30, 2):
        sent += order(f"c{c:03d}", f"c{c:03d}-x", NOW - timedelta(days=5), ["COFFEE", "MILK"])
    send(engine, sent, NOW)
    at = ["--as-of", NOW.isoformat()]
    shown_before = runner.invoke(app, [*at, "recs", "show", "c001"], env=env)
    assert shown_before.exit_code == 0 and "no trained recommenders yet" in shown_before.output
    trained = runner.invoke(app, [*at, "recs", "train"], env=env)
    assert trained.exit_code == 0, trained.output
    assert "version 1 is current" in trained.output and "items 9" in trained.output
    shown = runner.invoke(
        app, [*at, "recs", "show", "nobody", "--context", "cart", "--sku", "COFFEE"], env=env
    )
    assert shown.exit_code == 0, shown.output
    first = shown.output.splitlines()[0]
    assert "MILK" in first and "bought together with COFFEE" in first
    bad = runner.invoke(app, [*at, "recs", "show", "c001", "--context", "basket"], env=env)
    assert bad.exit_code == 2 and "--context must be one of cart, product, email, home" in bad.output
    evaluated = runner.invoke(app, [*at, "recs", "evaluate"], env=env)
    assert evaluated.exit_code == 0, evaluated.output
    lines = evaluated.output.splitlines()
    assert lines[0] == "18 customers, @10"  # 15 coffee drinkers, and 3 tea drinkers who bought a cake
    assert lines[2].startswith("next basket") and lines[3].startswith("popular (G-TopFreq)")
