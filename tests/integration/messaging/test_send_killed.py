"""SIGKILL ``retentio worker`` again and again while it sends email, and start it again: no message
is lost, every message ends sent, and a message reaches the server twice only when a kill fell
between the server's acceptance and the commit — then with the same Message-ID, to the same
address, and at most one claimed batch per kill.

One worker on SQLite, four on PostgreSQL (RETENTIO_TEST_DATABASE_URL). The size CI runs is below;
``benchmarks/send_killed.py`` runs 100,000 messages and 20 kills."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.integration.messaging.killed_sender import Scenario, run_with_kills

from retentio.messaging.send.step import RECORD_EVERY


@pytest.mark.slow
def test_workers_killed_while_sending_lose_no_message_and_double_only_what_was_in_flight(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    # given messages asked for and workers sending them (four where PostgreSQL lets them share)
    workers = 4 if engine.dialect.name == "postgresql" else 1
    scenario = Scenario(messages=3_000, kills=6, workers=workers)
    # when workers are killed at random moments and started again until everything is recorded
    run = run_with_kills(engine, database_url, scenario, tmp_path)
    print(f"\n{run.kills} kills, {run.received} received, {run.doubles} doubles, {run.seconds:.1f} s")
    # then every message is recorded sent and reached the server at least once
    assert run.kills == scenario.kills
    assert run.states == {"sent": scenario.messages}
    assert run.lost == []
    # and a double is a copy of a message the database knows, to the same address
    assert run.unknown == []
    assert run.mismatched == []
    assert run.received == scenario.messages + run.doubles
    # and doubles come only from the answers not yet recorded at the kills: two groups at most
    assert run.doubles <= run.kills * 2 * RECORD_EVERY
