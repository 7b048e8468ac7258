"""A refresh is one transaction: killed halfway, it leaves the previous standing and the log as they
were, and the next refresh completes."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import rows
from tests.integration.segments.support import count_events, placed, send, standing

from retentio.segments.config import DEFAULT_CONFIG
from retentio.segments.refresh import do_refresh_standing

T0 = datetime(2026, 2, 1, tzinfo=UTC)

# Runs the refresh in another process and stops for good right after the standing rows were written
# (moves recorded, rows rewritten, nothing committed) so the test can kill it there.
_REFRESH_THEN_HANG = """
import sys, time
from pathlib import Path
from retentio.clock import parse_instant
from retentio.db.engine import make_engine
import retentio.segments.refresh as refresh
from retentio.segments.config import DEFAULT_CONFIG

url, at, marker = sys.argv[1:4]
original = refresh.write_standing

def write_then_hang(*args, **kwargs):
    original(*args, **kwargs)
    Path(marker).write_text("written")
    time.sleep(600)

refresh.write_standing = write_then_hang
with make_engine(url).begin() as connection:
    refresh.do_refresh_standing(connection, parse_instant(at), DEFAULT_CONFIG)
"""


def _wait_for(marker: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else "refresh ended"
        assert time.monotonic() < deadline, "the refresh never reached the standing rows"
        time.sleep(0.05)


def test_a_refresh_killed_halfway_changes_nothing(engine: Engine, database_url: str, tmp_path: Path) -> None:
    # given customers with a standing and a first refresh
    send(
        engine,
        [placed(f"p{n}", f"c{n}", T0 + timedelta(days=n), f"o{n}") for n in range(5)],
        T0 + timedelta(days=5),
    )
    with engine.begin() as connection:
        do_refresh_standing(connection, T0 + timedelta(days=5), DEFAULT_CONFIG)
    before, stored = rows(engine, "customer_standing"), count_events(engine)
    later = T0 + timedelta(days=400)  # a refresh now would churn everyone
    marker = tmp_path / "written"
    # when a refresh is killed after it rewrote the standing but before it committed
    with subprocess.Popen(
        [sys.executable, "-c", _REFRESH_THEN_HANG, database_url, later.isoformat(), str(marker)],
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as process:
        try:
            _wait_for(marker, process)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    # then the previous standing and the log are intact
    assert rows(engine, "customer_standing") == before
    assert count_events(engine) == stored
    # and the next refresh completes
    with engine.begin() as connection:
        do_refresh_standing(connection, later, DEFAULT_CONFIG)
    assert standing(engine, "c0")["lifecycle"] == "churned"
    assert count_events(engine) > stored
