"""Fixtures for the importer tests: an import context on the test's store, a CSV writer, counts."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.progress import NoProgress
from retentio.ingest.pipeline import IngestOptions
from retentio.ingest.stats import StoreCounts, count_store

WriteCsv = Callable[..., Path]


@pytest.fixture
def context(engine: Engine, now: datetime) -> ImportContext:
    return ImportContext(engine, now, IngestOptions(default_currency="RUB"), NoProgress())


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """``write_csv(name, rows, delimiter=",", encoding="utf-8")`` → the file's path."""

    def write(
        name: str, rows: Sequence[Sequence[object]], delimiter: str = ",", encoding: str = "utf-8"
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
        return path

    return write


@pytest.fixture
def store_counts(engine: Engine) -> Callable[[], StoreCounts]:
    def read() -> StoreCounts:
        with engine.connect() as connection:
            return count_store(connection)

    return read
