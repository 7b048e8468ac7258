"""``retentio import events``: one event in the API envelope per line (plain or gzipped JSONL).

The file is streamed: a line that is not JSON is reported and skipped right away, the rest go to
``ingest_events`` in batches, which validates them exactly as the HTTP API does.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

import orjson

from retentio.db.json_values import loads_exact
from retentio.ingest.importers.feed import ImportContext, SourcedEvent, feed_events
from retentio.ingest.importers.progress import NoProgress, Progress
from retentio.ingest.importers.report import ImportReport, SourceError

_GZIP_MAGIC = b"\x1f\x8b"


def import_jsonl(context: ImportContext, path: Path) -> ImportReport:
    report = ImportReport()
    compressed = _is_gzip(path)
    context.progress.start("importing events", None if compressed else path.stat().st_size)
    try:
        with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
            events = _parse(handle, report, context.progress)
            feed_events(replace(context, progress=NoProgress()), events, report)
    except (OSError, EOFError) as error:  # a truncated gzip stream, a disk error mid-way
        raise SourceError(f"{path}: stopped reading after {report.rows_read} lines: {error}") from None
    return report


def _parse(handle: Iterable[bytes], report: ImportReport, progress: Progress) -> Iterator[SourcedEvent]:
    for number, raw_line in enumerate(handle, start=1):
        progress.advance(len(raw_line))
        if not raw_line.strip():
            continue
        report.rows_read += 1
        try:
            document = loads_exact(raw_line)
        except orjson.JSONDecodeError as error:
            report.reject(number, f"not valid JSON: {error}")
            continue
        yield SourcedEvent(number, document)


def _is_gzip(path: Path) -> bool:
    """Progress counts bytes read: known for a plain file, not for a gzipped one."""
    try:
        with path.open("rb") as handle:
            return handle.read(2) == _GZIP_MAGIC
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read it ({error.strerror or error})") from None
