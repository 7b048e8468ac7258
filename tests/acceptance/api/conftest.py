"""Fixtures for the HTTP API: an in-process client, keys with given scopes, and real servers
(``retentio serve`` as a subprocess) that a test can start, kill and start again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from retentio.api.app import create_app
from retentio.api.keys import do_create_api_key, parse_scopes
from retentio.clock import FixedClock
from retentio.config import Settings
from retentio.events.consumers import drain
from retentio.events.tables import events
from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.consumer import SEGMENTS_CONSUMER, SegmentsConsumer

with warnings.catch_warnings():
    # Starlette asks for httpx2 in its test client; httpx works the same for these tests.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient

RETENTIO = shutil.which("retentio", path=str(Path(sys.executable).parent)) or "retentio"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture
def client(engine: Engine, now: datetime, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, FixedClock(now), settings, [SEGMENTS_CONSUMER])) as test_client:
        yield test_client


@pytest.fixture
def consume(engine: Engine, now: datetime) -> Callable[[], int]:
    """``consume()`` lets the segments consumer catch up, as ``retentio serve``'s loop would."""
    return lambda: drain(engine, [SegmentsConsumer(DEFAULT_CONFIG, "RUB")], FixedClock(now))


@pytest.fixture
def make_key(engine: Engine, now: datetime) -> Callable[[str], str]:
    """``make_key("ingest,read")`` → a new key's text."""

    def make(scopes: str) -> str:
        with engine.begin() as connection:
            key_text, _ = do_create_api_key(connection, f"test {scopes}", parse_scopes(scopes), now)
        return key_text

    return make


@pytest.fixture
def headers_for(make_key: Callable[[str], str]) -> Callable[[str], dict[str, str]]:
    """``headers_for("read")`` → request headers carrying a new key with those scopes."""
    return lambda scopes: {"Authorization": f"Bearer {make_key(scopes)}"}


@pytest.fixture
def auth(headers_for: Callable[[str], dict[str, str]]) -> dict[str, str]:
    """Headers with a key holding ``ingest`` and ``read``."""
    return headers_for("ingest,read")


@pytest.fixture
def count_events(engine: Engine) -> Callable[[], tuple[int, int]]:
    """``count_events()`` → (rows, distinct event ids) in the event log."""

    def count() -> tuple[int, int]:
        with engine.connect() as connection:
            # Segment moves are Retentio's own entries in the log, not the client's events.
            client = events.c.derived.is_(False)
            rows = connection.execute(select(func.count()).select_from(events).where(client)).scalar_one()
            distinct = connection.execute(
                select(func.count(func.distinct(events.c.event_id))).where(client)
            ).scalar_one()
        return rows, distinct

    return count


@dataclass
class Server:
    """One ``retentio serve`` process."""

    process: subprocess.Popen[bytes]
    url: str

    def kill(self) -> None:
        """SIGKILL: no shutdown, no rollback by the server — the database must cope."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_server(database_url: str, now: datetime, tmp_path: Path) -> Iterator[Callable[[], Server]]:
    """Start ``retentio serve`` on a free port against the test's database; stopped at teardown."""
    started: list[Server] = []

    def start() -> Server:
        port = _free_port()
        env = {**os.environ, "RETENTIO_DATABASE_URL": database_url}
        command = [RETENTIO, "--as-of", now.isoformat(), "serve", "--port", str(port), "--no-access-log"]
        with (tmp_path / f"server-{port}.log").open("wb") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        server = Server(process, f"http://127.0.0.1:{port}")
        started.append(server)
        _wait_until_healthy(server, tmp_path / f"server-{port}.log")
        return server

    yield start
    for server in started:
        server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(server: Server, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.url}/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer in {timeout} s: {log.read_text(errors='replace')}")
