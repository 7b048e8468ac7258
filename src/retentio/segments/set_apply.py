"""Applying a staged evaluation: move events first (they need the old values), then the standing
rows, joined with the Python-only parts (explanations, personal facts) ``set_finish`` computed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.db.batches import dialect_insert
from retentio.events import append_new_events, append_selected_events, events
from retentio.segments.config import FAMILIES, UNMATCHED_SEGMENT, SegmentsConfig
from retentio.segments.ladder import LADDER_STAGES
from retentio.segments.lifecycle import LIFECYCLE_STAGES
from retentio.segments.set_finish import finish
from retentio.segments.set_stage import stage
from retentio.segments.sql_dialect import as_text, empty_json_array, from_epoch, json_object
from retentio.segments.tables import customer_standing
from retentio.segments.transitions import (
    CLEAR,
    ENTERED,
    EVENT_ID_LENGTH,
    EXITED,
    FLAGGED,
    START,
    Move,
    detail_reason_parts,
    move_events,
    reason_for,
)

Expr = ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class FamilyColumns:
    before: Expr
    after: Expr
    reason: Expr


def family_columns(family: str, config: SegmentsConfig) -> FamilyColumns:
    """A family's old value, new value and move reason over the stage."""
    if family == "bad_customer":
        flagged = stage.c.bad_score >= literal(config.bad_customers.threshold)
        after: Expr = case((flagged, literal(FLAGGED)), else_=literal(CLEAR))
        old_flag = case((stage.c.old_bad_customer, literal(FLAGGED)), else_=literal(CLEAR))
        return FamilyColumns(
            _before(family, old_flag), after, _detailed(family, flagged, stage.c.bad_score, config)
        )
    if family == "rfm":
        present = stage.c.rfm_segment.is_not(None)
        reason = case(
            (present, _detailed("rfm", present, stage.c.rfm_cell, config)),
            else_=literal(reason_for("rfm", None, config)),
        )
        return FamilyColumns(_before(family, stage.c.old_rfm_segment), stage.c.rfm_segment, reason)
    column, old_value, stages = (
        (stage.c.lifecycle, stage.c.old_lifecycle, LIFECYCLE_STAGES)
        if family == "lifecycle"
        else (stage.c.ladder, stage.c.old_ladder, LADDER_STAGES)
    )
    texts = {value: reason_for(family, value, config) for value in stages}
    return FamilyColumns(_before(family, old_value), column, case(texts, value=column, else_=literal("")))


def _before(family: str, old_value: Expr) -> Expr:
    start = START.of(family)
    return case((stage.c.is_new, literal(start) if start is not None else null()), else_=old_value)


def _detailed(family: str, condition: Expr, detail: Expr, config: SegmentsConfig) -> Expr:
    """Reason text with a number in it, for a two-way destination (flagged/clear, present/absent)."""
    yes_prefix, yes_suffix = detail_reason_parts(family, FLAGGED, config)
    no_prefix, no_suffix = detail_reason_parts(family, CLEAR, config)
    prefix = case((condition, literal(yes_prefix)), else_=literal(no_prefix))
    suffix = case((condition, literal(yes_suffix)), else_=literal(no_suffix))
    return prefix + as_text(detail) + suffix


def record_moves(connection: Connection, config: SegmentsConfig, now: datetime) -> None:
    """One event per staged move (an entry, or an exit to nowhere: ``transitions.move_kind``): in SQL
    for customer ids short enough for a readable event id whatever the move, through the Python path
    (which digests long ids) for the others."""
    limit = EVENT_ID_LENGTH - _longest_prefix(config)
    short = func.length(stage.c.customer_id) <= limit
    for family in config.move_events:
        columns = family_columns(family, config)
        moved = columns.before.is_distinct_from(columns.after)
        entered = columns.after.is_not(None)
        identifier = (
            literal(f"seg:{family}:")
            + case((entered, literal("in:") + columns.after), else_=literal("out:") + columns.before)
            + literal(":")
            + as_text(stage.c.moved_at)
            + literal(":")
            + stage.c.customer_id
        )
        type_name = case((entered, literal(ENTERED)), else_=literal(EXITED))
        _insert_events(connection, moved & short, identifier, type_name, family, columns, now)
    _record_long_ids(connection, config, limit, now)


def _longest_prefix(config: SegmentsConfig) -> int:
    """The longest ``seg:<family>:<kind>:<value>:<epoch>:`` any move can have."""
    values = [*LIFECYCLE_STAGES, *LADDER_STAGES, FLAGGED, CLEAR, UNMATCHED_SEGMENT]
    values += [rule.name for rule in config.rfm.rules]
    families = max(len(family) for family in FAMILIES)
    return len("seg:") + families + len(":out:") + max(len(value) for value in values) + 1 + 11 + 1


