"""The one action that merges two customer records known to be one person (CDP-4), whole.

It lives on the ingest side, next to the rebuild it runs, because a merge changes what several areas
derived from the log: the customers area's records, orders and profiles, and the segments' standing,
signals and custom memberships. The customers area cannot reach the segments (they sit above it), so
the action that owns the whole change sits above both.

The segments consumer should be caught up before a merge (``retentio customers merge`` drains it
first): an event of the merged record that it has not read yet would otherwise be counted once by the
survivor's re-decision here and once more when the consumer reads it under the survivor's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from retentio.customers import lock_for_merge, merge_records
from retentio.db.retry import in_transaction
from retentio.events import reassign_events
from retentio.ingest.rebuild import rebuild_customers
from retentio.orders import reassign_orders
from retentio.segments import SegmentsConfig, any_segment, do_refresh_customers, reevaluate_customers


@dataclass(frozen=True, slots=True)
class MergeOptions:
    default_currency: str
    segments: SegmentsConfig  # the settings the survivor's standing is decided with


@dataclass(frozen=True, slots=True)
class MergeResult:
    events_moved: int


def do_merge_customers(
    engine: Engine, survivor_id: str, merged_id: str, now: datetime, options: MergeOptions
) -> MergeResult:
    """Merge ``merged_id`` into ``survivor_id`` in one transaction (run again whole if the database
    gives it up for crossing a concurrent batch); raises ``MergeRefused`` and changes nothing when the
    two cannot be merged."""
    return in_transaction(
        engine, lambda connection: merge_customers(connection, survivor_id, merged_id, now, options)
    )


def merge_customers(
    connection: Connection, survivor_id: str, merged_id: str, now: datetime, options: MergeOptions
) -> MergeResult:
    """The merge inside the caller's transaction.

    The merged record's activity and orders move to the survivor, whose orders and profile are
    rebuilt from the log; its segment moves stay with it as its history, so the survivor is not
    shown entering a stage it is already in. The merged record loses its standing and signals and
    leaves every custom segment (an exit event each); the survivor is decided again, and moves only
    where the merged history changes where it stands.
    """
    lock_for_merge(connection, survivor_id, merged_id)
    moved = _move_activity(connection, survivor_id, merged_id)
    merge_records(connection, survivor_id, merged_id, now)
    both = [survivor_id, merged_id]
    rebuild_customers(connection, both, now, options.default_currency)
    do_refresh_customers(connection, both, now, options.segments)
    if any_segment(connection):
        reevaluate_customers(connection, both, now, options.default_currency)
    return MergeResult(events_moved=moved)


def _move_activity(connection: Connection, survivor_id: str, merged_id: str) -> int:
    """Every event of the merged record but its segment moves, and its orders; returns events moved."""
    moved = reassign_events(connection, merged_id, survivor_id)
    reassign_orders(connection, merged_id, survivor_id)
    return moved
