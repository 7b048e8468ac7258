"""offers: the offer policy's decision log

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "offer_decisions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("occasion", sa.String(length=32), nullable=False),
        sa.Column("occasion_key", sa.String(length=200), nullable=False),
        sa.Column("offer", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost_minor", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("reasons", json_type(), nullable=False),
        sa.Column("experiment", sa.String(length=64), nullable=True),
        sa.Column("variant", sa.String(length=64), nullable=True),
        sa.Column("decided_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_decisions")),
        sa.UniqueConstraint(
            "customer_id",
            "occasion",
            "occasion_key",
            name=op.f("uq_offer_decisions_customer_id_occasion_occasion_key"),
        ),
    )
    op.create_index("ix_offer_decisions_decided_at", "offer_decisions", ["decided_at", "occasion"])
    op.create_index("ix_offer_decisions_experiment", "offer_decisions", ["experiment", "variant"])


def downgrade() -> None:
    op.drop_index("ix_offer_decisions_experiment", table_name="offer_decisions")
    op.drop_index("ix_offer_decisions_decided_at", table_name="offer_decisions")
    op.drop_table("offer_decisions")
