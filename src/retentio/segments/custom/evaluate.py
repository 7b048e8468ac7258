"""Evaluating stored segments: in dependency order, for everyone (refresh) or for a few customers
(incremental), and a rule alone without writing anything (preview, tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from retentio.segments.custom.announce import announce_moves
from retentio.segments.custom.compile import compile_rule
from retentio.segments.custom.graph import evaluation_order
from retentio.segments.custom.model import Rule, referenced_segments
from retentio.segments.custom.moves import INGEST, Moves, move_customers, record_size
from retentio.segments.custom.refresh import refresh_membership
from retentio.segments.custom.sql_context import CustomerIds, SqlContext
from retentio.segments.custom.store import StoredSegment, add_to_size, load_segment, load_segments
from retentio.segments.custom.tables import custom_segment_members as members


def in_dependency_order(segments: Sequence[StoredSegment]) -> list[StoredSegment]:
    by_name = {segment.name: segment for segment in segments}
    references = {segment.name: referenced_segments(segment.rule) for segment in segments}
    return [by_name[name] for name in evaluation_order(references)]


def matching_customers(connection: Connection, rule: Rule, now: datetime, currency: str) -> set[str]:
    """Who matches ``rule`` now (a full evaluation; nothing is written)."""
    context = _context(connection, now, currency)
    return set(connection.scalars(compile_rule(rule, context)))


def refresh_one(connection: Connection, name: str, now: datetime, currency: str) -> Moves | None:
    """Recompute one segment's membership (its row locked, so incremental writers wait)."""
    segment = load_segment(connection, name, lock=True)
    if segment is None:
        return None
    matching = compile_rule(segment.rule, _context(connection, now, currency))
    first_fill = segment.refreshed_at is None
    return refresh_membership(
        connection, segment.id, segment.name, matching, now, record_moves=not first_fill
    )


def reevaluate_customers(
    connection: Connection,
    customer_ids: Sequence[str],
    now: datetime,
    currency: str,
    historical: frozenset[str] = frozenset(),
    cause: str = "",
) -> dict[str, Moves]:
    """Re-evaluate every segment for ``customer_ids`` only: one query per segment, in dependency
    order, so a segment built on another sees that one's new membership. The moves of
    ``historical`` customers are marked as caused by history."""
    if not customer_ids:
        return {}
    segments = in_dependency_order(load_segments(connection, lock=True))
    only = CustomerIds(sorted(set(customer_ids)), connection.dialect.name)
    context = _context(connection, now, currency, segments, only)
    moves: dict[str, Moves] = {}
    for segment in segments:
        moved = _reevaluate(connection, segment, context, only, historical, cause)
        if moved is not None:
            moves[segment.name] = moved
    return moves


def _reevaluate(
    connection: Connection,
    segment: StoredSegment,
    context: SqlContext,
    only: CustomerIds,
    historical: frozenset[str],
    cause: str,
) -> Moves | None:
    """One segment for the given customers: their moves written, or None when nobody moved."""
    found = set(connection.scalars(compile_rule(segment.rule, context)))
    before = set(connection.scalars(_members_among(segment.id, only)))
    entered, exited = sorted(found - before), sorted(before - found)
    if not entered and not exited:
        return None
    now = context.now
    move_customers(connection, segment.id, entered, exited, now)
    announce_moves(connection, segment.name, entered, exited, now, historical, cause)
    size = add_to_size(connection, segment.id, len(entered) - len(exited))
    moves = Moves(size=size, entered=len(entered), exited=len(exited))
    record_size(connection, segment.id, INGEST, moves, now)
    return moves


def _members_among(segment_id: int, only: CustomerIds) -> Select[Any]:
    """Which of the given customers are members now (one key lookup each)."""
    source, limits = only.restrict(members, members.c.customer_id)
    return (
        select(members.c.customer_id).select_from(source).where(members.c.segment_id == segment_id, *limits)
    )


def _context(
    connection: Connection,
    now: datetime,
    currency: str,
    segments: Sequence[StoredSegment] | None = None,
    only: CustomerIds | None = None,
) -> SqlContext:
    known = segments if segments is not None else load_segments(connection)
    return SqlContext(
        now=now,
        dialect=connection.dialect.name,
        currency=currency,
        segment_ids={segment.name: segment.id for segment in known},
        only=only,
    )
