"""Read-only commands answer while another process holds the write lock (on SQLite: an import)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import orjson
from sqlalchemy import Engine

from retentio.catalog.models import ProductUpsert
from retentio.catalog.service import do_upsert_products
from retentio.customers.models import CustomerUpsert
from retentio.customers.service import do_upsert_customer
from retentio.db.engine import make_engine

RETENTIO = shutil.which("retentio", path=str(Path(sys.executable).parent)) or "retentio"


def retentio(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [RETENTIO, *arguments]
    env = {**os.environ, "RETENTIO_DATABASE_URL": database_url}
    # The busy timeout is 60 s: a command that queued behind the writer would miss this deadline.
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=20, check=False)


def test_stats_and_customers_show_answer_while_a_writer_holds_the_lock(
    engine: Engine, database_url: str, now: datetime
) -> None:
    # given
    with engine.begin() as connection:
        do_upsert_customer(connection, "c1", CustomerUpsert(email="c1@example.ru"), now)
    writer_engine = make_engine(database_url)
    try:
        with writer_engine.begin() as writer:
            do_upsert_products(writer, [("pending", ProductUpsert(name="Pending"))], now, "RUB")
            # when
            stats = retentio(database_url, "stats", "--json")
            shown = retentio(database_url, "--as-of", now.isoformat(), "customers", "show", "c1", "--json")
    finally:
        writer_engine.dispose()
    # then
    assert stats.returncode == 0, stats.stderr
    assert orjson.loads(stats.stdout)["customers"] == 1
    assert orjson.loads(stats.stdout)["products"] == 0
    assert shown.returncode == 0, shown.stderr
    assert orjson.loads(shown.stdout)["customer"]["email"] == "c1@example.ru"
