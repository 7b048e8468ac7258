"""Email end to end: ``retentio worker --once`` subprocesses claim, decide (consent, caps, quiet hours,
channel), render, send over SMTP and record N marketing emails, one per customer, into an aiosmtpd
server running in a process of its own (``tests.fakes.smtp_sink``).

The floor, in the same run and into the same server: the same number of messages, already rendered
(the first 1,000 the workers sent, as the server received them, cycled), sent with plain
``smtplib`` over as many connections (threads) as the workers' SMTP pools hold in all.

    python benchmarks/email_send.py [--messages 100000] [--workers 1 4] [--database-url URL]
                                     [--pool-size 4] [--profile]

``--database-url`` names a PostgreSQL database that is emptied for each run; without it a fresh
SQLite file is used (one worker: SQLite has one writer). ``--profile`` runs the (first) worker
under cProfile and prints its top functions to stderr. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import pstats
import smtplib
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the scenario lives with the tests
from tests.fakes.smtp_sink import Kept, SmtpSink
from tests.integration.messaging.mail_run import (
    fresh_engine,
    request_sends,
    seed_customers,
    sent_count,
    settings_file,
    start_worker,
    states,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--pool-size", type=int, default=4, help="SMTP connections per worker")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as name:
            _run(Path(name), args.messages, workers, args.database_url, args.pool_size, args.profile)


def _run(folder: Path, count: int, workers: int, url: str | None, pool_size: int, profile: bool) -> None:
    url = url or f"sqlite:///{folder / 'send.db'}"
    now = datetime.now(UTC)
    engine = fresh_engine(url)
    started = time.perf_counter()
    seed_customers(engine, count, now)
    request_sends(engine, count, now)
    print(f"dialect {engine.dialect.name}")
    print(f"messages {count}")
    print(f"workers {workers}")
    print(f"connections {workers * pool_size}")
    print(f"setup_seconds {time.perf_counter() - started:.1f}")
    with SmtpSink(folder, keep_count=1000) as sink:
        settings = settings_file(folder, sink.host, sink.port, pool_size, now)
        profiled = folder / "worker.prof" if profile else None
        started = time.perf_counter()
        processes = [
            start_worker(
                url,
                settings,
                folder / f"worker-{n}.log",
                f"bench-{n}",
                once=True,
                profile=profiled if n == 0 else None,
            )
            for n in range(workers)
        ]
        # The server's count first (a file), the database only at the end: a count over the
        # messages every 0.2 s costs PostgreSQL a scan (with parallel workers) the workers feel.
        while sink.received() < count and all(p.poll() is None for p in processes):
            time.sleep(0.05)
        while sent_count(engine) < count and all(p.poll() is None for p in processes):
            time.sleep(0.1)
        recorded = time.perf_counter() - started
        for process in processes:
            process.wait()
        exited = time.perf_counter() - started
        for n, process in enumerate(processes):
            assert process.returncode == 0, (folder / f"worker-{n}.log").read_text()[-3000:]
        received = sink.counts()
        print(f"states {dict(sorted(states(engine).items()))}")
        print(f"received {sum(received.values())}")
        print(f"received_twice {sum(1 for n in received.values() if n > 1)}")
        print(f"seconds_until_all_recorded_sent {recorded:.1f}")
        print(f"seconds_until_workers_exited {exited:.1f}")
        rate = count / recorded
        print(f"messages_per_second {rate:.0f}")
        kept = list(sink.kept_messages())
        floor = _floor(sink.host, sink.port, kept, count, workers * pool_size)
        print(f"floor_per_second {floor:.0f}")
        print(f"ratio {rate / floor:.2f}")
    engine.dispose()
    if profiled is not None:
        pstats.Stats(str(profiled), stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        pstats.Stats(str(profiled), stream=sys.stderr).sort_stats("tottime").print_stats(30)


def _floor(host: str, port: int, kept: list[Kept], count: int, connections: int) -> float:
    """Messages a second with ``smtplib``, one connection a thread, the messages shared out."""

    def send(share: int) -> None:
        with smtplib.SMTP(host, port) as client:
            client.ehlo("floor.test")
            for number in range(share):
                message = kept[number % len(kept)]
                client.sendmail(message.mail_from, message.rcpt_tos, message.content)

    shares = [count // connections + (n < count % connections) for n in range(connections)]
    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
