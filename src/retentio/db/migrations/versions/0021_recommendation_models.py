"""recommendation models: trained versions and their arrays

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "recommendation_models",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("settings_digest", sa.String(64), nullable=False),
        sa.Column("sizes", json_type(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.UniqueConstraint("kind", "version", name="uq_recommendation_models_kind_version"),
    )
    op.create_index("ix_recommendation_models_kind_status", "recommendation_models", ["kind", "status"])
    op.create_table(
        "recommendation_model_parts",
        sa.Column("model_id", _ID, sa.ForeignKey("recommendation_models.id"), primary_key=True),
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("recommendation_model_parts")
    op.drop_index("ix_recommendation_models_kind_status", table_name="recommendation_models")
    op.drop_table("recommendation_models")
