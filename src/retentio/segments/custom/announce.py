"""Every move in or out of a custom segment is also an event in the log (``segment_entered`` /
``segment_exited``, family ``custom:<name>``), as the built-in families' moves are, so journeys and
reports react to custom segments the same way.

Event ids follow ``retentio.segments.transitions.event_id`` (long ones hashed), so recording the same
move twice stores it once. A refresh writes its events set-based, straight from the moved ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, String, bindparam, func, literal, select

from retentio.events import append_new_events, append_selected_events, events
from retentio.segments.transitions import EVENT_ID_LENGTH, Move, move_events

ENTERED_REASON = "matches the segment's rule"
EXITED_REASON = "no longer matches the segment's rule"


def family_of(name: str) -> str:
    return f"custom:{name}"


def announce_moves(
    connection: Connection,
    name: str,
    entered: Sequence[str],
    exited: Sequence[str],
    now: datetime,
    historical: frozenset[str] = frozenset(),
    cause: str = "",
) -> None:
    """The events of a few moves (incremental evaluation); the moves of ``historical`` customers were
    caused only by history; ``cause`` (the consumer's batch) goes into the event ids."""
    family = family_of(name)
    moves = [Move(cid, family, None, name, ENTERED_REASON, now, cid in historical, cause) for cid in entered]
    moves += [Move(cid, family, name, None, EXITED_REASON, now, cid in historical, cause) for cid in exited]
    append_new_events(connection, move_events(moves), now)


def announce_set(connection: Connection, name: str, moved: Select[Any], entered: bool, now: datetime) -> None:
    """The events of every customer ``moved`` selects (one column of ids), in two statements."""
    family = family_of(name)
    kind, type_name = ("in", "segment_entered") if entered else ("out", "segment_exited")
    prefix = f"seg:{family}:{kind}:{name}:{int(now.timestamp())}:"
    who = moved.subquery("moved")
    identifier = literal(prefix, String) + who.c.customer_id
    properties = _properties(name, entered)
    rows = select(
        identifier,
        literal(type_name, String),
        who.c.customer_id,
        bindparam(None, now, events.c.occurred_at.type),
        bindparam(None, now, events.c.received_at.type),
        bindparam(None, properties, events.c.properties.type),
    ).where(func.length(identifier) <= EVENT_ID_LENGTH)
    append_selected_events(connection, rows)
    long_ids = list(
        connection.scalars(select(who.c.customer_id).where(func.length(identifier) > EVENT_ID_LENGTH))
    )
    if long_ids:
        announce_moves(connection, name, long_ids if entered else [], [] if entered else long_ids, now)


def _properties(name: str, entered: bool) -> dict[str, Any]:
    return {
        "family": family_of(name),
        "from": None if entered else name,
        "to": name if entered else None,
        "reason": ENTERED_REASON if entered else EXITED_REASON,
    }
