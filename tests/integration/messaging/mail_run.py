"""Many emails sent by ``retentio worker`` subprocesses into an SMTP server in a process of its own
(``tests.fakes.smtp_sink``): customers made set-based (email and email consent), one marketing
template, one request per customer, the settings file the workers read. Used by
``test_send_killed`` and by ``benchmarks/email_send.py``, ``benchmarks/send_killed.py`` and
``benchmarks/send_lateness.py``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, literal, select, text

from retentio.customers.tables import consent_changes, customers
from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.db.types import UtcDateTime, json_type
from retentio.messaging.content import Kind
from retentio.messaging.requests import MessageRequest, request_messages
from retentio.messaging.tables import messages
from retentio.messaging.template_store import save_template
from retentio.schedule.tables import due_work

_CUSTOMER_COLUMNS = ["customer_id", "email", "first_name", "timezone", "locale"]
_CUSTOMER_COLUMNS += ["push_tokens", "attributes", "created_at", "updated_at"]
CLI = "import sys; from retentio.cli import main; sys.argv[0] = 'retentio'; main()"
ZONE = "Europe/Moscow"
TEMPLATE = {
    "name": "weekly_offer",
    "default_locale": "ru",
    "channels": {
        "email": {
            "ru": {
                "subject": "{{ customer.first_name }}, скидка недели",
                "html": (
                    "<h1>Здравствуйте, {{ customer.first_name }}!</h1>"
                    "<p>На этой неделе скидка на всё: <a href='https://shop.example/sale'>распродажа</a>.</p>"
                    "<p>Ваш код: <b>{{ coupon.code }}</b></p>"
                ),
                "text": "Здравствуйте, {{ customer.first_name }}! Скидка недели: https://shop.example/sale",
            }
        }
    },
}


def fresh_engine(url: str) -> Engine:
    """``url``'s database emptied (PostgreSQL: its public schema) and migrated."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def seed_customers(engine: Engine, count: int, now: datetime) -> None:
    """``count`` customers ``c1…`` with an email address and email consent, in two statements."""
    numbers = select(literal(1).label("n")).cte(
        "numbers", recursive=True
    )  # 1…count, the same SQL on SQLite and PostgreSQL
    numbers = numbers.union_all(select(numbers.c.n + 1).where(numbers.c.n < count))
    customer_id = literal("c") + func.cast(numbers.c.n, customers.c.customer_id.type)
    stamp = literal(now, UtcDateTime)
    with engine.begin() as connection:
        connection.execute(
            insert(customers).from_select(
                _CUSTOMER_COLUMNS,
                select(
                    customer_id,
                    customer_id + literal("@example.ru"),
                    literal("Анна"),
                    literal(ZONE),
                    literal("ru"),
                    literal([], json_type()),
                    literal({}, json_type()),
                    stamp,
                    stamp,
                ),
            )
        )
        connection.execute(
            insert(consent_changes).from_select(
                ["customer_id", "channel", "granted", "source", "changed_at", "recorded_at"],
                select(
                    customers.c.customer_id,
                    literal("email"),
                    literal(True),
                    literal("form"),
                    literal(now - timedelta(days=30), UtcDateTime),
                    stamp,
                ),
            )
        )


def request_sends(
    engine: Engine, count: int, now: datetime, due_at: Callable[[int], datetime] | None = None
) -> None:
    """The template, and one marketing email requested for each of ``count`` customers (through
    ``request_messages``, as the API does), due at ``due_at(number)`` (now when not given)."""
    with engine.begin() as connection:
        save_template(connection, TEMPLATE, now)
    for start in range(1, count + 1, 10_000):
        requests = [
            MessageRequest(
                f"c{number}",
                TEMPLATE["name"],  # type: ignore[arg-type]
                Kind.MARKETING,
                f"offer-{number}",
                channels=("email",),
                variables={"coupon": {"code": f"WEEK-{number:06d}"}},
                due_at=None if due_at is None else due_at(number),
            )
            for number in range(start, min(start + 10_000, count + 1))
        ]
        with engine.begin() as connection:
            request_messages(connection, requests, now)


def settings_file(folder: Path, host: str, port: int, pool_size: int, now: datetime) -> Path:
    """Email over ``host:port`` and rules that are checked but let these messages through: quiet
    hours away from ``now`` in the customers' zone, a cap each customer stays under."""
    local = now.astimezone(ZoneInfo(ZONE))
    quiet = [(local + timedelta(hours=hours)).strftime("%H:00") for hours in (8, 14)]
    path = folder / "messaging.toml"
    path.write_text(
        f'[channels.email]\nprovider = "smtp"\nhost = "{host}"\nport = {port}\nsecurity = "none"\n'
        f'from_address = "shop@example.ru"\npool_size = {pool_size}\n'
        f'[rules]\nquiet_hours = ["{quiet[0]}", "{quiet[1]}"]\nbest_hour = false\n'
        '[[rules.caps]]\nlimit = 3\nper = "day"\nchannel = "email"\n',
        encoding="utf-8",
    )
    return path


def worker_environment(settings: Path, name: str) -> dict[str, str]:
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith("RETENTIO_")},
        "PGAPPNAME": name,
        "PYTHONUNBUFFERED": "1",
        "RETENTIO_MESSAGING_CONFIG": str(settings),
        "RETENTIO_TIMEZONE": "UTC",
        "RETENTIO_SECRET_KEY": "benchmark-secret",
    }


def start_worker(
    database_url: str, settings: Path, log: Path, name: str, once: bool = False, profile: Path | None = None
) -> subprocess.Popen[bytes]:
    """``retentio worker`` (``--once``: until nothing is due) with its output in ``log``; returns
    when it has started (its first line), or raises with the log when it exits first."""
    script = Path(sys.executable).with_name("retentio")  # cProfile runs a script, not ``-c``
    start = ["-m", "cProfile", "-o", str(profile), str(script)] if profile is not None else ["-c", CLI]
    command = [sys.executable, *start, "--database-url", database_url, "worker"]
    output: IO[bytes] = log.open("wb")
    worker = subprocess.Popen(
        command + (["--once"] if once else []),
        stdout=output,
        stderr=subprocess.STDOUT,
        env=worker_environment(settings, name),
    )
    output.close()
    while b"consuming the log" not in log.read_bytes():
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited ({worker.returncode}): {log.read_text()[-2000:]}")
        time.sleep(0.02)
    return worker


def states(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(select(messages.c.state, func.count()).group_by(messages.c.state))
        return {row[0]: row[1] for row in rows}


def sent_count(engine: Engine) -> int:
    return states(engine).get("sent", 0)


def expire_leases_of(engine: Engine, owners_pid: int, now: datetime) -> int:
    """The due work a killed worker (by its process id) held, made claimable again: what its lease
    ending (a minute later) would do, so a test need not wait for it."""
    with engine.begin() as connection:
        result = connection.execute(
            due_work.update()
            .where(due_work.c.state == "running", due_work.c.lease_owner.like(f"%:{owners_pid}:%"))
            .values(leased_until=now - timedelta(seconds=1))
        )
        return int(result.rowcount)


def message_times(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(select(messages.c.message_id, messages.c.due_at, messages.c.sent_at))
        return [dict(row._mapping) for row in rows]
