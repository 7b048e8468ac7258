"""The parts of a standing the set-based path leaves to Python: the checklist's explanations of
staged customers with a score, and the personal facts of customers seen for the first time.

They are computed before the standing rows are written, streamed from one read joined with the stage
and bulk-loaded into a second temporary table (``segments_finish``) that the write joins, so every
standing row is written once, whatever the number of customers (a first backfill: a million).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Boolean, Column, Connection, Float, MetaData, SmallInteger, String, Table

from retentio.db.batches import collector_paused
from retentio.db.codec import codec_for
from retentio.db.types import json_type
from retentio.segments.bad_customers import assess
from retentio.segments.bulk import bulk_load, stream_rows
from retentio.segments.config import SegmentsConfig
from retentio.segments.facts import decide_facts
from retentio.segments.inputs import Signals
from retentio.segments.set_stage import stage
from retentio.segments.snapshots import INPUT_JOINS, Snapshot, parse_snapshot, snapshot_select

BATCH = 10_000

finish = Table(
    "segments_finish",
    MetaData(),
    Column("customer_id", String(128), primary_key=True),
    Column("bad_reasons", json_type()),
    Column("has_facts", Boolean),
    Column("reward_propensity", String(16)),
    Column("preferred_channel", String(16)),
    Column("preferred_hour", SmallInteger),
    Column("usual_interval_days", Float),
    prefixes=["TEMPORARY"],
)
_COLUMNS = [column.name for column in finish.columns]


def create_finish(connection: Connection) -> None:
    finish.drop(connection, checkfirst=True)
    finish.create(connection)


def drop_finish(connection: Connection) -> None:
    finish.drop(connection, checkfirst=True)


def fill_finish(connection: Connection, config: SegmentsConfig) -> int:
    """Explanations (a checklist score now) and personal facts (new rows) of the staged customers
    that need them; returns how many rows it wrote. Customers staged with score 0 have no
    explanation (the write clears theirs), and existing customers keep their facts: those change
    only with events, which the ingest reaction handles."""
    codec = codec_for(connection)
    sql = (
        f"SELECT g.is_new, g.moved_at, g.bad_score, {snapshot_select(codec, with_standing=False)}"
        f" FROM {stage.name} g JOIN customer_profiles p ON p.customer_id = g.customer_id {INPUT_JOINS}"
        " WHERE g.is_new OR g.bad_score > 0"
    )
    written = 0
    with collector_paused():
        for batch in stream_rows(connection, sql, BATCH):
            rows = [
                _finished(config, row[0], row[1], row[2], parse_snapshot(codec, row[3:])) for row in batch
            ]
            bulk_load(connection, finish, _COLUMNS, rows)
            written += len(rows)
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {finish.name}")  # as for the stage: no auto-analyse
    return written


def _finished(
    config: SegmentsConfig, is_new: Any, moved_at: int, score: int, snapshot: Snapshot
) -> tuple[Any, ...]:
    inputs = snapshot.inputs(snapshot.signals or Signals())
    reasons: Sequence[str] = ()
    if score > 0:
        # The explanations count what stood when the row was decided (a due time, for a sweep).
        reasons = assess(inputs, moved_at, config.bad_customers, config.signals.payment_days).reasons
    row: tuple[Any, ...] = (snapshot.customer_id, orjson.dumps(list(reasons)).decode(), bool(is_new))
    if not is_new:
        return (*row, None, None, None, None)
    facts = decide_facts(inputs, config.facts)
    return (
        *row,
        facts.reward_propensity,
        facts.preferred_channel,
        facts.preferred_hour,
        facts.usual_interval_days,
    )
