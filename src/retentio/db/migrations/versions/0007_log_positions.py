"""the log read by position: the writing transaction, derived and historical marks, consumer checkpoints

Consumers (segments now; loyalty, journeys and games later) read the log in (tx, id) order and keep
their checkpoint with their effects. Rows already stored get tx 0: they are committed, so they come
first. A checkpoint starts at the end of the log for a store that already has events, because their
effects were made in the ingest transaction before this revision.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime
from retentio.events import writing_transaction

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The consumer that took over the in-transaction segment reactions.
SEGMENTS_CONSUMER = "segments"


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("tx", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("derived", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("historical", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("events", "tx", server_default=writing_transaction())
    op.create_index("ix_events_tx_id", "events", ["tx", "id"])
    op.execute(
        "UPDATE events SET derived = true WHERE type IN ('segment_entered', 'segment_exited')"
        if op.get_bind().dialect.name == "postgresql"
        else "UPDATE events SET derived = 1 WHERE type IN ('segment_entered', 'segment_exited')"
    )
    checkpoints = op.create_table(
        "consumer_checkpoints",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("tx", sa.BigInteger(), nullable=False),
        sa.Column("event_row", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_consumer_checkpoints")),
    )
    # Segment effects of the events already stored were made when they were ingested.
    op.execute(
        checkpoints.insert().from_select(
            ["consumer", "tx", "event_row", "updated_at"],
            sa.select(
                sa.literal(SEGMENTS_CONSUMER),
                sa.literal(0, sa.BigInteger()),
                sa.func.max(sa.column("id")),
                sa.func.max(sa.column("received_at")),
            )
            .select_from(sa.table("events"))
            .having(sa.func.count() > 0),
        )
    )


def downgrade() -> None:
    op.drop_table("consumer_checkpoints")
    op.drop_index("ix_events_tx_id", table_name="events")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("historical")
        batch.drop_column("derived")
        batch.drop_column("tx")
