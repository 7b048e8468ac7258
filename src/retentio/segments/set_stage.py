"""Staging a set-based evaluation: the customers whose decided standing differs from the stored one,
with their old family values, in a temporary table the later steps read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from retentio.db.types import UtcDateTime
from retentio.segments.config import SegmentsConfig
from retentio.segments.rfm import RfmEdges
from retentio.segments.sql_decide import decisions_layer, differs, inputs_layer, moments_layer
from retentio.segments.sql_dialect import from_epoch

stage = Table(
    "segments_stage",
    MetaData(),
    # No key: the stage is only ever scanned, and an index would cost one more B-tree insert a row.
    Column("customer_id", String(128), nullable=False),
    Column("rfm_recency", SmallInteger),
    Column("rfm_frequency", SmallInteger),
    Column("rfm_monetary", SmallInteger),
    Column("rfm_cell", Integer),
    Column("rfm_segment", String(64)),
    Column("lifecycle", String(16)),
    Column("ladder", String(16)),
    Column("bad_score", SmallInteger),
    Column("next_due", BigInteger),
    Column("moved_at", BigInteger),  # epoch second a move is dated
    # The same instant as stored (computed once: the move events and the standing both write it).
    Column("moved_at_stored", UtcDateTime),
    Column("is_new", Boolean),
    Column("old_rfm_segment", String(64)),
    Column("old_lifecycle", String(16)),
    Column("old_ladder", String(16)),
    Column("old_bad_score", SmallInteger),
    Column("old_bad_customer", Boolean),
    prefixes=["TEMPORARY"],
)


def create_stage(connection: Connection) -> None:
    stage.drop(connection, checkfirst=True)
    stage.create(connection)


def drop_stage(connection: Connection) -> None:
    stage.drop(connection, checkfirst=True)


def fill_stage(
    connection: Connection,
    config: SegmentsConfig,
    edges: RfmEdges | None,
    now: datetime,
    due_only: bool,
    only: ColumnElement[bool] | None = None,
) -> int:
    """Stage every customer with a profile whose decided values differ from the stored ones, decided
    at ``now``; returns how many. With ``due_only``, only customers whose next due time has come, each
    decided at that due time: one step of the catch-up, so every move gets its own date."""
    decisions = decisions_layer(
        moments_layer(inputs_layer(now, due_only, only), config, edges), config, edges
    )
    c = decisions.c
    names = [column.name for column in stage.columns]
    computed = {"moved_at": c.now, "moved_at_stored": from_epoch(c.now)}
    query = select(*(computed[name] if name in computed else c[name] for name in names)).where(
        differs(decisions)
    )
    connection.execute(stage.insert().from_select(names, query))
    if connection.dialect.name == "postgresql":
        # Temporary tables are never auto-analysed: without statistics the joins that read the stage
        # are planned for a handful of rows.
        connection.exec_driver_sql(f"ANALYZE {stage.name}")
    # Counted rather than read from rowcount, which some drivers leave at -1 for INSERT ... SELECT.
    return int(connection.execute(select(func.count()).select_from(stage)).scalar_one())


def count_new(connection: Connection) -> int:
    """Staged customers without a standing before this evaluation."""
    return int(connection.execute(select(func.count()).select_from(stage).where(stage.c.is_new)).scalar_one())
