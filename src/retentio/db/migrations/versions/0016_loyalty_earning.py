"""loyalty earning: members and tiers, tier history, orders' points, refusals, programme starts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "loyalty_members",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("enrolled_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("tier", sa.String(length=64), nullable=True),
        sa.Column("tier_since", UtcDateTime(timezone=True), nullable=True),
        sa.Column("tier_anchor", UtcDateTime(timezone=True), nullable=True),
        sa.Column("tier_confirmed_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_review", UtcDateTime(timezone=True), nullable=True),
        sa.Column("grace_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("tier_due_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme", "customer_id", name=op.f("pk_loyalty_members")),
    )
    op.create_index("ix_loyalty_members_tier_due_at", "loyalty_members", ["tier_due_at"])
    op.create_table(
        "loyalty_tier_changes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("changed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("from_tier", sa.String(length=64), nullable=True),
        sa.Column("to_tier", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_tier_changes")),
        sa.UniqueConstraint("event_id", name=op.f("uq_loyalty_tier_changes_event_id")),
    )
    op.create_index(
        "ix_loyalty_tier_changes_customer_id",
        "loyalty_tier_changes",
        ["customer_id", "programme", "changed_at"],
    )
    op.create_table(
        "loyalty_order_points",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("placed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("reversed_minor", sa.BigInteger(), nullable=False),
        sa.Column("cancelled", sa.Integer(), nullable=False),
        sa.Column("not_earned", sa.String(length=64), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme", "order_id", name=op.f("pk_loyalty_order_points")),
    )
    op.create_index(
        "ix_loyalty_order_points_customer_id", "loyalty_order_points", ["customer_id", "programme"]
    )
    op.create_table(
        "loyalty_refusals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("refused_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_refusals")),
        sa.UniqueConstraint(
            "programme",
            "customer_id",
            "source",
            name=op.f("uq_loyalty_refusals_programme_customer_id_source"),
        ),
    )
    op.create_table(
        "loyalty_programme_starts",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("programme", name=op.f("pk_loyalty_programme_starts")),
    )


def downgrade() -> None:
    op.drop_table("loyalty_programme_starts")
    op.drop_table("loyalty_refusals")
    op.drop_index("ix_loyalty_order_points_customer_id", table_name="loyalty_order_points")
    op.drop_table("loyalty_order_points")
    op.drop_index("ix_loyalty_tier_changes_customer_id", table_name="loyalty_tier_changes")
    op.drop_table("loyalty_tier_changes")
    op.drop_index("ix_loyalty_members_tier_due_at", table_name="loyalty_members")
    op.drop_table("loyalty_members")
