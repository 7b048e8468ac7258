"""The segments consumer in a process of its own, as ``retentio worker`` runs it, for
``benchmarks/consumers.py``; and where the CPU went during a run (this process, the consumer's, the
database server's backends, the machine)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as ProcessEvent
from typing import cast

from sqlalchemy import Connection, Engine, text

from retentio.clock import Clock, FixedClock, SystemClock
from retentio.db.engine import make_engine, reader
from retentio.events.consumers import IDLE_SECONDS, checkpoint, consume_next, run_until_stopped
from retentio.events.log import LoggedEvent, Position, last_position
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SEGMENTS_CONSUMER, SegmentsConsumer

# (wall time just after the commit, the checkpoint it wrote: tx, row)
Commit = tuple[float, int, int]


@dataclass(frozen=True, slots=True)
class Finished:
    cpu_seconds: float  # the consumer process's own CPU from start to stop
    commits: list[Commit]  # recorded only when asked


class ConsumerProcess:
    """``start`` spawns the process and returns once its engine is connected; ``stop`` sets the
    loop's stop flag (as SIGTERM does in ``retentio worker``) and waits for the batch in hand."""

    def __init__(self, url: str, now: datetime | None, record: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._ready = context.Event()
        self._results: Queue[Finished] = context.Queue()
        self._process = context.Process(
            target=_serve,
            args=(url, now, record, self._stop, self._ready, self._results),
            name="segments-consumer",
        )

    def start(self) -> None:
        self._process.start()
        if not self._ready.wait(120):
            raise SystemExit("the consumer process did not start")

    def alive(self) -> bool:
        return self._process.is_alive()

    def stop(self) -> Finished:
        self._stop.set()
        finished = self._results.get(timeout=600)
        self._process.join(timeout=60)
        return finished


def _serve(
    url: str,
    now: datetime | None,
    record: bool,
    stop: ProcessEvent,
    ready: ProcessEvent,
    results: Queue[Finished],
) -> None:
    engine = make_engine(url)
    with engine.connect():
        pass  # connected before the clock starts, as a running worker is
    clock: Clock = SystemClock() if now is None else FixedClock(now)
    consumer = SegmentsConsumer(DEFAULT_CONFIG, "RUB")
    ready.set()
    started = time.process_time()
    commits: list[Commit] = []
    if record:
        commits = _run_recording(engine, consumer, clock, stop)
    else:
        # A process Event has the two methods the loop calls (is_set, wait).
        run_until_stopped(engine, [consumer], clock, cast(threading.Event, stop))
    engine.dispose()
    results.put(Finished(time.process_time() - started, commits))


class _Recording:
    """The segments consumer, noting the last position of the batch it was given."""

    def __init__(self, inner: SegmentsConsumer) -> None:
        self.inner = inner
        self.last = Position(0, 0)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def event_types(self) -> frozenset[str] | None:
        return self.inner.event_types

    def consume(self, connection: Connection, batch: Sequence[LoggedEvent], now: datetime) -> None:
        self.inner.consume(connection, batch, now)
        self.last = batch[-1].position


def _run_recording(
    engine: Engine, consumer: SegmentsConsumer, clock: Clock, stop: ProcessEvent
) -> list[Commit]:
    """``run_until_stopped``'s loop (one consumer), with the wall time taken as each batch's
    transaction has committed (``consume_next`` returns after the commit)."""
    recording = _Recording(consumer)
    commits: list[Commit] = []
    while not stop.is_set():
        if consume_next(engine, recording, clock.now()):
            commits.append((time.time(), recording.last.tx, recording.last.row))
        else:
            stop.wait(IDLE_SECONDS)
    return commits


def caught_up(engine: Engine) -> bool:
    """The segments consumer has read every event committed so far (its own moves included)."""
    with reader(engine).connect() as connection:
        return checkpoint(connection, SEGMENTS_CONSUMER) >= last_position(connection)


def wait_until_caught_up(engine: Engine, consumer: ConsumerProcess, timeout: float) -> float:
    """Seconds until the consumer caught up (``timeout`` if it did not)."""
    started = time.perf_counter()
    while not caught_up(engine):
        if not consumer.alive():
            raise SystemExit("the consumer process died")
        if time.perf_counter() - started > timeout:
            return timeout
        time.sleep(0.02)
    return time.perf_counter() - started


def events_behind(engine: Engine) -> int:
    with reader(engine).connect() as connection:
        position = checkpoint(connection, SEGMENTS_CONSUMER)
        query = text("SELECT count(*) FROM events WHERE tx > :tx OR (tx = :tx AND id > :row)")
        return int(connection.execute(query, {"tx": position.tx, "row": position.row}).scalar_one())


# ---- where the CPU went ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    wall: float
    own_cpu: float  # this process
    server_cpu: dict[int, float]  # PostgreSQL backends of this database, by pid
    machine_busy: float  # jiffies of every core, all processes of the machine
    machine_total: float


@dataclass(frozen=True, slots=True)
class Spent:
    wall: float
    own_cpu: float
    server_cpu: float
    machine_busy_share: float  # of both cores, whoever used them (other sessions included)


def usage(engine: Engine) -> Usage:
    busy, total = _machine_jiffies()
    return Usage(time.perf_counter(), time.process_time(), _server_cpu(engine), busy, total)


def spent(before: Usage, after: Usage) -> Spent:
    server = sum(cpu - before.server_cpu.get(pid, 0.0) for pid, cpu in after.server_cpu.items())
    total = after.machine_total - before.machine_total
    share = (after.machine_busy - before.machine_busy) / total if total else 0.0
    return Spent(after.wall - before.wall, after.own_cpu - before.own_cpu, server, share)


def _server_cpu(engine: Engine) -> dict[int, float]:
    if engine.dialect.name != "postgresql":
        return {}
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        ).scalars()
        return {pid: cpu for pid in pids if (cpu := _process_cpu(pid)) is not None}


def _process_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _machine_jiffies() -> tuple[float, float]:
    with open("/proc/stat") as stat:
        values = [float(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)
