"""``retentio worker`` processes killed (SIGKILL) at random moments while they send email, and
started again: the scenario of ``tests/integration/messaging/test_send_killed.py`` at full size
(100,000 messages, 20 kills; four workers on PostgreSQL, one on SQLite).

    python benchmarks/send_killed.py [--messages 100000] [--kills 20] [--workers N] [--database-url URL]

``--database-url`` names a PostgreSQL database that is emptied here; without it a fresh SQLite file
is used. Prints one figure a line; ``lost``, ``unknown`` and ``mismatched`` must be 0 and
``doubles`` at most ``doubles_allowed`` (a claimed batch per kill).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the scenario lives with the tests
from tests.integration.messaging.killed_sender import BATCH, Scenario, run_with_kills
from tests.integration.messaging.mail_run import fresh_engine


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="default: 4 on PostgreSQL, 1 on SQLite")
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or f"sqlite:///{folder / 'killed.db'}"
        engine = fresh_engine(url)
        workers = args.workers or (4 if engine.dialect.name == "postgresql" else 1)
        scenario = Scenario(messages=args.messages, kills=args.kills, workers=workers)
        run = run_with_kills(engine, url, scenario, folder)
        print(f"dialect {engine.dialect.name}")
        print(f"messages {scenario.messages}")
        print(f"workers {workers}")
        print(f"kills {run.kills}")
        print(f"seconds {run.seconds:.1f}")
        print(f"states {dict(sorted(run.states.items()))}")
        print(f"received {run.received}")
        print(f"lost {len(run.lost)}")
        print(f"unknown {len(run.unknown)}")
        print(f"mismatched {len(run.mismatched)}")
        print(f"doubles {run.doubles}")
        print(f"doubled_messages {run.doubled_messages}")
        print(f"doubles_allowed {run.kills * BATCH}")
        engine.dispose()


if __name__ == "__main__":
    main()
