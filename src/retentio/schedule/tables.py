"""The due-work table: one row per thing that must happen at a time, whatever area asked for it."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from retentio.db.metadata import METADATA
from retentio.db.types import UtcDateTime, json_type

due_work = Table(
    "due_work",
    METADATA,
    # INTEGER on SQLite so the id is the rowid; BIGINT elsewhere: every message send is a row.
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("kind", String(64), nullable=False),
    # What makes enqueuing twice one row: an enrolment and step, a message, a local date.
    Column("key", String(255), nullable=False),
    Column("state", String(16), nullable=False),
    # When it may run next: the asked time, or the time of the next retry after a failure.
    Column("due_at", UtcDateTime, nullable=False),
    Column("payload", json_type(), nullable=False),
    # Claims so far, counted when claimed, so work that kills its worker still ends as dead.
    Column("attempts", Integer, nullable=False),
    Column("leased_until", UtcDateTime),
    Column("lease_owner", String(128)),
    Column("last_error", Text),
    Column("last_error_type", String(255)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    UniqueConstraint("kind", "key"),
    CheckConstraint("state IN ('waiting', 'running', 'done', 'dead')", name="state"),
    # The claim reads waiting rows by due time, the takeover running rows by lease end; done and dead
    # rows (most of the table) are in neither index.
    Index(
        "ix_due_work_waiting_due_at",
        "due_at",
        sqlite_where=text("state = 'waiting'"),
        postgresql_where=text("state = 'waiting'"),
    ),
    Index(
        "ix_due_work_running_leased_until",
        "leased_until",
        sqlite_where=text("state = 'running'"),
        postgresql_where=text("state = 'running'"),
    ),
)
