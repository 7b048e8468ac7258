"""The log's consumers through the command line: imports catch up inline with the settings in force,
backfills are marked as history, and ``retentio worker`` shows and closes the lag."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from retentio.cli.app import app
from retentio.cli.context import runtime
from retentio.events.tables import events

Cli = Callable[..., Result]
AS_OF = "2026-06-01T12:00:00+00:00"


@pytest.fixture
def retentio(database_url: str) -> Callable[..., Result]:
    """``retentio(*arguments, env=...)`` runs the command line in-process against the test's database."""
    runner = CliRunner()

    def invoke(*arguments: str, env: dict[str, str] | None = None) -> Result:
        result = runner.invoke(app, ["--database-url", database_url, "--as-of", AS_OF, *arguments], env=env)
        runtime().engine.dispose()
        return result

    return invoke


def _orders_file(tmp_path: Path, day: str) -> Path:
    path = tmp_path / "events.jsonl"
    lines = [
        {
            "event_id": f"o-{customer}",
            "type": "order_placed",
            "customer_id": customer,
            "timestamp": f"{day}T10:00:00Z",
            "properties": {
                "order_id": f"order-{customer}",
                "items": [{"sku": "A", "quantity": 1, "price": "10.00"}],
                "total": "10.00",
                "currency": "RUB",
            },
        }
        for customer in ("anna", "boris", "vera")
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def _moves(engine: Engine, **marks: bool) -> int:
    query = select(func.count()).where(events.c.type.in_(["segment_entered", "segment_exited"]))
    for name, value in marks.items():
        query = query.where(events.c[name] == value)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def test_an_import_follows_the_segment_settings_in_force(
    retentio: Cli, tmp_path: Path, engine: Engine
) -> None:
    # given settings that record no move events
    settings = tmp_path / "segments.toml"
    settings.write_text("move_events = []\n")
    # when events are imported with them in force, and the built-in families refreshed
    imported = retentio(
        "import", "events", str(_orders_file(tmp_path, "2026-05-30")), "--quiet",
        env={"RETENTIO_SEGMENTS_CONFIG": str(settings)},
    )  # fmt: skip
    refreshed = retentio("segments", "refresh-builtin", env={"RETENTIO_SEGMENTS_CONFIG": str(settings)})
    # then neither the import's consumer nor the refresh wrote a move event
    assert imported.exit_code == 0, imported.output
    assert refreshed.exit_code == 0, refreshed.output
    assert _moves(engine) == 0


def test_an_import_with_the_defaults_records_the_moves(retentio: Cli, tmp_path: Path, engine: Engine) -> None:
    # when
    result = retentio("import", "events", str(_orders_file(tmp_path, "2026-05-30")), "--quiet")
    # then: the consumer caught up inline, its moves are derived and current
    assert result.exit_code == 0, result.output
    assert _moves(engine, derived=True, historical=False) > 0
    assert _moves(engine, derived=False) == 0


def test_old_events_and_their_moves_are_history(retentio: Cli, tmp_path: Path, engine: Engine) -> None:
    # when events from a year before "now" are imported
    result = retentio("import", "events", str(_orders_file(tmp_path, "2025-05-30")), "--quiet")
    # then they and every move they caused are marked as history
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        sent = connection.execute(select(events.c.historical).where(events.c.derived.is_(False))).scalars()
        assert set(sent) == {True}
    assert _moves(engine) > 0
    assert _moves(engine, historical=False) == 0


def test_a_backfill_of_recent_events_is_history_when_asked(
    retentio: Cli, tmp_path: Path, engine: Engine
) -> None:
    # when recent events are imported as a backfill
    result = retentio(
        "import", "events", str(_orders_file(tmp_path, "2026-05-31")), "--quiet", "--historical"
    )
    # then nothing of it may trigger anything
    assert result.exit_code == 0, result.output
    assert _moves(engine) > 0
    with engine.connect() as connection:
        assert set(connection.execute(select(events.c.historical)).scalars()) == {True}


def test_the_history_cut_off_is_a_setting(retentio: Cli, tmp_path: Path, engine: Engine) -> None:
    # when a year-old event arrives with no cut-off
    result = retentio(
        "import", "events", str(_orders_file(tmp_path, "2025-05-30")), "--quiet",
        env={"RETENTIO_HISTORY_CUTOFF_HOURS": "0"},
    )  # fmt: skip
    # then it is not history
    assert result.exit_code == 0, result.output
    with engine.connect() as connection:
        assert set(connection.execute(select(events.c.historical)).scalars()) == {False}


def test_worker_status_shows_the_lag_and_the_worker_closes_it(
    retentio: Cli, tmp_path: Path, engine: Engine
) -> None:
    # given events stored through the API path (no inline consumer): three orders
    from retentio.clock import parse_instant
    from retentio.ingest.pipeline import IngestOptions, ingest_events

    raw = [json.loads(line) for line in _orders_file(tmp_path, "2026-05-30").read_text().splitlines()]
    assert ingest_events(engine, raw, parse_instant(AS_OF), IngestOptions()).accepted == 3
    # when
    before = retentio("worker", "status")
    worked = retentio("worker", "--once")
    after = retentio("worker", "status")
    # then
    assert before.exit_code == 0, before.output
    assert "segments" in before.output
    assert "3 events behind" in before.output
    assert worked.exit_code == 0, worked.output
    assert "0 events behind" in after.output
    assert _moves(engine) > 0
