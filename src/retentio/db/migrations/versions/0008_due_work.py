"""due_work: one queue of work due at a time; the daily upkeep's last dates move into it

Each ``scheduled_runs`` row (a job and the last local date it ran) becomes a done row of that kind
keyed by the date, so the upgraded worker does not run that date again; the way down keeps, per
kind, the latest done date.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 02:00:00
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPKEEP_KINDS = ("segments.standing", "segments.custom")
_scheduled_runs = sa.table(
    "scheduled_runs",
    sa.column("job", sa.String()),
    sa.column("last_date", sa.Date()),
    sa.column("last_run_at", UtcDateTime(timezone=True)),
)


def upgrade() -> None:
    due_work = op.create_table(
        "due_work",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("payload", json_type(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("leased_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_type", sa.String(length=255), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'running', 'done', 'dead')", name=op.f("ck_due_work_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_work")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_due_work_kind_key")),
    )
    op.create_index(
        "ix_due_work_waiting_due_at",
        "due_work",
        ["due_at"],
        sqlite_where=sa.text("state = 'waiting'"),
        postgresql_where=sa.text("state = 'waiting'"),
    )
    op.create_index(
        "ix_due_work_running_leased_until",
        "due_work",
        ["leased_until"],
        sqlite_where=sa.text("state = 'running'"),
        postgresql_where=sa.text("state = 'running'"),
    )
    runs = op.get_bind().execute(sa.select(_scheduled_runs)).all()
    done = [
        _done_row(job, last_date, last_run_at) for job, last_date, last_run_at in runs if last_date > date.min
    ]
    if done:
        op.bulk_insert(due_work, done)
    op.drop_table("scheduled_runs")


def downgrade() -> None:
    op.create_table(
        "scheduled_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("last_run_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job", name=op.f("pk_scheduled_runs")),
    )
    due_work = sa.table(
        "due_work",
        sa.column("kind", sa.String()),
        sa.column("key", sa.String()),
        sa.column("state", sa.String()),
        sa.column("finished_at", UtcDateTime(timezone=True)),
    )
    latest: dict[str, tuple[str, object]] = {}
    query = sa.select(due_work.c.kind, due_work.c.key, due_work.c.finished_at).where(
        due_work.c.state == "done", due_work.c.kind.in_(UPKEEP_KINDS)
    )
    for kind, key, finished_at in op.get_bind().execute(query):
        if kind not in latest or key > latest[kind][0]:
            latest[kind] = (key, finished_at)
    if latest:
        rows = [
            {"job": kind, "last_date": date.fromisoformat(key), "last_run_at": finished_at}
            for kind, (key, finished_at) in latest.items()
        ]
        op.bulk_insert(_scheduled_runs, rows)
    op.drop_index("ix_due_work_running_leased_until", table_name="due_work")
    op.drop_index("ix_due_work_waiting_due_at", table_name="due_work")
    op.drop_table("due_work")


def _done_row(job: str, last_date: date, last_run_at: object) -> dict[str, object]:
    day = last_date.isoformat()
    return {
        "kind": job,
        "key": day,
        "state": "done",
        "due_at": last_run_at,
        "payload": {"day": day},
        "attempts": 1,
        "created_at": last_run_at,
        "finished_at": last_run_at,
    }
