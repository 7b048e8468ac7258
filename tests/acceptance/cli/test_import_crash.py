"""SIGKILL the importer in the middle of a run, run it again: no event lost, none stored twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select

from retentio.events.properties import SYSTEM_EVENT_TYPES
from retentio.events.tables import events
from retentio.orders.tables import order_lines, orders

# Segment moves are written to the log by Retentio itself; the file's events are the others.
CLIENT_EVENTS = events.c.type.not_in(sorted(SYSTEM_EVENT_TYPES))

EVENTS = 200_000
ORDER_EVERY = 10  # every tenth event is an order of two lines
BATCH = 2_000
AS_OF = "2026-06-01T12:00:00+00:00"
CLI = "import sys; from retentio.cli import main; sys.argv[0] = 'retentio'; main()"


def _write_events(path: Path) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("wb") as handle:
        for n in range(EVENTS):
            at = (start + timedelta(seconds=97 * n)).isoformat()
            customer = f"c-{n % 20_000}"
            if n % ORDER_EVERY == 0:
                items = [
                    {"sku": "A", "quantity": 1, "price": "10.00"},
                    {"sku": "B", "quantity": 2, "price": "2.50"},
                ]
                properties = {"order_id": f"o-{n}", "items": items, "total": "15.00", "currency": "RUB"}
                document = {
                    "event_id": f"e-{n}",
                    "type": "order_placed",
                    "customer_id": customer,
                    "timestamp": at,
                    "properties": properties,
                }
            else:
                document = {
                    "event_id": f"e-{n}",
                    "type": "product_viewed",
                    "customer_id": customer,
                    "timestamp": at,
                    "properties": {"sku": f"S-{n % 500}"},
                }
            handle.write(orjson.dumps(document) + b"\n")


def _command(database_url: str, path: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        CLI,
        "--database-url",
        database_url,
        "--as-of",
        AS_OF,
        "import",
        "events",
        str(path),
        "--batch-size",
        str(BATCH),
        "--quiet",
        "--json",
    ]


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(events).where(CLIENT_EVENTS)).scalar_one()
        )


def _kill_after_some_batches(process: subprocess.Popen[bytes], engine: Engine) -> int:
    deadline = time.monotonic() + 300
    while _stored(engine) < 10 * BATCH:
        assert process.poll() is None, "the importer ended before it could be killed"
        assert time.monotonic() < deadline, "the importer stored nothing for too long"
        time.sleep(0.02)
    time.sleep(0.1)  # well inside a later batch
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return _stored(engine)


@pytest.mark.slow
def test_an_import_killed_mid_way_and_run_again_stores_every_event_once(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    # given
    path = tmp_path / "events.jsonl"
    _write_events(path)
    process = subprocess.Popen(
        _command(database_url, path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # when
    survived = _kill_after_some_batches(process, engine)
    rerun = subprocess.run(_command(database_url, path), capture_output=True, timeout=600, check=False)
    # then
    assert process.returncode == -signal.SIGKILL
    assert 0 < survived < EVENTS
    assert survived % BATCH == 0  # a batch is committed whole or not at all
    assert rerun.returncode == 0, rerun.stderr.decode()
    summary = json.loads(rerun.stdout)
    assert (summary["duplicates"], summary["accepted"], summary["rejected"]) == (
        survived,
        EVENTS - survived,
        0,
    )
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(events).where(CLIENT_EVENTS)).scalar_one()
        distinct = connection.execute(
            select(func.count(func.distinct(events.c.event_id))).where(CLIENT_EVENTS)
        ).scalar_one()
        stored_orders = connection.execute(select(func.count()).select_from(orders)).scalar_one()
        lines = connection.execute(select(func.count()).select_from(order_lines)).scalar_one()
    assert rows == distinct == EVENTS
    assert (stored_orders, lines) == (EVENTS // ORDER_EVERY, 2 * EVENTS // ORDER_EVERY)
