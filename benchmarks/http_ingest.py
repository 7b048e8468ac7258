"""HTTP ingest: ``POST /v1/events`` in batches of 1,000 from this process to one server process
(``retentio serve``: uvicorn, one worker) on loopback — against the same events through
``ingest_events`` in-process, measured in the same run: the floor the HTTP path adds to.

Since issue 9 a request only ingests; segments follow the log in a consumer. Two pairs are measured:
the server with ``--no-consumers`` against ``ingest_events`` alone (what HTTP adds), and the server as
it runs by default, its segments consumer on a background thread of the same process — answered, and
until the consumer has caught up — against ``ingest_events`` with the consumer drained after every
batch in-process.

    python benchmarks/http_ingest.py [--batches 100] [--batch-size 1000] [--concurrency 2]
                                     [--database-url URL]

Without ``--database-url`` each path gets a fresh SQLite file. With it (PostgreSQL), the database is
wiped before each path. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import orjson
from sqlalchemy import Engine, text

from retentio.api.keys import do_create_api_key
from retentio.clock import FixedClock
from retentio.db.engine import make_engine, reader
from retentio.db.migrate import upgrade
from retentio.events.consumers import checkpoint, drain
from retentio.events.log import last_position
from retentio.ingest.pipeline import IngestOptions, ingest_events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SEGMENTS_CONSUMER, SegmentsConsumer

try:
    from benchmarks._synthetic import store_events
except ImportError:  # run as a script from the benchmarks folder
    from _synthetic import store_events  # type: ignore[no-redef]

NOW = datetime(2027, 1, 1, tzinfo=UTC)
CUSTOMERS = 20_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight at once")
    parser.add_argument("--database-url", default=None, help="default: fresh SQLite files (wiped if given)")
    args = parser.parse_args()
    events = store_events(args.batches * args.batch_size + args.batch_size, CUSTOMERS)
    warm_up, measured = events[: args.batch_size], events[args.batch_size :]
    batches = [
        measured[start : start + args.batch_size] for start in range(0, len(measured), args.batch_size)
    ]
    with tempfile.TemporaryDirectory() as folder:

        def url(name: str) -> str:
            return args.database_url or f"sqlite:///{Path(folder) / name}.db"

        http = _over_http(url("http"), warm_up, batches, args.concurrency, Path(folder), consumers=False)
        local = _in_process(url("local"), warm_up, batches, consumers=False)
        served = _over_http(url("served"), warm_up, batches, args.concurrency, Path(folder), consumers=True)
        drained = _in_process(url("drained"), warm_up, batches, consumers=True)
    count = len(measured)
    print(f"dialect {url('http').split(':')[0]}")
    print(f"events {count}")
    print(f"batch_size {args.batch_size}")
    print(f"concurrency {args.concurrency}")
    print(f"http_seconds {http.answered:.2f}")
    print(f"http_events_per_second {count / http.answered:.0f}")
    print(f"inprocess_events_per_second {count / local:.0f}")
    print(f"http_to_inprocess_ratio {local / http.answered:.3f}")
    print(f"http_with_consumer_answered_events_per_second {count / served.answered:.0f}")
    print(f"http_with_consumer_caught_up_seconds {served.caught_up:.2f}")
    print(f"http_with_consumer_caught_up_events_per_second {count / served.caught_up:.0f}")
    print(f"inprocess_then_segments_drained_events_per_second {count / drained:.0f}")
    print(f"http_caught_up_to_inprocess_drained_ratio {drained / served.caught_up:.3f}")


class Served(NamedTuple):
    answered: float  # seconds until the last request was answered
    caught_up: float  # seconds until the segments consumer had read every event (= answered without it)


def _over_http(
    url: str,
    warm_up: list[dict[str, Any]],
    batches: Sequence[list[dict[str, Any]]],
    concurrency: int,
    folder: Path,
    consumers: bool,
) -> Served:
    engine = _fresh(url)
    with engine.begin() as connection:
        key_text, _ = do_create_api_key(connection, "benchmark", frozenset({"ingest"}), NOW)
    bodies = [orjson.dumps(batch) for batch in batches]
    headers = {"Authorization": f"Bearer {key_text}", "Content-Type": "application/json"}
    with (
        _server(url, folder, consumers) as base_url,
        httpx.Client(base_url=base_url, headers=headers, timeout=300) as client,
    ):
        _check(client.post("/v1/events", content=orjson.dumps(warm_up)), len(warm_up))
        if consumers:
            _wait_until_caught_up(engine)
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            answers = list(pool.map(lambda body: client.post("/v1/events", content=body), bodies))
        answered = time.perf_counter() - started
        if consumers:
            _wait_until_caught_up(engine)
        caught_up = time.perf_counter() - started
    engine.dispose()
    for answer, batch in zip(answers, batches, strict=True):
        _check(answer, len(batch))
    return Served(answered, caught_up)


def _wait_until_caught_up(engine: Engine) -> None:
    """Until the segments consumer's checkpoint is at the newest event (its own moves included)."""
    while True:
        with reader(engine).connect() as connection:
            if checkpoint(connection, SEGMENTS_CONSUMER) >= last_position(connection):
                return
        time.sleep(0.01)


def _in_process(
    url: str, warm_up: list[dict[str, Any]], batches: Sequence[list[dict[str, Any]]], consumers: bool
) -> float:
    """Seconds to ingest ``batches`` one call each, with the segments consumer drained after every
    batch when ``consumers``."""
    engine = _fresh(url)
    options = IngestOptions(future_tolerance=timedelta(days=1))
    wired = (SegmentsConsumer(DEFAULT_CONFIG, "RUB"),) if consumers else ()
    clock = FixedClock(NOW)
    ingest_events(engine, warm_up, NOW, options)
    drain(engine, wired, clock)
    started = time.perf_counter()
    for batch in batches:
        result = ingest_events(engine, batch, NOW, options)
        assert result.accepted == len(batch), result.rejected[:3]
        drain(engine, wired, clock)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


@contextmanager
def _server(database_url: str, folder: Path, consumers: bool) -> Iterator[str]:
    """``retentio serve`` on a free loopback port, in its own process (with its consumers' loop or
    without)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from retentio.cli import main; main()"]
    command += ["--as-of", NOW.isoformat(), "serve", "--port", str(port), "--no-access-log"]
    command += ["--consumers" if consumers else "--no-consumers"]
    env = {**os.environ, "RETENTIO_DATABASE_URL": database_url}
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base_url, process, folder / "server.log")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_for(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base_url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')}")


def _check(response: httpx.Response, expected: int) -> None:
    if response.status_code != 200 or response.json()["accepted"] != expected:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:500]}")


if __name__ == "__main__":
    main()
