"""kind preferences: a customer's opt-outs of one kind of message (marketing, trigger) on a channel

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kind_preferences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("wanted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("changed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.customer_id"], name=op.f("fk_kind_preferences_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kind_preferences")),
    )
    op.create_index(
        "ix_kind_preferences_customer_channel",
        "kind_preferences",
        ["customer_id", "channel", "kind", "changed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_kind_preferences_customer_channel", table_name="kind_preferences")
    op.drop_table("kind_preferences")
