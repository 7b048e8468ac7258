"""Sending importer events through ``ingest_events`` in batches, one transaction per batch.

Each event travels with the line it came from, so a rejection is reported where the user can find
it. A batch committed before a crash is simply counted as duplicates when the import runs again.
After each batch the log's consumers (segments) catch up inline, so an import ends with every
effect made and the same result however it is batched.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from retentio.clock import FixedClock
from retentio.events import Consumer, FieldError, drain
from retentio.ingest.importers.progress import Progress
from retentio.ingest.importers.report import ImportReport
from retentio.ingest.pipeline import IngestOptions, ingest_stream


@dataclass(frozen=True, slots=True)
class SourcedEvent:
    """A raw event in the API envelope and the (first) line of the source it was built from."""

    line: int
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ImportContext:
    """Where and when an import writes, and how it shows progress."""

    engine: Engine
    now: datetime
    ingest: IngestOptions
    progress: Progress
    batch_size: int = 10_000
    consumers: Sequence[Consumer] = field(default_factory=tuple)

    def batch(self) -> int:
        return max(1, min(self.batch_size, self.ingest.max_batch))


def feed_events(context: ImportContext, events: Iterable[SourcedEvent], report: ImportReport) -> None:
    """Ingest ``events`` batch by batch, one transaction each, in order; the progress bar counts
    events stored."""
    sent: deque[list[SourcedEvent]] = deque()

    def raw_batches() -> Iterator[list[dict[str, Any]]]:
        for batch in _batches(events, context.batch()):
            sent.append(batch)
            yield [sourced.event for sourced in batch]

    for result in ingest_stream(context.engine, raw_batches(), context.now, context.ingest):
        batch = sent.popleft()
        report.accepted += result.accepted
        report.duplicates += result.duplicates
        for rejection in result.rejected:
            report.reject(batch[rejection.index].line, describe_errors(rejection.errors))
        if result.accepted:
            drain(context.engine, context.consumers, FixedClock(context.now))
        context.progress.advance(len(batch))


def describe_errors(errors: Sequence[FieldError]) -> str:
    return "; ".join(f"{error.field}: {error.message}" if error.field else error.message for error in errors)


def _batches(events: Iterable[SourcedEvent], size: int) -> Iterator[list[SourcedEvent]]:
    iterator = iter(events)
    while batch := list(islice(iterator, size)):
        yield batch
