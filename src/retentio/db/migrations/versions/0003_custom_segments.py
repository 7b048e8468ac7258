"""custom segments: definitions, members, changes, sizes over time; customer predictions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:06:11.033190
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import retentio.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_TIME = retentio.db.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "custom_segments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("rule", _JSON, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.Column("refreshed_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_custom_segments_name")),
    )
    op.create_table(
        "custom_segment_members",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("entered_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_custom_segment_members_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["custom_segments.id"],
            name=op.f("fk_custom_segment_members_segment_id_custom_segments"),
        ),
        sa.PrimaryKeyConstraint("segment_id", "customer_id", name=op.f("pk_custom_segment_members")),
    )
    with op.batch_alter_table("custom_segment_members", schema=None) as batch_op:
        batch_op.create_index("ix_custom_segment_members_customer_id", ["customer_id"], unique=False)

    op.create_table(
        "custom_segment_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("entered", sa.Boolean(), nullable=False),
        sa.Column("changed_at", _TIME, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["custom_segments.id"],
            name=op.f("fk_custom_segment_changes_segment_id_custom_segments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_segment_changes")),
    )
    with op.batch_alter_table("custom_segment_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_custom_segment_changes_customer_changed", ["customer_id", "changed_at"], unique=False
        )
        batch_op.create_index(
            "ix_custom_segment_changes_segment_changed", ["segment_id", "changed_at"], unique=False
        )

    op.create_table(
        "custom_segment_sizes",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("period_start", _TIME, nullable=False),
        sa.Column("measured_at", _TIME, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("entered", sa.Integer(), nullable=False),
        sa.Column("exited", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["custom_segments.id"],
            name=op.f("fk_custom_segment_sizes_segment_id_custom_segments"),
        ),
        sa.PrimaryKeyConstraint("segment_id", "source", "period_start", name=op.f("pk_custom_segment_sizes")),
    )
    op.create_table(
        "custom_segment_staging",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("segment_id", "customer_id", name=op.f("pk_custom_segment_staging")),
    )
    op.create_table(
        "customer_predictions",
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("p_alive", sa.Float(), nullable=True),
        sa.Column("expected_purchases_90d", sa.Float(), nullable=True),
        sa.Column("predicted_clv", sa.Float(), nullable=True),
        sa.Column("computed_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.customer_id"],
            name=op.f("fk_customer_predictions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_predictions")),
    )


def downgrade() -> None:
    op.drop_table("customer_predictions")
    op.drop_table("custom_segment_staging")
    op.drop_table("custom_segment_sizes")
    with op.batch_alter_table("custom_segment_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_segment_changes_segment_changed")
        batch_op.drop_index("ix_custom_segment_changes_customer_changed")

    op.drop_table("custom_segment_changes")
    with op.batch_alter_table("custom_segment_members", schema=None) as batch_op:
        batch_op.drop_index("ix_custom_segment_members_customer_id")

    op.drop_table("custom_segment_members")
    op.drop_table("custom_segments")
