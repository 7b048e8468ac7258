"""``retentio models fit`` and ``retentio models show`` as a user types them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select
from tests.cdnow_events import cdnow_sample_events, ingest_in_batches
from tests.helpers import event, ingest, item
from typer.testing import CliRunner, Result

from retentio.cli import app
from retentio.cli.context import runtime
from retentio.customers.tables import customer_predictions

runner = CliRunner()
AS_OF = "1998-07-01T00:00:00+00:00"  # the end of the CDNOW data


def invoke(arguments: list[str], env: dict[str, str]) -> Result:
    """Run the CLI, then close its engine's pooled connections (the runtime keeps them open)."""
    result = runner.invoke(app, arguments, env=env)
    run = runtime()
    if "engine" in vars(run):
        run.engine.dispose()
    return result


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"RETENTIO_DATABASE_URL": database_url}


@pytest.mark.datasets
def test_fit_prints_one_json_object_and_show_reads_a_customer(
    engine: Engine, env: dict[str, str], now: datetime, datasets_dir: Path
) -> None:
    # given
    ingest_in_batches(engine, cdnow_sample_events(datasets_dir / "CDNOW_sample.txt"), now)

    # when
    fitted = invoke(
        ["--as-of", AS_OF, "models", "fit", "--until", "1997-10-01", "--time-unit", "week", "--json"],
        env=env,
    )

    # then
    assert fitted.exit_code == 0, fitted.output
    document = orjson.loads(fitted.stdout)  # the whole of stdout is one object
    assert set(document) >= {
        "bgnbd",
        "gamma_gamma",
        "customers",
        "repeat_buyers",
        "until",
        "time_unit",
        "predictions_written",
    }
    assert set(document["bgnbd"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(document["gamma_gamma"]) == {"p", "q", "gamma", "log_likelihood"}
    assert round(document["bgnbd"]["r"], 3) == 0.243
    assert round(document["bgnbd"]["alpha"], 3) == 4.414
    assert round(document["bgnbd"]["log_likelihood"], 1) == -9582.4
    assert round(document["gamma_gamma"]["gamma"], 2) == 15.44
    assert round(document["gamma_gamma"]["log_likelihood"], 2) == -4055.92
    assert (document["customers"], document["repeat_buyers"]) == (2357, 946)
    assert (document["until"], document["time_unit"]) == ("1997-10-01", "week")
    assert document["predictions_written"] == 2357
    assert document["computed_at"] == AS_OF

    shown = invoke(["models", "show", "4", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    prediction = orjson.loads(shown.stdout)
    assert prediction["customer_id"] == "4"
    assert round(prediction["p_alive"], 4) == 0.7266
    assert prediction["computed_at"] == AS_OF


def test_fit_without_json_explains_the_parameters(engine: Engine, env: dict[str, str], now: datetime) -> None:
    # given: three customers, two of whom came back
    purchases = [("a", 1, "10.00"), ("a", 20, "12.00"), ("a", 40, "11.00"), ("b", 3, "30.00")]
    _orders(engine, now, [*purchases, ("b", 50, "25.00"), ("c", 5, "8.00")])

    # when
    result = invoke(["--as-of", "1997-04-01", "models", "fit", "--time-unit", "day"], env=env)

    # then
    assert result.exit_code == 0, result.output
    assert "a/(a+b) =" in result.output
    assert "chance a customer drops out after a purchase" in result.output
    assert "mean P(alive)" in result.output
    assert "predictions written  3 " in result.output


@pytest.mark.parametrize(
    ("arguments", "exit_code", "message"),
    [
        (["models", "fit", "--until", "soon"], 2, "'soon' is not a date (YYYY-MM-DD)"),
        (["models", "fit", "--time-unit", "month"], 2, "'month' is not one of 'day', 'week'"),
        (["models", "fit", "--horizon-days", "0"], 2, "--horizon-days"),
        (["--as-of", "2026-06-01", "models", "fit"], 1, "no orders placed before 2026-06-01"),
        (["--as-of", "2026-06-01", "models", "fit", "--until", "2027-01-01"], 1, "is after now"),
        (["models", "show", "nobody"], 1, "no predictions for customer 'nobody'"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    engine: Engine, env: dict[str, str], arguments: list[str], exit_code: int, message: str
) -> None:
    # when
    result = invoke(arguments, env=env)

    # then
    assert result.exit_code == exit_code, result.output
    assert message in " ".join(result.output.replace("│", " ").split())
    assert result.stdout == ""  # errors go to stderr
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(customer_predictions)).scalar() == 0


def _orders(engine: Engine, now: datetime, orders: list[tuple[str, int, str]]) -> None:
    """Orders in USD on days of 1997 (day 1 = 1 January)."""
    events = [
        event(
            f"{customer}-{day}",
            "order_placed",
            datetime(1997, 1, 1, tzinfo=UTC) + timedelta(days=day - 1),
            customer,
            order_id=f"{customer}-{day}",
            items=[item("CD", 1, price)],
            total=price,
            currency="USD",
        )
        for customer, day, price in orders
    ]
    ingest(engine, events, now)
