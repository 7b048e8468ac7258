"""A PostgreSQL database of its own for one benchmark run, dropped at the end however the run ends."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from retentio.db.engine import make_engine


@contextmanager
def throwaway_database(server_url: str, label: str) -> Iterator[str]:
    """The URL of a new empty database on the server ``server_url`` names."""
    admin = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"retentio_bench_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
