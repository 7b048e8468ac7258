"""``retentio worker`` processes killed (SIGKILL) at random moments while they send email into an
SMTP server in a process of its own, and started again; what the server received is then held
against what the database recorded. Used by ``test_send_killed`` at a size CI runs and by
``benchmarks/send_killed.py`` at 100,000 messages and 20 kills.

A killed worker's claimed due work waits for its lease (a minute) to end before another worker
takes it over; the scenario ends those leases at once (``expire_leases_of``), which is what the
minute would do, so the run need not wait for it.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from tests.fakes.smtp_sink import SmtpSink
from tests.integration.messaging.mail_run import (
    expire_leases_of,
    request_sends,
    seed_customers,
    settings_file,
    start_worker,
    states,
)

from retentio.messaging.tables import messages
from retentio.schedule.runner import Runner

BATCH = Runner.batch  # due work a worker claims at once: at most this many messages in flight


@dataclass(frozen=True)
class Scenario:
    messages: int
    kills: int
    workers: int
    pool_size: int = 4
    seed: int = 11
    finish_within: float = 900.0  # seconds for the last messages after the last kill


@dataclass
class Run:
    kills: int = 0
    seconds: float = 0.0
    states: dict[str, int] = field(default_factory=dict)
    received: int = 0  # messages the server accepted, doubles included
    doubles: int = 0  # copies beyond the first, by Message-ID
    doubled_messages: int = 0
    lost: list[str] = field(default_factory=list)  # message ids recorded but never received
    unknown: list[str] = field(default_factory=list)  # Message-IDs received that no message has
    mismatched: list[str] = field(default_factory=list)  # a Message-ID that came to another address


def run_with_kills(engine: Engine, database_url: str, scenario: Scenario, folder: Path) -> Run:
    now = datetime.now(UTC)
    seed_customers(engine, scenario.messages, now)
    request_sends(engine, scenario.messages, now)
    started = time.perf_counter()
    run = Run()
    chance = random.Random(scenario.seed)
    with SmtpSink(folder) as sink:
        settings = settings_file(folder, sink.host, sink.port, scenario.pool_size, now)

        def start(number: int) -> subprocess.Popen[bytes]:
            log = folder / f"worker-{number}.log"
            return start_worker(database_url, settings, log, f"killed-sender-{number}")

        workers = [start(number) for number in range(scenario.workers)]
        started_count = len(workers)
        for number in range(scenario.kills):
            # a random moment in each equal slice of the sending, a little after the server saw it
            sink.wait_for(int((number + chance.random()) * scenario.messages / (scenario.kills + 1)), 600)
            time.sleep(chance.random() * 0.3)
            victim = chance.randrange(len(workers))
            worker = workers[victim]
            assert worker.poll() is None, f"worker {victim} died by itself"
            worker.send_signal(signal.SIGKILL)
            worker.wait(30)
            expire_leases_of(engine, worker.pid, datetime.now(UTC))
            run.kills += 1
            workers[victim] = start(started_count)
            started_count += 1
        deadline = time.monotonic() + scenario.finish_within
        sink.wait_for(scenario.messages, scenario.finish_within)  # then the database, less often
        while _unfinished(engine) and time.monotonic() < deadline:
            time.sleep(0.5)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
        time.sleep(0.2)  # the server's last lines reach its file
        received = sink.lines()
    run.seconds = time.perf_counter() - started
    run.states = states(engine)
    _compare(engine, received, run)
    return run


def _unfinished(engine: Engine) -> bool:
    """Messages not yet at an outcome (a message that failed is one: the checks then say so)."""
    return any(state in ("waiting", "sending") for state in states(engine))


def _compare(engine: Engine, received: list[tuple[str, str]], run: Run) -> None:
    with engine.connect() as connection:
        recorded = {
            row.provider_id: (row.message_id, row.steps[-1]["recipient"] if row.steps else "")
            for row in connection.execute(
                select(messages.c.message_id, messages.c.provider_id, messages.c.steps)
            )
            if row.provider_id is not None
        }
    counts = Counter(message_id for message_id, _ in received)
    addresses: dict[str, set[str]] = defaultdict(set)
    for message_id, recipients in received:
        addresses[message_id].add(recipients)
    run.received = len(received)
    run.doubles = sum(count - 1 for count in counts.values())
    run.doubled_messages = sum(1 for count in counts.values() if count > 1)
    run.lost = sorted(
        message_id for provider_id, (message_id, _) in recorded.items() if provider_id not in counts
    )
    run.unknown = sorted(set(counts) - set(recorded))
    run.mismatched = sorted(
        provider_id
        for provider_id, (_, recipient) in recorded.items()
        if provider_id in addresses and addresses[provider_id] != {recipient}
    )
