"""Per-customer evaluation: decide the standing of a few customers, record what moved, write what
changed. The ingest reaction and small sweeps go through here; the full refresh is set-based."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from retentio.events import append_new_events
from retentio.segments.config import FAMILIES, SegmentsConfig
from retentio.segments.decide import Decided, decide_standing
from retentio.segments.inputs import Signals, instant
from retentio.segments.snapshots import Snapshot, StoredStanding
from retentio.segments.standing_store import load_edges, save_standing
from retentio.segments.transitions import CLEAR, FLAGGED, START, Move, move_events, reason_for


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
    historical: frozenset[str] = frozenset(),
    cause: str = "",
) -> Evaluation:
    """Decide the customers of ``snapshots`` (with ``signals`` where given) at ``now``; a move is
    dated ``moved_at[customer]`` (default ``now``) and marked historical for ``historical`` ones."""
    edges = load_edges(connection)
    at_now = instant(now) or 0
    rows: dict[str, tuple[Decided, tuple[datetime | None, ...]]] = {}
    moves: list[Move] = []
    dates = moved_at or {}
    no_signals = Signals()
    for customer_id in sorted(snapshots):
        snapshot = snapshots[customer_id]
        inputs = snapshot.inputs(signals.get(customer_id) or snapshot.signals or no_signals)
        decided = decide_standing(inputs, edges, at_now, config)
        previous = snapshot.stored
        if previous is not None and previous.decided == decided:
            continue
        at = dates.get(customer_id, now)
        before = START_PLACES if previous is None else places(previous.decided)
        after = places(decided)
        if before != after:
            found = _moves(customer_id, before, after, decided, at, config)
            if cause or customer_id in historical:
                found = [replace(move, historical=customer_id in historical, cause=cause) for move in found]
            moves.extend(found)
        rows[customer_id] = (decided, (*_since(previous, before, after, at), now))
    save_standing(connection, rows, {cid for cid, snapshot in snapshots.items() if snapshot.stored})
    append_new_events(connection, move_events(moves), now)
    return Evaluation(evaluated=len(snapshots), changed=len(rows), moves=tuple(moves))


# Where a customer is in each family (in FAMILIES order), as the move events name it: a plain tuple,
# so that "nothing moved" is one comparison for the customers a batch does not move.
Places = tuple[str | None, str | None, str | None, str | None]
_PLACE_OF = {family: index for index, family in enumerate(FAMILIES)}
_LIFECYCLE, _LADDER = _PLACE_OF["lifecycle"], _PLACE_OF["ladder"]
START_PLACES: Places = (START.rfm, START.lifecycle, START.ladder, START.bad_customer)


def places(decided: Decided) -> Places:
    return (
        decided.rfm_segment,
        decided.lifecycle,
        decided.ladder,
        FLAGGED if decided.bad_customer else CLEAR,
    )


def _moves(
    customer_id: str, before: Places, after: Places, decided: Decided, at: datetime, config: SegmentsConfig
) -> list[Move]:
    found: list[Move] = []
    for family in config.move_events:
        index = _PLACE_OF[family]
        if before[index] != after[index]:
            reason = _reason(family, after[index], decided, config)
            found.append(Move(customer_id, family, before[index], after[index], reason, at))
    return found


def _since(
    previous: StoredStanding | None, before: Places, after: Places, at: datetime
) -> tuple[datetime | None, datetime | None]:
    if previous is None:
        return at, at
    return (
        at if before[_LIFECYCLE] != after[_LIFECYCLE] else previous.lifecycle_since,
        at if before[_LADDER] != after[_LADDER] else previous.ladder_since,
    )


def _reason(family: str, to: str | None, decided: Decided, config: SegmentsConfig) -> str:
    if family == "rfm":
        return reason_for(family, to, config, decided.rfm_cell)
    if family == "bad_customer":
        return reason_for(family, to, config, str(decided.bad_score))
    return reason_for(family, to, config)
