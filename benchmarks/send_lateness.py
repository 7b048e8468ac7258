"""Lateness: emails falling due at a steady rate (default 1,000 a second for 30 seconds), sent by
long-running ``retentio worker`` processes (not ``--once``: they sleep until the next due row, woken
by LISTEN/NOTIFY on PostgreSQL) into an SMTP server in a process of its own; prints the p50, p99
and worst of (sent_at − due_at).

The requests are stored before the workers start, due from a few seconds after the workers are up.
The baseline in the same run is the sending alone: the same workers' messages per second, set
against the rate asked (a rate above what the workers can send makes lateness grow without bound).

    python benchmarks/send_lateness.py [--rate 1000] [--seconds 30] [--workers 4] [--database-url URL]
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the scenario lives with the tests
from tests.fakes.smtp_sink import SmtpSink
from tests.integration.messaging.mail_run import (
    fresh_engine,
    message_times,
    request_sends,
    seed_customers,
    sent_count,
    settings_file,
    start_worker,
)

LEAD = timedelta(seconds=15)  # between storing the requests and the first due: the workers start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=1000, help="messages falling due a second")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--pool-size", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    count = args.rate * args.seconds
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or f"sqlite:///{folder / 'late.db'}"
        engine = fresh_engine(url)
        now = datetime.now(UTC)
        seed_customers(engine, count, now)
        first_due = datetime.now(UTC) + LEAD
        request_sends(engine, count, now, lambda n: first_due + timedelta(seconds=(n - 1) / args.rate))
        with SmtpSink(folder) as sink:
            settings = settings_file(folder, sink.host, sink.port, args.pool_size, now)
            workers = [
                start_worker(url, settings, folder / f"worker-{n}.log", f"late-{n}")
                for n in range(args.workers)
            ]
            assert datetime.now(UTC) < first_due, "the workers took longer to start than the lead"
            deadline = time.monotonic() + LEAD.total_seconds() + args.seconds * 20
            sink.wait_for(count, deadline - time.monotonic())  # then the database, once or twice
            while sent_count(engine) < count and time.monotonic() < deadline:
                time.sleep(0.5)
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(60)
        times = message_times(engine)
        engine.dispose()
    sent = [row for row in times if row["sent_at"] is not None]
    late = sorted((row["sent_at"] - row["due_at"]).total_seconds() for row in sent)
    last = max(row["sent_at"] for row in sent)
    span = (last - first_due).total_seconds()
    print(f"dialect {engine.dialect.name}")
    print(f"workers {args.workers}")
    print(f"rate_asked_per_second {args.rate}")
    print(f"messages {count}")
    print(f"sent {len(sent)}")
    print(f"sent_per_second {len(sent) / span:.0f}")
    print(f"ratio_to_rate_asked {len(sent) / span / args.rate:.2f}")
    print(f"lateness_p50_seconds {statistics.median(late):.3f}")
    print(f"lateness_p99_seconds {late[int(len(late) * 0.99) - 1]:.3f}")
    print(f"lateness_max_seconds {late[-1]:.3f}")


if __name__ == "__main__":
    main()
