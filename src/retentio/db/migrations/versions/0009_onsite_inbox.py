"""onsite_messages: the per-customer inbox of on-site messages (banners) the shop's site reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "onsite_messages",
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("seen_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("dismissed_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_onsite_messages")),
    )
    op.create_index(
        "ix_onsite_messages_customer_id_created_at", "onsite_messages", ["customer_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_onsite_messages_customer_id_created_at", table_name="onsite_messages")
    op.drop_table("onsite_messages")
