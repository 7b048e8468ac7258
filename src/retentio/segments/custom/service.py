"""The custom segments facade: create, change, refresh, read. Writers take a connection inside the
caller's transaction (``do_*``); ``refresh_segments`` runs one transaction per segment."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from retentio.segments.custom.check import SEGMENT_NAME
from retentio.segments.custom.errors import InvalidRule, RuleError, SegmentExists, SegmentNotFound
from retentio.segments.custom.evaluate import in_dependency_order, refresh_one
from retentio.segments.custom.graph import find_cycle
from retentio.segments.custom.model import (
    SegmentCondition,
    leaves_with_paths,
    referenced_segments,
)
from retentio.segments.custom.moves import Moves
from retentio.segments.custom.parse import Definition
from retentio.segments.custom.store import (
    EXPORT_COLUMNS,
    Member,
    SizePoint,
    StoredSegment,
    export_rows,
    insert_segment,
    load_segment,
    load_segments,
    members_page,
    size_points,
    update_rule,
)


@dataclass(frozen=True, slots=True)
class SegmentView:
    name: str
    description: str
    rule: dict[str, Any]
    size: int
    created_at: datetime
    updated_at: datetime
    refreshed_at: datetime | None


@dataclass(frozen=True, slots=True)
class RefreshResult:
    name: str
    size: int
    entered: int
    exited: int


def do_create_segment(
    connection: Connection, name: str, definition: Definition, now: datetime
) -> SegmentView:
    """Store a new segment (empty until refreshed). Refuses a bad name, a reference to an unknown
    segment or to itself, then an existing name: the insert decides that one, so it holds for
    creates racing each other too."""
    if not SEGMENT_NAME.match(name):
        raise InvalidRule(
            [RuleError("name", "lower-case letters, digits, _ and -, at most 64, e.g. coffee_lovers")]
        )
    _check_references(connection, name, definition)
    if insert_segment(connection, name, definition.description, definition.rule, now) is None:
        raise SegmentExists(f"a segment named {name!r} exists already")
    return _view(_require(connection, name))


def do_update_segment(
    connection: Connection, name: str, definition: Definition, now: datetime
) -> SegmentView:
    """Replace a segment's rule; members change at its next refresh."""
    segment = _require(connection, name, lock=True)
    _check_references(connection, name, definition)
    update_rule(connection, segment.id, definition.description, definition.rule, now)
    return _view(_require(connection, name))


def do_refresh_segment(connection: Connection, name: str, now: datetime, currency: str) -> RefreshResult:
    moves = refresh_one(connection, name, now, currency)
    if moves is None:
        raise SegmentNotFound(f"no segment named {name!r}")
    return _result(name, moves)


def refresh_segments(
    engine: Engine, names: Sequence[str] | None, now: datetime, currency: str
) -> list[RefreshResult]:
    """Refresh the named segments (all when ``names`` is None) in dependency order, one transaction
    each: a segment built on another sees that one's new membership."""
    with engine.connect() as connection:
        stored = in_dependency_order(load_segments(connection))
    known = {segment.name for segment in stored}
    missing = sorted(set(names or ()) - known)
    if missing:
        raise SegmentNotFound(f"no segment named {missing[0]!r}")
    chosen = [segment.name for segment in stored if names is None or segment.name in names]
    results = []
    for name in chosen:
        with engine.begin() as connection:
            results.append(do_refresh_segment(connection, name, now, currency))
    return results


def get_segment(connection: Connection, name: str) -> SegmentView | None:
    segment = load_segment(connection, name)
    return _view(segment) if segment is not None else None


def list_segments(connection: Connection) -> list[SegmentView]:
    return sorted((_view(segment) for segment in load_segments(connection)), key=lambda view: view.name)


def segment_members(connection: Connection, name: str, after: str | None, limit: int) -> list[Member]:
    return members_page(connection, _require(connection, name).id, after, limit)


def segment_sizes(connection: Connection, name: str, since: datetime | None = None) -> list[SizePoint]:
    return size_points(connection, _require(connection, name).id, since)


def _check_references(connection: Connection, name: str, definition: Definition) -> None:
    others = {segment.name: referenced_segments(segment.rule) for segment in load_segments(connection)}
    errors = []
    for path, leaf in leaves_with_paths(definition.rule):
        if isinstance(leaf, SegmentCondition) and leaf.segment == name:
            errors.append(RuleError(f"{path}.segment", "a segment cannot contain itself"))
        elif isinstance(leaf, SegmentCondition) and leaf.segment not in others:
            errors.append(RuleError(f"{path}.segment", f"no segment named {leaf.segment!r}"))
    others[name] = referenced_segments(definition.rule)
    cycle = None if errors else find_cycle(others)
    if cycle is not None:
        errors.append(
            RuleError("rule", "segments would refer to each other in a cycle: " + " → ".join(cycle))
        )
    if errors:
        raise InvalidRule(errors)


def _require(connection: Connection, name: str, lock: bool = False) -> StoredSegment:
    segment = load_segment(connection, name, lock=lock)
    if segment is None:
        raise SegmentNotFound(f"no segment named {name!r}")
    return segment


def _view(segment: StoredSegment) -> SegmentView:
    return SegmentView(
        name=segment.name,
        description=segment.description,
        rule=segment.document,
        size=segment.size,
        created_at=segment.created_at,
        updated_at=segment.updated_at,
        refreshed_at=segment.refreshed_at,
    )


def _result(name: str, moves: Moves) -> RefreshResult:
    return RefreshResult(name=name, size=moves.size, entered=moves.entered, exited=moves.exited)


def export_members(connection: Connection, name: str) -> Iterator[tuple[Any, ...]]:
    """The header (``EXPORT_COLUMNS``) comes first, then one row per member."""
    segment = _require(connection, name)
    yield EXPORT_COLUMNS
    yield from export_rows(connection, segment.id)
