"""Commits on SQLite only append to the write-ahead log; the engine's own thread copies the pages
into the database file shortly after, so no commit pays for a checkpoint of a big log."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from retentio.db.checkpoint import WRITER_CHECKPOINT_PAGES
from retentio.db.engine import make_engine

DEADLINE_SECONDS = 10.0
ROWS = 200
ROW_BYTES = 20_000  # ~4 MB in all: far below the writers' own checkpoint limit


def test_committed_pages_reach_the_database_file_without_any_commit_checkpointing(tmp_path: Path) -> None:
    # given: a store whose log holds ~4 MB of committed rows, far below the point where a committing
    # writer would checkpoint it itself
    assert ROWS * ROW_BYTES < WRITER_CHECKPOINT_PAGES * 4096 // 100
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)"))
    size_before = path.stat().st_size
    # when
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO notes (body) VALUES (randomblob(:size))"), [{"size": ROW_BYTES}] * ROWS
        )
    # then: the database file itself grows by the rows, while the engine stays open
    deadline = time.monotonic() + DEADLINE_SECONDS
    while path.stat().st_size - size_before < ROWS * ROW_BYTES and time.monotonic() < deadline:
        time.sleep(0.05)
    grown = path.stat().st_size - size_before
    engine.dispose()
    assert grown >= ROWS * ROW_BYTES, f"the database file grew by {grown} bytes only"


def test_the_checkpointer_belongs_to_file_stores_only() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT 1")).scalar_one() == 1
    engine.dispose()


def test_a_relative_path_is_checkpointed_where_it_was_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "retentio.db"
    monkeypatch.chdir(tmp_path)
    engine = make_engine(f"sqlite:///{name}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB)"))
    monkeypatch.chdir(tmp_path.parent)  # a later chdir must not send the checkpoint to another file
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO notes (body) VALUES (randomblob(:size))"), [{"size": ROW_BYTES}] * ROWS
        )
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (tmp_path / name).stat().st_size < ROWS * ROW_BYTES and time.monotonic() < deadline:
        time.sleep(0.05)
    size = (tmp_path / name).stat().st_size
    engine.dispose()
    assert size >= ROWS * ROW_BYTES
    assert not (tmp_path.parent / name).exists()
