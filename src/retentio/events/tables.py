"""The append-only event log: every fact about a customer arrives here first; consumers read it by
position and keep their checkpoints beside it."""

from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, false, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type


class writing_transaction(FunctionElement[int]):  # noqa: N801 (an SQL function, named as one)
    """The id of the transaction writing the row: PostgreSQL's 64-bit ``pg_current_xact_id()``;
    0 on SQLite, where one writer at a time commits rows in id order."""

    type = BigInteger()
    inherit_cache = True


@compiles(writing_transaction)
def _writing_transaction(_element: writing_transaction, _compiler: SQLCompiler, **_kw: Any) -> str:
    return "0"


@compiles(writing_transaction, "postgresql")
def _writing_transaction_postgres(_element: writing_transaction, _compiler: SQLCompiler, **_kw: Any) -> str:
    return "(pg_current_xact_id()::text::bigint)"


events = Table(
    "events",
    METADATA,
    # INTEGER on SQLite so the id is the rowid; BIGINT elsewhere for a long-lived log.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # The client's id: the unique index is what makes a resent event land once.
    Column("event_id", String(128), nullable=False, unique=True),
    Column("type", String(128), nullable=False),
    Column("customer_id", String(128)),
    Column("anonymous_id", String(128)),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("properties", json_type(), nullable=False),
    # The writing transaction's id on PostgreSQL (0 on SQLite, whose writers commit in id order):
    # consumers read in (tx, id) order up to the oldest transaction still running, so a transaction
    # that took a lower id but commits later is never skipped (``events.log``).
    Column("tx", BigInteger, nullable=False, server_default=writing_transaction()),
    Column("derived", Boolean, nullable=False, server_default=false()),
    Column("historical", Boolean, nullable=False, server_default=false()),
    Index("ix_events_customer_occurred", "customer_id", "occurred_at"),
    # Only visitors' events carry an anonymous id: the others need no entry in its index.
    Index(
        "ix_events_anonymous_id",
        "anonymous_id",
        sqlite_where=text("anonymous_id IS NOT NULL"),
        postgresql_where=text("anonymous_id IS NOT NULL"),
    ),
    Index("ix_events_type_occurred", "type", "occurred_at"),
    Index("ix_events_tx_id", "tx", "id"),
)

# Where each consumer of the log has got to, written in the same transaction as its effects.
consumer_checkpoints = Table(
    "consumer_checkpoints",
    METADATA,
    Column("consumer", String(64), primary_key=True),
    Column("tx", BigInteger, nullable=False),
    Column("event_row", BigInteger, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
