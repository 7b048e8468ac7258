"""``import events``: JSONL in the API envelope, bad lines reported by number and skipped."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from retentio.ingest.importers.feed import ImportContext
from retentio.ingest.importers.jsonl import import_jsonl
from retentio.ingest.importers.report import Problem
from retentio.ingest.stats import StoreCounts


def _view(event_id: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "product_viewed",
        "customer_id": "c-1",
        "timestamp": at.isoformat(),
        "properties": {"sku": "SKU-1"},
    }


def _order(event_id: str, at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "order_placed",
        "customer_id": "c-2",
        "timestamp": at.isoformat(),
        "properties": {
            "order_id": f"o-{event_id}",
            "items": [{"sku": "SKU-1", "quantity": 2, "price": "10.50"}],
            "total": "21.00",
            "currency": "RUB",
        },
    }


def _jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_good_lines_are_stored_and_bad_ones_reported_by_line_number(
    context: ImportContext, now: datetime, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    at = now - timedelta(days=1)
    path = _jsonl(
        tmp_path / "events.jsonl",
        [
            orjson.dumps(_view("e-1", at)),
            b'{"event_id": "e-2", "type": ',  # broken JSON
            b"",  # a blank line is not a row
            orjson.dumps({**_view("e-3", at), "type": "order_exploded"}),
            b'{"event_id": "e-4", "note": "\xff\xfe"}',  # invalid UTF-8
            orjson.dumps(_order("e-5", at)),
            orjson.dumps(_view("e-1", at)),  # the same id again
        ],
    )
    # when
    report = import_jsonl(context, path)
    # then
    assert (report.rows_read, report.accepted, report.duplicates, report.rejected) == (6, 2, 1, 3)
    problems = report.sorted_problems()
    assert [problem.line for problem in problems] == [2, 4, 5]
    assert problems[0].reason.startswith("not valid JSON")
    assert problems[1] == Problem(
        4, "type: unknown event type 'order_exploded'; custom types start with 'custom.'"
    )
    assert "UTF-8" in problems[2].reason
    stored = store_counts()
    assert (stored.events, stored.orders, stored.order_lines) == (2, 1, 1)


def test_importing_the_same_file_again_stores_nothing_new(
    context: ImportContext, now: datetime, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    at = now - timedelta(days=2)
    lines = [orjson.dumps(_order(f"e-{n}", at + timedelta(minutes=n))) for n in range(25)]
    path = _jsonl(tmp_path / "orders.jsonl", lines)
    first = import_jsonl(context, path)
    before = store_counts()
    # when
    second = import_jsonl(context, path)
    # then
    assert (first.accepted, first.duplicates) == (25, 0)
    assert (second.accepted, second.duplicates, second.rejected) == (0, 25, 0)
    assert store_counts() == before


def test_gzipped_jsonl_is_read_and_batches_respect_the_batch_size(
    context: ImportContext, now: datetime, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    lines = [orjson.dumps(_view(f"v-{n}", now - timedelta(minutes=n))) for n in range(7)]
    path = tmp_path / "events.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(lines)))
    small_batches = ImportContext(context.engine, context.now, context.ingest, context.progress, batch_size=3)
    # when
    report = import_jsonl(small_batches, path)
    # then
    assert (report.rows_read, report.accepted) == (7, 7)
    assert store_counts().events == 7


def test_an_integer_beyond_64_bits_is_a_bad_line_not_a_float(
    context: ImportContext, now: datetime, tmp_path: Path, store_counts: Callable[[], StoreCounts]
) -> None:
    # given
    at = now - timedelta(days=1)
    big = orjson.dumps(_view("e-1", at)).replace(b'"SKU-1"}', b'"SKU-1", "points": 18446744073709551616}')
    path = _jsonl(tmp_path / "events.jsonl", [big, orjson.dumps(_view("e-2", at))])
    # when
    report = import_jsonl(context, path)
    # then
    assert (report.accepted, report.rejected) == (1, 1)
    [problem] = report.sorted_problems()
    assert problem.line == 1
    assert problem.reason.startswith("properties: cannot be stored: Integer exceeds 64-bit range")
    assert store_counts().events == 1
