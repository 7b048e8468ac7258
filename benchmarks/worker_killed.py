"""``retentio worker`` killed (SIGKILL) at random moments while a simulated shop's events arrive, then
held against a full recomputation: the scenario of ``tests/integration/segments/test_worker_killed.py``
at full size (18,000 customers over 120 days: about a million events, 20 kills).

    python benchmarks/worker_killed.py [--customers 18000] [--days 120] [--kills 20] [--database-url URL]

``--database-url`` names an empty PostgreSQL database (its schema is dropped and migrated here);
without it a fresh SQLite file is used. Prints one figure a line; every ``*_differences`` and
``broken_chains`` must be 0.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from sqlalchemy import Engine, text

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the scenario lives with the tests
from tests.integration.segments.killed_worker import (
    Scenario,
    behind,
    broken_chains,
    kept_and_evaluated,
    kept_and_refreshed,
    prepare,
    run_with_kills,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=18_000)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    scenario = Scenario(customers=args.customers, days=args.days, kills=args.kills)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'killed.db'}"
        engine = _fresh(url)
        print(f"dialect {engine.dialect.name}")
        prepare(engine, scenario)
        run = run_with_kills(engine, url, scenario, Path(folder))
        print(f"events {run.ingested}")
        print(f"kills {run.kills}")
        print(f"kills_while_a_batch_was_half_written {run.amid_writes}")  # looked for on PostgreSQL only
        print(f"runs_that_moved_the_checkpoint {run.progressed}")
        print(f"consumed_after_the_last_kill {run.drained_after}")
        print(f"seconds {run.seconds:.1f}")
        print(f"events_behind {behind(engine)}")
        for what, (kept, recomputed) in kept_and_refreshed(engine, scenario.now).items():
            print(f"{what}_differences {_differences(kept, recomputed)}")
        members, matching = kept_and_evaluated(engine, scenario.now)
        print(f"members_differences {sum(len(members[name] ^ matching[name]) for name in members)}")
        problems = broken_chains(engine)
        print(f"broken_chains {len(problems)}")
        for problem in problems[:10]:
            print(f"# {problem}")
        engine.dispose()


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _differences(kept: dict[str, object], recomputed: dict[str, object]) -> int:
    return sum(kept.get(key) != recomputed.get(key) for key in kept.keys() | recomputed.keys())


if __name__ == "__main__":
    main()
