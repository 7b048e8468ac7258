"""Issue 9's performance goals for the log's consumers, each against a baseline in the same run.

1. Ingest keeps ≥ 0.9 of its throughput while the segments consumer runs beside it in another
   process (``run_until_stopped``, as ``retentio worker`` runs it): ingest alone and with the consumer
   process, alternated ``--pairs`` times over ``--throughput-events`` events (medians), and once more
   at ``--events``.
2. End to end, ``--events`` events (default 1,000,000) ingested and every segment move made. New
   design: ingest in this process, the consumer in another, until the consumer has caught up. Old
   design (before issue 9), emulated: one process, and each batch's transaction runs the segments
   consumer over the batch right after the append, on the same connection, before the commit. Both
   end with every customer at the same stages (``standing_stages_digest``: lifecycle, ladder, bad
   score, RFM); since when (``standing_since_digest``) and how many moves were written depend on
   how far behind the consumer ran (docs/benchmarks.md says why).
3. PostgreSQL only: consumer lag at a steady rate, each of ``--lag-rates`` events a second
   (batches of ``--lag-batch`` from a paced writer): for every event, the wall time at which the consumer
   committed the checkpoint covering it, less the time the writer's transaction committed it.
4. Floors: the database alone writing the same rows, already shaped, into the ``events`` table
   (the product's own append statement; PostgreSQL also ``COPY``), reading them back by position,
   and the segments consumer alone (in its own process) catching up with the ingested log while
   nothing else runs.

Events come from ``_synthetic.store_events`` (one customer per 5 events: sessions of views and
carts, some ending in an order and a payment), ingested 10,000 a transaction. PostgreSQL runs in
a database of its own (``bench_consumers_<pid>``), created on the ``--postgres-url`` server and dropped
at the end; SQLite in fresh files.

    python benchmarks/consumers.py [--events 1000000] [--end-to-end-pairs 1] [--skip-alone]
        [--throughput-events 200000] [--pairs 2] [--lag-seconds 60] [--lag-rates 10000]
        [--lag-batch 1000] [--dialects postgresql,sqlite] [--postgres-url URL]

Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SegmentsConsumer

try:
    from benchmarks import _consumer_process as process
    from benchmarks import _consumer_runs as runs
    from benchmarks._synthetic import store_events
except ImportError:  # run as a script from the benchmarks folder
    import _consumer_process as process  # type: ignore[no-redef]
    import _consumer_runs as runs  # type: ignore[no-redef]
    from _synthetic import store_events  # type: ignore[no-redef]

BATCH = 10_000
CATCH_UP_TIMEOUT = 3_600.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000, help="end to end (goal 2)")
    parser.add_argument("--throughput-events", type=int, default=200_000, help="goal 1, each run")
    parser.add_argument("--pairs", type=int, default=2, help="goal 1: alone/with runs, alternated; 0 skips")
    parser.add_argument(
        "--end-to-end-pairs", type=int, default=1, help="goal 2: new/old runs, alternated; 0 skips it"
    )
    parser.add_argument(
        "--skip-alone", action="store_true", help="no floors, ingest alone or consumer alone at --events"
    )
    parser.add_argument("--lag-seconds", type=float, default=60.0, help="each rate; 0 skips goal 3")
    parser.add_argument("--lag-rates", default="10000", help="events a second, comma-separated")
    parser.add_argument("--lag-batch", type=int, default=1_000)
    parser.add_argument("--dialects", default="postgresql,sqlite")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    lag_rates = [int(rate) for rate in args.lag_rates.split(",")]
    lag_events = int(args.lag_seconds * max(lag_rates))
    stream = store_events(max(args.events, args.throughput_events, lag_events), max(args.events // 5, 1))
    now = datetime.fromisoformat(stream[args.events - 1]["timestamp"]) + timedelta(days=1)
    print(f"date {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"load_average_1m {os.getloadavg()[0]:.2f}")
    print(f"commit {_commit()}")
    for dialect in args.dialects.split(","):
        with _databases(dialect, args.postgres_url) as fresh:
            bench = Bench(dialect, fresh, now)
            if not args.skip_alone:
                bench.floors(stream[: args.events])
            if args.end_to_end_pairs:
                bench.end_to_end(stream[: args.events], args.end_to_end_pairs, alone=not args.skip_alone)
            if args.pairs:
                bench.throughput(stream[: args.throughput_events], args.pairs)
            for rate in lag_rates if dialect == "postgresql" and args.lag_seconds > 0 else []:
                bench.lag(stream[: int(args.lag_seconds * rate)], rate, args.lag_batch)


@dataclass
class Bench:
    dialect: str
    fresh: Callable[[], str]  # the URL of an empty, migrated database
    now: datetime

    def say(self, name: str, value: object) -> None:
        print(f"{self.dialect}_{name} {value}", flush=True)

    def spent(
        self, run: str, used: process.Spent, consumer_cpu: float | None = None, ingest: bool = True
    ) -> None:
        """Where the run's CPU went; the server's is its backends for this database."""
        if ingest:
            self.say(f"{run}_ingest_process_cpu_seconds", f"{used.own_cpu:.1f}")
        if consumer_cpu is not None:
            self.say(f"{run}_consumer_process_cpu_seconds", f"{consumer_cpu:.1f}")
        if self.dialect == "postgresql":
            self.say(f"{run}_server_cpu_seconds", f"{used.server_cpu:.1f}")
        self.say(f"{run}_machine_busy_share", f"{used.machine_busy_share:.2f}")

    # ---- goal 4: what the database alone does ---------------------------------------------

    def floors(self, stream: list[dict[str, Any]]) -> None:
        count = len(stream)
        self.say("floor_rows", count)
        seconds = runs.append_floor(self.fresh(), stream, self.now)
        self.say("floor_append_statement_rows_per_second", f"{count / seconds:.0f}")
        if self.dialect == "postgresql":
            seconds = runs.copy_floor(self.fresh(), stream, self.now)
            self.say("floor_copy_rows_per_second", f"{count / seconds:.0f}")

    # ---- goal 2 (and goal 1 at full size) -----------------------------------------------------

    def end_to_end(self, stream: list[dict[str, Any]], pairs: int, alone: bool) -> None:
        count = len(stream)
        self.say("end_to_end_events", count)
        self.say("end_to_end_pairs", pairs)
        alone_seconds = self._ingest_alone(stream, then_consume=True) if alone else None
        new: list[WithConsumer] = []
        old: list[float] = []
        for pair in range(pairs):
            suffix = f"_{pair}" if pair else ""
            new.append(self._ingest_with_consumer(stream, f"new_design{suffix}"))
            old.append(self._old_design(stream, f"old_design{suffix}"))
        new_total = statistics.median(run.total for run in new)
        new_ingest = statistics.median(run.ingest for run in new)
        old_total = statistics.median(old)
        if alone_seconds is not None:
            self.say("ingest_alone_events_per_second", f"{count / alone_seconds:.0f}")
            self.say("ingest_kept_with_consumer_process", f"{alone_seconds / new_ingest:.3f}")
        self.say("new_design_ingest_events_per_second", f"{count / new_ingest:.0f}")
        self.say("new_design_seconds", f"{new_total:.1f}")
        self.say("new_design_events_per_second", f"{count / new_total:.0f}")
        self.say("old_design_seconds", f"{old_total:.1f}")
        self.say("old_design_events_per_second", f"{count / old_total:.0f}")
        self.say("new_over_old_seconds_ratio", f"{new_total / old_total:.3f}")
        if pairs > 1:
            ratios = [run.total / seconds for run, seconds in zip(new, old, strict=True)]
            self.say("new_over_old_seconds_ratio_min", f"{min(ratios):.3f}")
            self.say("new_over_old_seconds_ratio_max", f"{max(ratios):.3f}")

    def _ingest_alone(self, stream: list[dict[str, Any]], then_consume: bool) -> float:
        url = self.fresh()
        engine = make_engine(url)
        before = process.usage(engine)
        seconds = _timed(lambda: _ingest(engine, stream, self.now))
        if then_consume:
            self.spent("ingest_alone", process.spent(before, process.usage(engine)))
            self.say("floor_read_by_position_rows_per_second", f"{len(stream) / runs.read_floor(engine):.0f}")
            self._consume_alone(url, engine, len(stream))
        engine.dispose()
        return seconds

    def _consume_alone(self, url: str, engine: Engine, count: int) -> None:
        """The consumer process started on the ingested log, with nothing else running."""
        consumer = process.ConsumerProcess(url, self.now, record=False)
        consumer.start()
        before = process.usage(engine)
        seconds = process.wait_until_caught_up(engine, consumer, CATCH_UP_TIMEOUT)
        used = process.spent(before, process.usage(engine))
        finished = consumer.stop()
        self.say("consumer_alone_events_per_second", f"{count / seconds:.0f}")
        self.spent("consumer_alone", used, finished.cpu_seconds, ingest=False)
        self._standing("consumer_alone", engine)

    def _ingest_with_consumer(self, stream: list[dict[str, Any]], run: str) -> WithConsumer:
        url = self.fresh()
        engine = make_engine(url)
        consumer = process.ConsumerProcess(url, self.now, record=False)
        consumer.start()
        before = process.usage(engine)
        ingest = _timed(lambda: _ingest(engine, stream, self.now))
        behind = process.events_behind(engine)
        catching_up = process.wait_until_caught_up(engine, consumer, CATCH_UP_TIMEOUT)
        used = process.spent(before, process.usage(engine))
        finished = consumer.stop()
        self.say(f"{run}_ingest_seconds_this_run", f"{ingest:.1f}")
        self.say(f"{run}_consumer_behind_when_ingest_ended", behind)
        self.say(f"{run}_consumer_caught_up_after_ingest_seconds", f"{catching_up:.1f}")
        self.spent(run, used, finished.cpu_seconds)
        if run.startswith("new_design"):
            self._standing(run, engine)
        engine.dispose()
        return WithConsumer(ingest, ingest + catching_up)

    def _old_design(self, stream: list[dict[str, Any]], run: str) -> float:
        engine = make_engine(self.fresh())
        before = process.usage(engine)
        seconds = _timed(lambda: runs.ingest_old_design(engine, stream, self.now, _segments()))
        self.say(f"{run}_seconds_this_run", f"{seconds:.1f}")
        self.spent(run, process.spent(before, process.usage(engine)))
        self._standing(run, engine)
        engine.dispose()
        return seconds

    def _standing(self, run: str, engine: Engine) -> None:
        standing = runs.standing_digest(engine)
        self.say(f"{run}_standing_rows", standing.rows)
        self.say(f"{run}_standing_stages_digest", standing.stages)
        self.say(f"{run}_standing_since_digest", standing.since)
        self.say(f"{run}_move_events", standing.moves)

    # ---- goal 1: alternated pairs -----------------------------------------------------------

    def throughput(self, stream: list[dict[str, Any]], pairs: int) -> None:
        count = len(stream)
        alone: list[float] = []
        beside: list[float] = []
        for pair in range(pairs):
            alone.append(self._ingest_alone(stream, then_consume=False))
            beside.append(self._ingest_with_consumer(stream, f"pair_{pair}_with_consumer").ingest)
        kept = [a / b for a, b in zip(alone, beside, strict=True)]
        self.say("throughput_events", count)
        self.say("throughput_pairs", pairs)
        self.say("throughput_ingest_alone_events_per_second", f"{count / statistics.median(alone):.0f}")
        self.say(
            "throughput_ingest_with_consumer_process_events_per_second",
            f"{count / statistics.median(beside):.0f}",
        )
        self.say(
            "throughput_kept_with_consumer_process",
            f"{statistics.median(alone) / statistics.median(beside):.3f}",
        )
        self.say("throughput_kept_min", f"{min(kept):.3f}")
        self.say("throughput_kept_max", f"{max(kept):.3f}")

    # ---- goal 3 -----------------------------------------------------------------------------

    def lag(self, stream: list[dict[str, Any]], rate: int, batch: int) -> None:
        url = self.fresh()
        engine = make_engine(url)
        consumer = process.ConsumerProcess(url, None, record=True)
        consumer.start()
        before = process.usage(engine)
        written = runs.paced_writer(engine, stream, rate, batch)
        catching_up = process.wait_until_caught_up(engine, consumer, CATCH_UP_TIMEOUT)
        used = process.spent(before, process.usage(engine))
        finished = consumer.stop()
        lags = runs.lags(engine, written.committed, finished.commits)
        engine.dispose()
        lag = f"lag_{rate}"  # the figures of this rate
        self.say(f"{lag}_target_events_per_second", rate)
        self.say(f"{lag}_batch", batch)
        self.say(f"{lag}_events", len(stream))
        self.say(f"{lag}_achieved_events_per_second", f"{len(stream) / written.seconds:.0f}")
        self.say(f"{lag}_writer_most_behind_schedule_seconds", f"{written.most_behind:.2f}")
        self.say(f"{lag}_consumer_batches", len(finished.commits))
        self.say(f"{lag}_caught_up_after_writer_seconds", f"{catching_up:.1f}")
        self.spent(lag, used, finished.cpu_seconds)
        for name, values in (("", lags.from_commit), ("_from_received", lags.from_received)):
            self.say(f"{lag}{name}_p50_seconds", f"{_percentile(values, 50):.3f}")
            self.say(f"{lag}{name}_p99_seconds", f"{_percentile(values, 99):.3f}")
            self.say(f"{lag}{name}_max_seconds", f"{max(values):.3f}")


@dataclass(frozen=True, slots=True)
class WithConsumer:
    ingest: float  # seconds until the last batch committed
    total: float  # ... and until the consumer had caught up


def _segments() -> SegmentsConsumer:
    return SegmentsConsumer(DEFAULT_CONFIG, "RUB")


def _ingest(engine: Engine, stream: list[dict[str, Any]], now: datetime) -> None:
    options = IngestOptions(future_tolerance=timedelta(days=3650))
    for start in range(0, len(stream), BATCH):
        batch = stream[start : start + BATCH]
        result = ingest_events(engine, batch, now, options)
        assert result.accepted == len(batch), result.rejected[:3]


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


@contextmanager
def _databases(dialect: str, server_url: str) -> Iterator[Callable[[], str]]:
    """Yields a function returning the URL of an empty migrated database: a new SQLite file each
    time, or this run's PostgreSQL database with its schema dropped and made again."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            made = iter(range(1_000_000))
            yield lambda: _migrated(f"sqlite:///{Path(folder) / f'run-{next(made)}.db'}")
        return
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"bench_consumers_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield lambda: _migrated(url, wipe=True)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(url: str, wipe: bool = False) -> str:
    engine = make_engine(url)
    if wipe:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    if wipe:
        with engine.connect() as connection:
            connection.execute(text("CHECKPOINT"))  # the last run's writes are not flushed during this one
    engine.dispose()
    return url


if __name__ == "__main__":
    main()
