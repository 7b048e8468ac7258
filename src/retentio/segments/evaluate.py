"""Per-customer evaluation: decide the standing of a few customers, record what moved, write what
changed. The ingest reaction and small sweeps go through here; the full refresh is set-based."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from retentio.events.store import append_new_events
from retentio.segments.config import SegmentsConfig
from retentio.segments.decide import Standing, decide_standing
from retentio.segments.inputs import CustomerInputs, Signals, instant
from retentio.segments.rfm import RfmEdges
from retentio.segments.snapshots import Snapshot, StoredStanding
from retentio.segments.standing_store import Decided, decided_values, load_edges, save_standing
from retentio.segments.transitions import (
    CLEAR,
    FLAGGED,
    START,
    FamilyValues,
    Move,
    changed_families,
    move_events,
    reason_for,
)


@dataclass(frozen=True, slots=True)
class Evaluation:
    evaluated: int
    changed: int
    moves: tuple[Move, ...]


def evaluate_customers(
    connection: Connection,
    snapshots: Mapping[str, Snapshot],
    signals: Mapping[str, Signals],
    now: datetime,
    config: SegmentsConfig,
    moved_at: Mapping[str, datetime] | None = None,
) -> Evaluation:
    """Decide the customers of ``snapshots`` (with ``signals`` where given) at ``now``; a move is
    dated ``moved_at[customer]`` (default ``now``)."""
    edges = load_edges(connection)
    rows: dict[str, tuple[Decided, tuple[datetime | None, ...]]] = {}
    moves: list[Move] = []
    dates = moved_at or {}
    for customer_id in sorted(snapshots):
        snapshot = snapshots[customer_id]
        current = signals.get(customer_id) or snapshot.signals or Signals()
        inputs = snapshot.inputs(current)
        outcome = _evaluate_one(inputs, snapshot.stored, edges, now, dates.get(customer_id, now), config)
        if outcome is not None:
            rows[customer_id], found = outcome
            moves.extend(found)
    save_standing(connection, rows, {cid for cid, snapshot in snapshots.items() if snapshot.stored})
    append_new_events(connection, move_events(moves), now)
    return Evaluation(evaluated=len(snapshots), changed=len(rows), moves=tuple(moves))


def _evaluate_one(
    inputs: CustomerInputs,
    previous: StoredStanding | None,
    edges: RfmEdges | None,
    now: datetime,
    at: datetime,
    config: SegmentsConfig,
) -> tuple[tuple[Decided, tuple[datetime | None, ...]], list[Move]] | None:
    standing = decide_standing(inputs, edges, instant(now) or 0, config)
    decided = decided_values(standing)
    if previous is not None and previous.decided == decided:
        return None
    before = START if previous is None else family_values_of(previous.decided)
    after = family_values(standing)
    moves = [
        Move(
            inputs.customer_id,
            family,
            before.of(family),
            after.of(family),
            _reason(family, standing, config),
            at,
        )
        for family in changed_families(before, after, config.move_events)
    ]
    lifecycle_since = _since(previous, before.lifecycle != after.lifecycle, at, "lifecycle")
    ladder_since = _since(previous, before.ladder != after.ladder, at, "ladder")
    return (decided, (lifecycle_since, ladder_since, now)), moves


def _since(previous: StoredStanding | None, moved: bool, at: datetime, family: str) -> datetime | None:
    if moved or previous is None:
        return at
    return previous.lifecycle_since if family == "lifecycle" else previous.ladder_since


def family_values(standing: Standing) -> FamilyValues:
    return FamilyValues(
        rfm=standing.rfm_segment,
        lifecycle=standing.lifecycle,
        ladder=standing.ladder,
        bad_customer=FLAGGED if standing.bad_customer else CLEAR,
    )


def family_values_of(decided: Decided) -> FamilyValues:
    return FamilyValues(
        rfm=decided[3], lifecycle=decided[4], ladder=decided[5], bad_customer=FLAGGED if decided[7] else CLEAR
    )


def _reason(family: str, standing: Standing, config: SegmentsConfig) -> str:
    to = family_values(standing).of(family)
    if family == "rfm":
        return reason_for(family, to, config, standing.rfm.cell if standing.rfm else "")
    if family == "bad_customer":
        return reason_for(family, to, config, str(standing.bad_score))
    return reason_for(family, to, config)
