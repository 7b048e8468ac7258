"""``retentio offers`` as an operator types it: a customer's decision with its reasons, what they
hold, and the experiment's results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from tests.conftest import NOW
from tests.integration.offers.offer_fixture import DEFAULT, customer, shop
from typer.testing import CliRunner

from retentio.cli import app
from retentio.offers import do_offer

runner = CliRunner()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


def test_show_prints_the_decision_with_its_reasons_and_issues_nothing(
    engine: Engine, env: dict[str, str]
) -> None:
    shop(engine, NOW)
    customer(engine, NOW, "anna", propensity="discount_seeker")
    shown = runner.invoke(
        app, ["--as-of", NOW.isoformat(), "offers", "show", "anna", "--occasion", "viewed"], env=env
    )
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines() == [
        "customer anna",
        "holds: nothing",
        "viewed now: 10 % off, worth 420.00 RUB, valid until 2026-06-05T00:00:00+00:00",
        "  - expected value 42,100 ₽ over 12 months → an offer may cost up to 4,210 ₽",
        "  - a discount-seeker → a discount first",
        "  - 10 % on an average check of 4,200 ₽ ≈ 420 ₽",
    ]
    unknown = runner.invoke(app, ["--as-of", NOW.isoformat(), "offers", "show", "ghost"], env=env)
    assert (unknown.exit_code, unknown.output) == (1, "error: customer_id: no customer 'ghost'\n")
    bad = runner.invoke(
        app, ["--as-of", NOW.isoformat(), "offers", "show", "anna", "--occasion", "easter"], env=env
    )
    assert bad.exit_code == 1 and "unknown occasion 'easter'" in bad.output


def test_results_print_every_arm_with_intervals(engine: Engine, env: dict[str, str]) -> None:
    shop(engine, NOW)
    for n in range(12):
        customer(engine, NOW, f"c{n}", orders=1)
    with engine.begin() as connection:
        for n in range(12):
            do_offer(connection, DEFAULT, f"c{n}", "win_back", "2026-06", NOW)
    later = (NOW + timedelta(days=20)).isoformat()
    result = runner.invoke(app, ["--as-of", later, "offers", "results", "--occasion", "win_back"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        "win_back: experiment win-back-2026, conversion = an order within 14 days;"
        " money in RUB; intervals 95 %"
    )
    assert [line.split()[0] for line in lines[2:]] == ["holdout", "policy", "flat_10"]
    assert sum(int(line.split()[1]) for line in lines[2:]) == 12
    assert "0.0% [0.0%," in lines[3]
    none = runner.invoke(app, ["--as-of", later, "offers", "results", "--occasion", "cart"], env=env)
    assert none.output == "no experiments for cart\n"
