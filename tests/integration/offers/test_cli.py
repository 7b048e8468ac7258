"""The occasions from the command line: the sweep, the learned intervals, and what is coming due
for a customer (a cart waiting, a product running out)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.integration.offers.test_occasions import DAY, T0, cart, order, products, send
from typer.testing import CliRunner

from retentio.cli.app import app
from retentio.customers import CustomerUpsert, do_upsert_customers


def _run(database_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", database_url, "--as-of", T0.isoformat(), *args])
    return result.exit_code, result.output


def test_sweep_intervals_and_a_customers_occasions(engine: Engine, database_url: str) -> None:
    products(engine, T0 - 200 * DAY)
    repeats = [order(f"o{n}", f"c{n % 4}", T0 - (120 - 10 * n) * DAY, ("TEA", 1)) for n in range(12)]
    send(engine, repeats, T0 - 5 * DAY)
    send(engine, [order("a1", "ann", T0 - 25 * DAY, ("SOAP", 1)), cart("k1", "ann", T0, "TEA")], T0)
    with engine.begin() as connection:
        do_upsert_customers(connection, [("ann", CustomerUpsert(birthday=date(1990, 3, 10)))], T0)

    code, output = _run(database_url, "offers", "sweep")
    assert code == 0, output
    assert output.startswith("2 product intervals")

    code, output = _run(database_url, "offers", "replenishment", "--top", "5")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[1].split()[:4] == ["TEA", "40.0", "learned", "8"]
    assert lines[2].split()[:4] == ["SOAP", "30.0", "catalogue", "0"]

    code, output = _run(database_url, "offers", "occasions", "--customer", "ann", "--days", "7")
    assert code == 0, output
    assert output.splitlines() == [
        f"waiting  cart                  ann  due {(T0 + timedelta(hours=1)).isoformat()}  TEA",
        f"upcoming replenishment_due     ann  on {(T0 + 5 * DAY).isoformat()}  SOAP",
        "upcoming birthday              ann  on 2027-03-10",
    ]


def test_a_wrong_settings_file_is_named(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = tmp_path / "occasions.toml"
    wrong.write_text("[birthday]\ndays_before = -1\n")
    monkeypatch.setenv("RETENTIO_OCCASIONS_CONFIG", str(wrong))
    code, output = _run(database_url, "offers", "sweep")
    assert code == 2
    assert "birthday.days_before" in output