def _insert_events(
    connection: Connection,
    wanted: Expr,
    identifier: Expr,
    type_name: Expr,
    family: str,
    columns: FamilyColumns,
    now: datetime,
) -> None:
    properties = json_object(
        literal("family"),
        literal(family),
        literal("from"),
        columns.before,
        literal("to"),
        columns.after,
        literal("reason"),
        columns.reason,
    )
    rows = select(
        identifier,
        type_name,
        stage.c.customer_id,
        stage.c.moved_at_stored,
        bindparam("received_at", now, events.c.received_at.type),
        properties,
    ).where(wanted)
    append_selected_events(connection, rows)


def _record_long_ids(connection: Connection, config: SegmentsConfig, limit: int, now: datetime) -> None:
    """The (rare) customers with long ids: their moves through the Python path, in one read."""
    families = {family: family_columns(family, config) for family in config.move_events}
    selected: list[Expr] = [stage.c.customer_id, stage.c.moved_at]
    for columns in families.values():
        selected += [columns.before, columns.after, columns.reason]
    moves: list[Move] = []
    for row in connection.execute(select(*selected).where(func.length(stage.c.customer_id) > limit)):
        at = datetime.fromtimestamp(row[1], UTC)
        for index, family in enumerate(families):
            before, after, reason = row[2 + 3 * index : 5 + 3 * index]
            if before != after:
                moves.append(Move(row[0], family, before, after, reason, at))
    append_new_events(connection, move_events(moves), now)


def write_standing(connection: Connection, config: SegmentsConfig, now: datetime) -> None:
    """Write the staged decisions with what ``set_finish`` computed: new rows inserted, stored ones
    upserted (on SQLite faster than an ``UPDATE ... FROM``, and no slower on PostgreSQL). Personal
    facts are set on new rows only: they change with events, which the ingest reaction handles."""
    flagged = stage.c.bad_score >= literal(config.bad_customers.threshold)
    decided: dict[str, Expr] = {
        "rfm_recency": stage.c.rfm_recency,
        "rfm_frequency": stage.c.rfm_frequency,
        "rfm_monetary": stage.c.rfm_monetary,
        "rfm_segment": stage.c.rfm_segment,
        "lifecycle": stage.c.lifecycle,
        "ladder": stage.c.ladder,
        "bad_score": stage.c.bad_score,
        "bad_customer": flagged,
        # Staged without a score: no explanation (``set_finish`` wrote the others).
        "bad_reasons": func.coalesce(finish.c.bad_reasons, empty_json_array()),
        "do_not_incentivize": flagged,
        "next_due_at": from_epoch(stage.c.next_due),
        "computed_at": bindparam("computed_at", now, customer_standing.c.computed_at.type),
        # Since when in the stage: the move's time on a new row; on a stored row it changes only when
        # the stage does (the update compares with the row's own value, so the stage need not carry it).
        "lifecycle_since": stage.c.moved_at_stored,
        "ladder_since": stage.c.moved_at_stored,
    }
    facts = {name: finish.c[name] for name in FACTS}
    selected = {"customer_id": stage.c.customer_id, **decided, **facts}
    joined = stage.outerjoin(finish, finish.c.customer_id == stage.c.customer_id)
    # New rows by a plain insert: nobody else can add them meanwhile (the refresh holds the standing
    # lock), and on PostgreSQL a speculative insertion per row costs a third more.
    new_rows = select(*selected.values()).select_from(joined).where(stage.c.is_new)
    connection.execute(customer_standing.insert().from_select(list(selected), new_rows))
    stored_rows = select(*selected.values()).select_from(joined).where(~stage.c.is_new)
    statement = dialect_insert(connection, customer_standing).from_select(list(selected), stored_rows)
    assignments: dict[str, Any] = {name: statement.excluded[name] for name in decided}
    for name in ("lifecycle", "ladder"):
        stored = customer_standing.c[name]
        assignments[f"{name}_since"] = case(
            (stored.is_distinct_from(statement.excluded[name]), statement.excluded[f"{name}_since"]),
            else_=customer_standing.c[f"{name}_since"],
        )
    statement = statement.on_conflict_do_update(index_elements=["customer_id"], set_=assignments)
    connection.execute(statement)


FACTS = ("reward_propensity", "preferred_channel", "preferred_hour", "usual_interval_days")
