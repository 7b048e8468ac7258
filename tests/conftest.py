"""Shared fixtures: a migrated store per test (SQLite by default, PostgreSQL when
RETENTIO_TEST_DATABASE_URL is set), the fixed clock, and the shared data sets."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from retentio.db.engine import make_engine
from retentio.db.metadata import METADATA
from retentio.db.migrate import upgrade
from retentio.db.schema import METADATA as _DECLARED  # noqa: F401  (registers every table)

REPO_ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def postgres_url() -> str | None:
    return os.environ.get("RETENTIO_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    assert not path.with_name("template.db-wal").exists()
    return path


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine | None]:
    url = postgres_url()
    if url is None:
        yield None
        return
    # A database of its own per test session, so parallel runs on one server never collide.
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"retentio_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(admin.url.set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(tmp_path: Path, _sqlite_template: Path, _postgres_engine: Engine | None) -> str:
    """A migrated, empty database for this test."""
    if _postgres_engine is not None:
        names = ", ".join(table.name for table in reversed(METADATA.sorted_tables))
        with _postgres_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return _postgres_engine.url.render_as_string(hide_password=False)
    path = tmp_path / "retentio.db"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def datasets_dir() -> Path:
    folder = Path(os.environ.get("RETENTIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    if not folder.is_dir():
        pytest.skip(f"data sets not found at {folder}; set RETENTIO_DATASETS to the shared/datasets folder")
    return folder
