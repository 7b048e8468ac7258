"""The built-in families from the command line: refresh, sweep, and a customer's standing."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from tests.integration.segments.support import placed, send
from typer.testing import CliRunner

from retentio.cli.app import app

T0 = datetime(2026, 2, 1, tzinfo=UTC)


def _run(database_url: str, at: datetime, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--database-url", database_url, "--as-of", at.isoformat(), *args])
    return result.exit_code, result.output


def test_refresh_sweep_and_standing(engine: Engine, database_url: str) -> None:
    send(
        engine,
        [placed(f"p{n}", f"c{n}", T0 + timedelta(days=n), f"o{n}") for n in range(3)],
        T0 + timedelta(days=3),
    )
    # when
    code, output = _run(database_url, T0 + timedelta(days=3), "segments", "refresh-builtin", "--json")
    # then
    assert code == 0, output
    assert json.loads(output)["rfm_edges"]["buyers"] == 3
    code, output = _run(database_url, T0 + timedelta(days=100), "segments", "sweep", "--json")
    assert code == 0, output
    assert json.loads(output)["changed"] >= 3  # rows written: some customers crossed two thresholds
    code, output = _run(database_url, T0 + timedelta(days=100), "customers", "standing", "c0", "--json")
    assert code == 0, output
    document = json.loads(output)
    assert (document["lifecycle"], document["ladder"]) == ("at_risk", "ready_to_buy")
    assert document["playbook"]["offer"]


def test_unknown_customer_and_wrong_settings_are_refused(database_url: str, tmp_path: Path) -> None:
    code, output = _run(database_url, T0, "customers", "standing", "nobody")
    assert code == 1
    assert "no standing for 'nobody'" in output
    settings = tmp_path / "segments.toml"
    settings.write_text("[lifecycle]\nchurn_days = 1\n", encoding="utf-8")
    code, output = _run(database_url, T0, "segments", "sweep", "--config", str(settings))
    assert code == 2
    assert "at_risk_min_days < churn_days" in output
