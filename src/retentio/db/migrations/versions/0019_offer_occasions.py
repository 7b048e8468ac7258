"""offer occasions: each product's repurchase interval, and the carts and views waiting to become
offers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replenishment_intervals",
        sa.Column("sku", sa.String(128), primary_key=True),
        sa.Column("interval_days", sa.Float(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "pending_occasions",
        sa.Column("customer_id", sa.String(128), primary_key=True),
        sa.Column("occasion", sa.String(16), primary_key=True),
        sa.Column("skus", json_type(), nullable=False),
        sa.Column("since", UtcDateTime(), nullable=False),
        sa.Column("last_at", UtcDateTime(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_pending_occasions_due", "pending_occasions", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_occasions_due", table_name="pending_occasions")
    op.drop_table("pending_occasions")
    op.drop_table("replenishment_intervals")
