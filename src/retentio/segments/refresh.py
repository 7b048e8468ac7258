"""The full refresh and the sweep: set-based, each one transaction run by the caller.

``do_refresh_standing`` recomputes the RFM edges from the current base and every customer's standing;
``do_sweep`` moves only the customers whose next due time has come (time-driven moves: nobody sends
an event when a customer goes quiet). Readers see the old standing until the caller commits, and a
refresh killed halfway leaves it untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.sql.elements import ColumnElement

from retentio.customers import customer_profiles
from retentio.segments.config import SegmentsConfig
from retentio.segments.rfm import RfmEdges
from retentio.segments.rfm_edges import (
    Thresholds,
    compute_edges,
    config_digest,
    load_thresholds,
    may_change,
    store_thresholds,
)
from retentio.segments.set_apply import record_moves, write_standing
from retentio.segments.set_finish import create_finish, drop_finish, fill_finish
from retentio.segments.set_stage import count_new, create_stage, drop_stage, fill_stage
from retentio.segments.signals_store import rebuild_signals
from retentio.segments.standing_store import due_index_rebuilt, load_edges
from retentio.segments.tables import customer_standing

MAX_CATCH_UP_STEPS = 32  # each step moves every due customer past one threshold


@dataclass(frozen=True, slots=True)
class RefreshResult:
    changed: int  # standing rows written
    new: int  # customers with a standing for the first time
    edges: RfmEdges | None


def do_refresh_standing(
    connection: Connection,
    now: datetime,
    config: SegmentsConfig,
    *,
    record: bool = True,
    rebuild_new_signals: bool = True,
    everyone: bool = False,
    keep_edges: bool = False,
) -> RefreshResult:
    """Recompute the RFM edges from the whole base and bring every customer's standing up to date.

    First the time-driven moves that are due (each dated when it happened), then the customers the
    new edges can move, and everyone when the settings changed or ``everyone`` is asked: the result
    is what deciding every customer afresh gives (the property test holds it to that), at the cost
    of what changed. ``record=False`` (a first backfill of imported history) stores the standing
    without writing moves as events; ``rebuild_new_signals`` reads the signals of customers never
    decided before back from the log; ``keep_edges`` decides against the stored RFM edges instead
    of new ones (re-deciding after a change of settings without moving the quintiles).
    """
    _lock(connection)
    if rebuild_new_signals:
        rebuild_signals(connection, _never_evaluated(connection), now, config.signals.payment_days)
    swept = _catch_up(connection, now, config, record)
    previous = load_thresholds(connection)
    edges: RfmEdges | None = compute_edges(connection)
    if keep_edges:
        edges = previous.edges if previous is not None else None
    if edges is not None:
        store_thresholds(connection, Thresholds(edges, config_digest(config)), now)
    only = None
    if (
        not everyone
        and previous is not None
        and edges is not None
        and previous.config_digest == config_digest(config)
    ):
        only = may_change(previous.edges, edges)
    result = _evaluate(connection, now, config, edges, due_only=False, record=record, only=only)
    return RefreshResult(changed=result.changed + swept.changed, new=result.new, edges=edges)


def do_sweep(connection: Connection, now: datetime, config: SegmentsConfig) -> RefreshResult:
    """Move the customers whose standing changes with time alone by ``now``, each move dated when
    its threshold was crossed (several in turn when the sweep comes late)."""
    _lock(connection)
    return _catch_up(connection, now, config, record=True)


def _catch_up(connection: Connection, now: datetime, config: SegmentsConfig, record: bool) -> RefreshResult:
    edges, changed = load_edges(connection), 0
    for _ in range(MAX_CATCH_UP_STEPS):
        step = _evaluate(connection, now, config, edges, due_only=True, record=record)
        changed += step.changed
        if not step.changed:
            break
    return RefreshResult(changed=changed, new=0, edges=edges)


def sweep_hook(config: SegmentsConfig) -> Callable[[Engine, datetime], None]:
    """A day hook for the demo/simulator: sweep at the end of every simulated day."""

    def sweep(engine: Engine, now: datetime) -> None:
        with engine.begin() as connection:
            do_sweep(connection, now, config)

    return sweep


def _evaluate(
    connection: Connection,
    now: datetime,
    config: SegmentsConfig,
    edges: RfmEdges | None,
    due_only: bool,
    record: bool,
    only: ColumnElement[bool] | None = None,
) -> RefreshResult:
    # The stage is created inside the caller's transaction: on failure the rollback removes it.
    create_stage(connection)
    changed = fill_stage(connection, config, edges, now, due_only, only)
    new = 0
    if changed:
        if record:
            record_moves(connection, config, now)
        create_finish(connection)
        fill_finish(connection, config)
        with due_index_rebuilt(connection, changed):
            write_standing(connection, config, now)
        new = count_new(connection)
        drop_finish(connection)
    drop_stage(connection)
    return RefreshResult(changed=changed, new=new, edges=edges)


def _never_evaluated(connection: Connection) -> list[str]:
    query = (
        select(customer_profiles.c.customer_id)
        .outerjoin(customer_standing, customer_standing.c.customer_id == customer_profiles.c.customer_id)
        .where(customer_standing.c.customer_id.is_(None))
    )
    return list(connection.execute(query).scalars())


def _lock(connection: Connection) -> None:
    """On PostgreSQL, hold concurrent writers of standing off until commit (reads go on); SQLite's
    write transaction is exclusive already."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE customer_standing IN EXCLUSIVE MODE")
