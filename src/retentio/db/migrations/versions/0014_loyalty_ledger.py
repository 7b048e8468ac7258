"""loyalty ledger: entries, lots, lot uses and cached balances

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_KINDS = (
    "'accrual', 'activation', 'redemption', 'expiry', 'reversal', 'adjustment', 'transfer', 'debt', "
    "'repayment'"
)


def upgrade() -> None:
    op.create_table(
        "loyalty_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.BigInteger(), nullable=False),
        sa.Column("debt", sa.BigInteger(), nullable=False),
        sa.Column("shortfall", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses", sa.BigInteger(), nullable=True),
        sa.Column("occurred_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.CheckConstraint(f"kind IN ({_KINDS})", name=op.f("ck_loyalty_entries_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_entries")),
        sa.UniqueConstraint(
            "programme",
            "customer_id",
            "kind",
            "source",
            name=op.f("uq_loyalty_entries_programme_customer_id_kind_source"),
        ),
    )
    op.create_index(
        "ix_loyalty_entries_customer_id_programme_id", "loyalty_entries", ["customer_id", "programme", "id"]
    )
    op.create_table(
        "loyalty_lots",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("remaining", sa.BigInteger(), nullable=False),
        sa.Column("returned", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("expired", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("active_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("activated", sa.Integer(), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("remaining >= 0 AND remaining <= amount", name=op.f("ck_loyalty_lots_remaining")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loyalty_lots")),
    )
    op.create_index("ix_loyalty_lots_customer_id_programme", "loyalty_lots", ["customer_id", "programme"])
    op.create_index(
        "ix_loyalty_lots_active_at",
        "loyalty_lots",
        ["active_at"],
        sqlite_where=sa.text("activated = 0"),
        postgresql_where=sa.text("activated = 0"),
    )
    op.create_index(
        "ix_loyalty_lots_expires_at",
        "loyalty_lots",
        ["expires_at"],
        sqlite_where=sa.text("remaining > 0 AND expires_at IS NOT NULL"),
        postgresql_where=sa.text("remaining > 0 AND expires_at IS NOT NULL"),
    )
    op.create_table(
        "loyalty_lot_uses",
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("lot_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "lot_id", name=op.f("pk_loyalty_lot_uses")),
    )
    op.create_index("ix_loyalty_lot_uses_lot_id", "loyalty_lot_uses", ["lot_id"])
    op.create_table(
        "loyalty_balances",
        sa.Column("programme", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("available", sa.BigInteger(), nullable=False),
        sa.Column("pending", sa.BigInteger(), nullable=False),
        sa.Column("debt", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "available >= 0 AND pending >= 0 AND debt >= 0", name=op.f("ck_loyalty_balances_not_negative")
        ),
        sa.PrimaryKeyConstraint("programme", "customer_id", name=op.f("pk_loyalty_balances")),
    )


def downgrade() -> None:
    op.drop_table("loyalty_balances")
    op.drop_index("ix_loyalty_lot_uses_lot_id", table_name="loyalty_lot_uses")
    op.drop_table("loyalty_lot_uses")
    op.drop_index("ix_loyalty_lots_expires_at", table_name="loyalty_lots")
    op.drop_index("ix_loyalty_lots_active_at", table_name="loyalty_lots")
    op.drop_index("ix_loyalty_lots_customer_id_programme", table_name="loyalty_lots")
    op.drop_table("loyalty_lots")
    op.drop_index("ix_loyalty_entries_customer_id_programme_id", table_name="loyalty_entries")
    op.drop_table("loyalty_entries")
