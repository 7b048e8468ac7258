"""loyalty lots: the lot a transferred lot came from

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("loyalty_lots", sa.Column("origin_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "ix_loyalty_lots_origin_id",
        "loyalty_lots",
        ["origin_id"],
        sqlite_where=sa.text("origin_id IS NOT NULL"),
        postgresql_where=sa.text("origin_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_loyalty_lots_origin_id", table_name="loyalty_lots")
    with op.batch_alter_table("loyalty_lots") as batch:
        batch.drop_column("origin_id")
