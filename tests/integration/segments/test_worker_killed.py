"""SIGKILL the worker that keeps segments up to date, again and again while a shop's events arrive,
and restart it: afterwards nothing it kept differs from a full recomputation, and the moves it wrote
form one unbroken chain per customer and family ending where the customer stands.

The size CI runs is below (about 60,000 events and 20 kills); ``benchmarks/worker_killed.py`` runs
the same at a million events."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.integration.segments.custom.reference import evaluate, read_store
from tests.integration.segments.killed_worker import (
    SEGMENTS,
    Scenario,
    behind,
    broken_chains,
    kept_and_evaluated,
    kept_and_refreshed,
    prepare,
    run_with_kills,
)

from retentio.segments.custom.parse import parse_rule


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [Scenario(customers=1_100, days=120, kills=20)], ids=["60k-events"])
def test_a_worker_killed_at_random_moments_keeps_segments_as_a_full_refresh_would(
    engine: Engine, database_url: str, tmp_path: Path, scenario: Scenario
) -> None:
    # given custom segments and a worker that will only consume the log
    prepare(engine, scenario)
    # when the shop's events arrive while workers are killed and restarted, then caught up
    run = run_with_kills(engine, database_url, scenario, tmp_path)
    print(f"\n{run}")
    assert run.kills == scenario.kills
    assert behind(engine) == 0
    # then the standing and signals kept are what deciding everyone afresh gives
    for what, (kept, recomputed) in kept_and_refreshed(engine, scenario.now).items():
        assert kept == recomputed, what
    # and so are the members of every custom segment, by the SQL and by a plain reading of the rules
    kept_members, matching = kept_and_evaluated(engine, scenario.now)
    print({name: len(ids) for name, ids in kept_members.items()})
    assert kept_members == matching
    with engine.connect() as connection:
        store = read_store(connection)
    expected: dict[str, set[str]] = {}
    for name, rule in SEGMENTS.items():
        expected[name] = evaluate(parse_rule(rule), store, scenario.now, expected)
    assert kept_members == expected
    # and every customer's moves form one chain per family, ending where the customer stands
    assert broken_chains(engine) == []
