"""The ready-format importers on the real data sets, through the whole path (parse, events, ingest,
orders and profiles), each into a fresh store; then the same file again (all duplicates).

    python benchmarks/import_cdnow.py [--datasets ../shared/datasets] [--database-url URL]

Prints one figure a line. Wall seconds and CPU seconds of this process are both given: on a shared
machine the CPU figure is the steadier one (the database is in-process on SQLite).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from retentio.db.engine import make_engine
from retentio.db.migrate import upgrade
from retentio.ingest.importers.cdnow import import_cdnow
from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.online_retail import import_online_retail
from retentio.ingest.importers.progress import NoProgress
from retentio.ingest.importers.report import ImportReport
from retentio.ingest.importers.tabular import TableOptions
from retentio.ingest.pipeline import IngestOptions

NOW = datetime(2027, 1, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent
Importer = Callable[[ImportContext, Path], ImportReport]


def main() -> None:
    parser = argparse.ArgumentParser()
    default_datasets = os.environ.get("RETENTIO_DATASETS", str(REPO.parent / "shared" / "datasets"))
    parser.add_argument("--datasets", default=default_datasets)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per data set")
    args = parser.parse_args()
    datasets = Path(args.datasets)
    runs: list[tuple[str, Importer, str, str]] = [
        ("cdnow", import_cdnow, "CDNOW_master.txt", "events"),
        ("online_retail", _online_retail, "online_retail.csv.gz", "lines"),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for name, importer, file_name, unit in runs:
            url = args.database_url or f"sqlite:///{Path(folder) / f'{name}.db'}"
            _measure(name, importer, datasets / file_name, url, unit)


def _online_retail(context: ImportContext, path: Path) -> ImportReport:
    return import_online_retail(context, path, TableOptions())


def _measure(name: str, importer: Importer, path: Path, url: str, unit: str) -> None:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    context = ImportContext(engine, NOW, IngestOptions(), NoProgress())
    report, seconds, cpu = _timed(importer, context, path)
    again, again_seconds, _ = _timed(importer, context, path)
    assert again.accepted == 0, "a second import stored something new"
    count = report.accepted if unit == "events" else report.rows_read
    print(f"import_{name}_seconds {seconds:.2f}")
    print(f"import_{name}_cpu_seconds {cpu:.2f}")
    print(f"import_{name}_{unit}_per_second {count / seconds:.0f}")
    print(f"import_{name}_events {report.accepted}")
    print(f"import_{name}_again_seconds {again_seconds:.2f}")
    engine.dispose()


def _timed(importer: Importer, context: ImportContext, path: Path) -> tuple[ImportReport, float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    report = importer(context, path)
    return report, time.perf_counter() - started, time.process_time() - cpu_started


if __name__ == "__main__":
    main()
