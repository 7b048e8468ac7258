"""coupons and gift cards: pools, codes, uses, failed validations; gift cards and their entries

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from retentio.db.types import UtcDateTime, json_type

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_pools",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=12), server_default="", nullable=False),
        sa.Column("code_length", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("percent_off", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("amount_off", sa.BigInteger(), nullable=True),
        sa.Column("free_shipping", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("uses_per_code", sa.Integer(), nullable=True),
        sa.Column("uses_per_customer", sa.Integer(), nullable=True),
        sa.Column("valid_from", UtcDateTime(timezone=True), nullable=True),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("minimum_order", sa.BigInteger(), nullable=True),
        sa.Column("skus", json_type(), nullable=False),
        sa.Column("categories", json_type(), nullable=False),
        sa.Column("segments", json_type(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("stack_group", sa.String(length=64), server_default="default", nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_pools")),
        sa.UniqueConstraint("name", name=op.f("uq_coupon_pools_name")),
    )
    op.create_table(
        "coupon_validation_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("tried", sa.String(length=64), nullable=False),
        sa.Column("failed_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_validation_failures")),
    )
    with op.batch_alter_table("coupon_validation_failures", schema=None) as batch_op:
        batch_op.create_index("ix_coupon_validation_failures_subject", ["subject", "failed_at"], unique=False)

    op.create_table(
        "gift_cards",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=44), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_gift_cards_balance_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_cards")),
        sa.UniqueConstraint("code", name=op.f("uq_gift_cards_code")),
    )
    op.create_table(
        "coupons",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=44), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("uses", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("issue_key", sa.String(length=200), nullable=True),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_coupons_uses_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
    )
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.create_index("ix_coupons_pool_id", ["pool_id"], unique=False)
        batch_op.create_index(
            "uq_coupons_issue_key",
            ["issue_key"],
            unique=True,
            sqlite_where=sa.text("issue_key IS NOT NULL"),
            postgresql_where=sa.text("issue_key IS NOT NULL"),
        )

    op.create_table(
        "gift_card_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gift_card_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gift_card_id"], ["gift_cards.id"], name=op.f("fk_gift_card_entries_gift_card_id_gift_cards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_card_entries")),
        sa.UniqueConstraint("gift_card_id", "source_key", name="uq_gift_card_entries_source"),
    )
    op.create_table(
        "coupon_uses",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("coupon_id", sa.BigInteger(), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("cart_id", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=True),
        sa.Column("reserved_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"], name=op.f("fk_coupon_uses_coupon_id_coupons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_uses")),
        sa.UniqueConstraint("coupon_id", "cart_id", name="uq_coupon_uses_coupon_cart"),
    )
    with op.batch_alter_table("coupon_uses", schema=None) as batch_op:
        batch_op.create_index("ix_coupon_uses_pool_customer", ["pool_id", "customer_id"], unique=False)
        batch_op.create_index("ix_coupon_uses_state_expires", ["state", "expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coupon_uses", schema=None) as batch_op:
        batch_op.drop_index("ix_coupon_uses_state_expires")
        batch_op.drop_index("ix_coupon_uses_pool_customer")

    op.drop_table("coupon_uses")
    op.drop_table("gift_card_entries")
    with op.batch_alter_table("coupons", schema=None) as batch_op:
        batch_op.drop_index("uq_coupons_issue_key")
        batch_op.drop_index("ix_coupons_pool_id")

    op.drop_table("coupons")
    op.drop_table("gift_cards")
    with op.batch_alter_table("coupon_validation_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_coupon_validation_failures_subject")

    op.drop_table("coupon_validation_failures")
    op.drop_table("coupon_pools")
